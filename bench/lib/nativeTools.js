'use strict';
// Runs the plain-C companions (floor.exe, costs.exe) and reads the JSON each
// writes to a file: pipes between Wine processes and node.exe are what
// PLATFORM.md warns about, a file always works.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const EXE_TIMEOUT_MS = 120_000;

/** Runs `exe args... <out.json>`; resolves with the parsed JSON or {error}. */
function runJsonTool(exe, args, label) {
  const outFile = path.join(os.tmpdir(), `winsock-connect-${label}-${process.pid}-${Date.now()}.json`);
  return new Promise((resolve) => {
    fs.rmSync(outFile, { force: true });
    const child = spawn(exe, [...args.map(String), outFile], { stdio: 'ignore', windowsHide: true });
    const timer = setTimeout(() => child.kill(), EXE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error: `${label}: spawn failed: ${error.message}` });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        const result = JSON.parse(fs.readFileSync(outFile, 'utf8'));
        fs.rmSync(outFile, { force: true });
        resolve(result);
      } catch (error) {
        resolve({ error: `${label} exited with ${code} and left no result (${error.message})` });
      }
    });
  });
}

/** floor.exe: blocking WSAConnect + closesocket in a C loop. */
async function runFloor(exe, port, iterations, warmup) {
  const result = await runJsonTool(exe, [port, iterations, warmup], 'floor');
  if (!result.error && result.errors > 0) {
    result.error = `${result.errors} connect(s) failed, first with Winsock error ${result.firstError}`;
  }
  return result;
}

/** costs.exe: per-call costs of the connect paths (the profile). */
function runCosts(exe, port, iterations) {
  return runJsonTool(exe, [port, iterations], 'costs');
}

module.exports = { runFloor, runCosts };
