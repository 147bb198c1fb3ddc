// Counts the Winsock, window-message and completion-port calls one connect + close
// makes, for each of the package's methods and for Node's own net.connect, with
// Wine's relay trace (only the calls that go through a DLL's exports: ConnectEx and
// AcceptEx, reached through pointers, are not seen; libuv's ConnectEx is added below).
//   node scripts/count-calls.mjs [--count N]
// Prints a table (calls per connect, and each call) and writes bench/results/calls.json.
// The helpers that never leave the process (htons, inet_ntop, WSAGetLastError, …)
// are listed apart: they cost no system call.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CACHE, ROOT, WINES } from './lib/config.mjs';
import { withWine } from './lib/cells.mjs';
import { runWindowsNode, wineEnv } from './lib/wine.mjs';
import { ensureNodeModules, ensureToolchain, ensureNodeExe } from './lib/provision.mjs';
import { buildAddonMingw, buildTypeScript } from './build.mjs';

const LINE = 22;
const TRACED = 'kernel32.PostQueuedCompletionStatus;kernel32.GetQueuedCompletionStatusEx;ws2_32.*;mswsock.*;user32.PostMessageW;user32.GetMessageW;user32.PeekMessageW;user32.SetTimer;user32.KillTimer';
const LOCAL_ONLY = new Set(['htons', 'ntohs', 'htonl', 'ntohl', 'inet_pton', 'inet_ntop', 'InetNtopW', 'InetPtonW', 'WSAGetLastError', 'WSASetLastError']);
const METHODS = ['net.connect', 'createConnection', 'wsaConnect', 'connectByName', 'race'];
// Calls made through a pointer from WSAIoctl, which the relay trace does not see,
// added by what the code does: libuv's uv_tcp_connect calls ConnectEx once. The
// server's AcceptEx, the same in every column, is left out.
const BY_POINTER = 'ConnectEx (through a pointer: not traced, one per connect)';
const POINTER_CALLS = { 'net.connect': 1 };
// The loop's own wake-ups are counted too: the result of a connect made on another
// thread reaches the event loop through its completion port (uv_async_send).

function countCalls(trace, count) {
  const segment = trace.slice(trace.indexOf('CALLCOUNT-BEGIN'), trace.indexOf('CALLCOUNT-END'));
  const calls = {};
  for (const match of segment.matchAll(/:Call ([\w.]+)\(/g)) calls[match[1]] = (calls[match[1]] ?? 0) + 1;
  const perConnect = Object.fromEntries(Object.entries(calls).sort((a, b) => b[1] - a[1]).map(([name, n]) => [name, n / count]));
  const system = Object.entries(perConnect).filter(([name]) => !LOCAL_ONLY.has(name.split('.')[1])).reduce((sum, [, n]) => sum + n, 0);
  return { systemCalls: system, calls: perConnect };
}

async function main() {
  const i = process.argv.indexOf('--count');
  const count = i > 0 ? Number(process.argv[i + 1]) : 20;
  ensureNodeModules();
  ensureToolchain();
  ensureNodeExe(LINE);
  await buildAddonMingw();
  buildTypeScript();
  // Relay only the calls that matter here (the prefix's registry, read when a process starts).
  spawnSync(WINES.host.wine, ['reg', 'add', 'HKCU\\Software\\Wine\\Debug', '/v', 'RelayInclude', '/t', 'REG_SZ', '/d', TRACED, '/f'],
    { env: wineEnv(WINES.host), stdio: 'ignore' });
  const results = {};
  await withWine('host', async () => {
    for (const method of METHODS) {
      const outFile = path.join(CACHE, `calls-${method}.txt`);
      // The trace is read from the file, not copied to this terminal (quiet: every line).
      await runWindowsNode(['bench/callCount.js', method, String(count)], {
        cwd: ROOT, outFile, exe: ensureNodeExe(LINE), wine: WINES.host, env: { WINEDEBUG: '+relay' }, timeoutMs: 10 * 60_000, quiet: /^/,
      });
      results[method] = countCalls(fs.readFileSync(outFile, 'utf8'), count);
      if (POINTER_CALLS[method]) {
        results[method].calls[BY_POINTER] = POINTER_CALLS[method];
        results[method].systemCalls += POINTER_CALLS[method];
      }
      fs.rmSync(outFile);
    }
  });
  const names = [...new Set(Object.values(results).flatMap((r) => Object.keys(r.calls)))].sort();
  const rows = [`| call | ${METHODS.join(' | ')} |`, `|---|${METHODS.map(() => '---:').join('|')}|`,
    `| **system calls per connect + close** | ${METHODS.map((m) => `**${results[m].systemCalls.toFixed(1)}**`).join(' | ')} |`,
    ...names.map((name) => `| ${name}${LOCAL_ONLY.has(name.split('.')[1]) ? ' (in-process)' : ''} | ${METHODS.map((m) => (results[m].calls[name] ?? 0).toFixed(1)).join(' | ')} |`)];
  process.stdout.write(`${rows.join('\n')}\n`);
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'calls.json'), JSON.stringify({ count, wine: 'host', node: LINE, results }, null, 2));
}

main().catch((error) => {
  console.error(error.stack ?? error);
  process.exit(1);
});
