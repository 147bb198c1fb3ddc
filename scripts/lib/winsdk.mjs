// Compiling against Microsoft's own Windows SDK/WDK headers without Windows:
// Debian's clang in MSVC mode, the include folder of one SDK version named by
// WINSOCK_CONNECT_WINSDK (e.g. .../Include/10.0.16299.0, with km/ shared/ um/ ucrt/;
// the public tpn/winsdk-10 repository holds the 10.0.16299 tree). Nothing of the
// SDK is copied into the project: a scratch folder holds the two stand-ins the
// headers need off Windows, MSVC's ConcurrencySal.h (not in the SDK; its
// annotations expand to nothing) and links for the include spellings whose case
// differs from the file's (Windows file names are case-insensitive).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capture, hasCommand } from './run.mjs';

export const WINSDK_ENV = 'WINSOCK_CONNECT_WINSDK';

/** The SDK include folder, or null with the reason a check cannot run. */
export function winsdkFolder() {
  const dir = process.env[WINSDK_ENV];
  if (!dir) return { reason: `${WINSDK_ENV} is not set (point it at a Windows SDK/WDK Include/<version> folder)` };
  if (!fs.existsSync(path.join(dir, 'km', 'wdm.h'))) return { reason: `${WINSDK_ENV}=${dir} holds no km/wdm.h` };
  if (!hasCommand('clang')) return { reason: "clang is not installed (Debian's clang compiles in MSVC mode)" };
  return { dir };
}

const SUBDIRS = { kernel: ['km/crt', 'km', 'shared'], user: ['um', 'shared', 'ucrt'] };

function headersUnder(root) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push(full);
    }
  };
  walk(root);
  return found;
}

/**
 * A scratch folder to put first on the include path: ConcurrencySal.h, and a link
 * for every name the headers include in another case than the file has.
 */
function standIns(sdk, subdirs, extraSources) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'winsdk-standins-'));
  fs.writeFileSync(path.join(dir, 'ConcurrencySal.h'), '#pragma once\n/* Stand-in for MSVC\'s own header: its lock annotations expand to nothing here. */\n');
  const roots = subdirs.map((sub) => path.join(sdk, sub)).filter((root) => fs.existsSync(root));
  const byLowerName = new Map();
  const exact = new Set();
  for (const root of roots) {
    for (const file of headersUnder(root)) {
      const relative = path.relative(root, file).split(path.sep).join('/');
      exact.add(relative);
      byLowerName.set(relative.toLowerCase(), file);
    }
  }
  const included = new Set();
  for (const file of [...byLowerName.values(), ...extraSources]) {
    for (const match of fs.readFileSync(file, 'latin1').matchAll(/^\s*#\s*include\s*[<"]([^>"]+)[>"]/gm)) included.add(match[1].replace(/\\/g, '/'));
  }
  for (const name of included) {
    if (exact.has(name)) continue;
    const target = byLowerName.get(name.toLowerCase());
    if (!target) continue;
    const link = path.join(dir, name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    if (!fs.existsSync(link)) fs.symlinkSync(target, link);
  }
  return dir;
}

/**
 * Compiles each C source (syntax and semantics, no code) as MSVC would for x64
 * against the SDK: `mode` 'kernel' (the WDK: km/, shared/) or 'user'. Resolves
 * [{ file, ok, output }].
 */
export function compileAgainstWinsdk(sdk, sources, { mode, defines = [], includes = [] }) {
  const subdirs = SUBDIRS[mode];
  const scratch = standIns(sdk, subdirs, sources);
  try {
    const base = [
      '--target=x86_64-pc-windows-msvc', '-fms-compatibility', '-fms-extensions', '-fms-compatibility-version=19.29',
      '-fsyntax-only', '-D_AMD64_', '-D_WIN64', '-DAMD64', '-DNTDDI_VERSION=0x0A000004', '-D_WIN32_WINNT=0x0A00',
      ...(mode === 'kernel' ? ['-D_KERNEL_MODE'] : []),
      ...defines.map((d) => `-D${d}`),
      '-nostdinc', '-isystem', scratch, '-isystem', path.join(capture('clang', ['-print-resource-dir']).stdout.trim(), 'include'),
      ...subdirs.flatMap((sub) => ['-isystem', path.join(sdk, sub)]),
      ...includes.flatMap((dir) => ['-I', dir]),
    ];
    return sources.map((file) => {
      const result = capture('clang', [...base, file]);
      return { file, ok: result.ok, output: (result.stdout + result.stderr).trim() };
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
