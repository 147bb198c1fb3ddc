// `npm run bench [-- --quick] [-- --only latency,memory] [-- --iterations N --warmup W]`:
// a benchmark, not a test. Builds the plain-C companions with mingw into .cache/bench/
// (bench/floor.c, the Winsock floor; bench/costs.cc, the per-call profile), then runs
// bench/run.js on the real Windows node.exe (under Wine on Linux, via
// scripts/wine-node.mjs, which provisions and builds the package first).
// bench/run.js writes bench/results/{latest.json, table.md, chart.svg}; this script
// adds the Linux host's load to them (a busy machine skews every figure).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { CACHE, MINGW, ROOT } from './lib/config.mjs';
import { ensureToolchain } from './lib/provision.mjs';
import { hasCommand, log, run } from './lib/run.mjs';
import { runOnWindowsNode } from './wine-node.mjs';

const require = createRequire(import.meta.url);
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const TOOLS = {
  floor: { src: path.join(ROOT, 'bench', 'floor.c'), exe: path.join(CACHE, 'bench', 'floor.exe'), cc: MINGW.cc, fallback: 'gcc', libs: ['-lws2_32'] },
  costs: { src: path.join(ROOT, 'bench', 'costs.cc'), exe: path.join(CACHE, 'bench', 'costs.exe'), cc: MINGW.cxx, fallback: 'g++', libs: ['-lws2_32', '-lmswsock'] },
};

function parseArgs(argv) {
  const passed = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--quick') {
      passed.push(flag);
      continue;
    }
    const value = inline ?? argv[++i];
    if (flag === '--iterations' || flag === '--warmup') {
      if (!/^\d+$/.test(value ?? '')) throw new Error(`${flag} needs a whole number`);
    } else if (flag === '--only') {
      if (!/^[A-Za-z,]+$/.test(value ?? '')) throw new Error('--only needs a comma-separated list of sections');
    } else {
      throw new Error(`unknown argument ${argv[i]} (use --quick, --only a,b, --iterations N, --warmup N)`);
    }
    passed.push(flag, value);
  }
  return passed;
}

/** The compiler for a tool: mingw's cross compiler on Linux; on Windows that or a mingw gcc/g++ on PATH. */
function compilerFor(tool) {
  if (process.platform !== 'win32') {
    if (!hasCommand(tool.cc)) throw new Error(`${tool.cc} not found (Debian package g++-mingw-w64-x86-64-posix)`);
    return tool.cc;
  }
  return [tool.cc, tool.fallback].find(onWindowsPath) ?? null;
}

function onWindowsPath(cmd) {
  try {
    return run('where', [cmd], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}

/** Builds a companion .exe when it is missing or older than its source. Returns its path, or null. */
function buildTool(tool) {
  const compiler = compilerFor(tool);
  if (!compiler) {
    log(`no mingw compiler on PATH: ${path.basename(tool.exe)} is not built, its comparison is skipped`);
    return null;
  }
  const fresh = fs.existsSync(tool.exe) && fs.statSync(tool.exe).mtimeMs >= fs.statSync(tool.src).mtimeMs;
  if (!fresh) {
    fs.mkdirSync(path.dirname(tool.exe), { recursive: true });
    log(`building ${path.relative(ROOT, tool.exe)} with ${compiler}`);
    run(compiler, ['-O2', '-Wall', '-Wextra', '-static', '-s', '-o', tool.exe, tool.src, ...tool.libs]);
  }
  return tool.exe;
}

/** Adds the Linux host's load to latest.json and renders table.md and chart.svg again with it. */
function addHostInfo(startedAt, loadBefore) {
  const latest = path.join(RESULTS_DIR, 'latest.json');
  if (!fs.existsSync(latest)) return;
  const result = JSON.parse(fs.readFileSync(latest, 'utf8'));
  if (Date.parse(result.date) < startedAt - 1000) return;
  const loadAfter = os.loadavg();
  result.host = {
    os: `${os.type()} ${os.release()}`,
    cpus: os.cpus().length,
    loadavg1mBefore: Number(loadBefore[0].toFixed(2)),
    loadavg1mAfter: Number(loadAfter[0].toFixed(2)),
    totalSecondsWithBuild: Number(((Date.now() - startedAt) / 1000).toFixed(1)),
  };
  const { toMarkdown, toSvg } = require('../bench/lib/report.js');
  fs.writeFileSync(latest, `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS_DIR, 'table.md'), toMarkdown(result));
  fs.writeFileSync(path.join(RESULTS_DIR, 'chart.svg'), toSvg(result));
  log(`host load average (1 min): ${result.host.loadavg1mBefore} before, ${result.host.loadavg1mAfter} after, on ${result.host.cpus} CPU(s)`);
}

const passed = parseArgs(process.argv.slice(2));
if (process.platform !== 'win32') ensureToolchain();
const args = ['--expose-gc', 'bench/run.js', ...passed, '--out-dir', path.relative(ROOT, RESULTS_DIR)];
for (const [name, tool] of Object.entries(TOOLS)) {
  const exe = buildTool(tool);
  if (exe) args.push(`--${name}`, path.relative(ROOT, exe));
}

const loadBefore = os.loadavg();
const startedAt = Date.now();
const code = await runOnWindowsNode(args, { outName: 'bench-output.txt' });
if (process.platform !== 'win32') addHostInfo(startedAt, loadBefore);
process.exit(code);
