// `npm run bench [-- --iterations N --warmup W]`: a benchmark, not a test.
// Builds bench/floor.c (the plain-C Winsock floor) with mingw into .cache/bench/,
// then runs bench/run.js on the real Windows node.exe (under Wine on Linux, via
// scripts/wine-node.mjs, which provisions and builds the package first).
// bench/run.js prints the table and writes bench/results/latest.json; this script
// adds the Linux host's load to that file (a busy machine skews every figure).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CACHE, MINGW, ROOT } from './lib/config.mjs';
import { ensureToolchain } from './lib/provision.mjs';
import { hasCommand, log, run } from './lib/run.mjs';
import { runOnWindowsNode } from './wine-node.mjs';

const FLOOR_SRC = path.join(ROOT, 'bench', 'floor.c');
const FLOOR_EXE = path.join(CACHE, 'bench', 'floor.exe');
const RESULTS = path.join(ROOT, 'bench', 'results', 'latest.json');

function parseArgs(argv) {
  const passed = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag !== '--iterations' && flag !== '--warmup') throw new Error(`unknown argument ${argv[i]} (use --iterations N, --warmup N)`);
    const value = inline ?? argv[++i];
    if (!/^\d+$/.test(value ?? '')) throw new Error(`${flag} needs a whole number`);
    passed.push(flag, value);
  }
  return passed;
}

/** Builds floor.exe when it is missing or older than floor.c. Returns its path, or null. */
function buildFloor() {
  const compiler = process.platform === 'win32'
    ? [MINGW.cc, 'x86_64-w64-mingw32-gcc', 'gcc'].find(hasCommandWin)
    : MINGW.cc;
  if (!compiler || (process.platform !== 'win32' && !hasCommand(compiler))) {
    if (process.platform === 'win32') {
      log('no mingw gcc on PATH: floor.exe is not built, the floor comparison is skipped');
      return null;
    }
    throw new Error(`${MINGW.cc} not found (Debian package gcc-mingw-w64-x86-64-posix)`);
  }
  const fresh = fs.existsSync(FLOOR_EXE) && fs.statSync(FLOOR_EXE).mtimeMs >= fs.statSync(FLOOR_SRC).mtimeMs;
  if (!fresh) {
    fs.mkdirSync(path.dirname(FLOOR_EXE), { recursive: true });
    log(`building ${path.relative(ROOT, FLOOR_EXE)} with ${compiler}`);
    run(compiler, ['-O2', '-Wall', '-Wextra', '-static', '-s', '-o', FLOOR_EXE, FLOOR_SRC, '-lws2_32']);
  }
  return FLOOR_EXE;
}

function hasCommandWin(cmd) {
  try {
    return run('where', [cmd], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}

const passed = parseArgs(process.argv.slice(2));
if (process.platform !== 'win32') ensureToolchain();
const floor = buildFloor();
const args = ['bench/run.js', ...passed, '--out', path.relative(ROOT, RESULTS)];
if (floor) args.push('--floor', path.relative(ROOT, floor));

const loadBefore = os.loadavg();
const startedAt = Date.now();
const code = await runOnWindowsNode(args, { outName: 'bench-output.txt' });
const loadAfter = os.loadavg();

if (fs.existsSync(RESULTS)) {
  const result = JSON.parse(fs.readFileSync(RESULTS, 'utf8'));
  if (Date.parse(result.date) >= startedAt - 1000) {
    result.host = {
      os: `${os.type()} ${os.release()}`,
      cpus: os.cpus().length,
      loadavg1mBefore: Number(loadBefore[0].toFixed(2)),
      loadavg1mAfter: Number(loadAfter[0].toFixed(2)),
      totalSecondsWithBuild: Number(((Date.now() - startedAt) / 1000).toFixed(1)),
    };
    fs.writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
    if (process.platform !== 'win32') {
      log(`host load average (1 min): ${result.host.loadavg1mBefore} before, ${result.host.loadavg1mAfter} after, on ${result.host.cpus} CPU(s)`);
    }
  }
}
process.exit(code);
