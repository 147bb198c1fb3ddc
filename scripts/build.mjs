// `npm run build`. On Windows: node-gyp (MSVC) + TypeScript. On Linux: cross-builds
// the win32-x64 and win32-ia32 addons with mingw-w64 into prebuilds/ (where
// node-gyp-build finds them), the driver, and the TypeScript. Incremental: an object is rebuilt when its source or any header is newer.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { ADDON_TARGETS, ROOT } from './lib/config.mjs';
import { ensureToolchain } from './lib/provision.mjs';
import { log, run } from './lib/run.mjs';
import { writeIoctlModule } from './lib/ioctlContract.mjs';
import { writeErrorModules } from './lib/errorCodes.mjs';

const require = createRequire(import.meta.url);
const ADDON_SRC = path.join(ROOT, 'native', 'addon');

function addonSources() {
  return fs.readdirSync(ADDON_SRC).filter((f) => f.endsWith('.cc')).sort();
}

/**
 * addon_build.gypi: the sources and preprocessor definitions of every build of the
 * addon. binding.gyp includes it (node-gyp), CMakeLists.txt reads it (cmake-js), and
 * the mingw build below compiles from it. Plain JSON, which gyp reads too.
 * NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: in a worker being terminated, handing a
 * C++ exception back to JavaScript fails, and without it node-addon-api throws
 * again out of the native call: std::terminate, the whole process gone.
 */
export function addonBuild() {
  const { variables } = JSON.parse(fs.readFileSync(path.join(ROOT, 'addon_build.gypi'), 'utf8'));
  return { sources: variables.addon_sources, defines: variables.addon_defines };
}

/**
 * What an MSVC build needs for working C++ exceptions, per description: binding.gyp
 * (ExceptionHandling 1 = /EHsc, and _HAS_EXCEPTIONS=1 against common.gypi's 0, and
 * no second /std: beside common.gypi's) and CMakeLists.txt (/EHsc, which cmake-js's
 * CMAKE_CXX_FLAGS drops, and _HAS_EXCEPTIONS=1).
 */
const MSVC_EXCEPTION_RULES = {
  'binding.gyp': [
    [/"ExceptionHandling":\s*1/, 'ExceptionHandling 1 (/EHsc)'],
    [/"_HAS_EXCEPTIONS=1"/, '_HAS_EXCEPTIONS=1'],
    [/^(?![\s\S]*\/std:)/, 'no /std: of its own (common.gypi passes one)'],
  ],
  'CMakeLists.txt': [
    [/target_compile_options\([^)]*\/EHsc/, '/EHsc in its MSVC compile options'],
    [/_HAS_EXCEPTIONS=1/, '_HAS_EXCEPTIONS=1'],
  ],
};

/** The MSVC exception settings `file` (binding.gyp or CMakeLists.txt) lacks, given its text. */
export function missingMsvcExceptionSettings(file, text) {
  return MSVC_EXCEPTION_RULES[file].filter(([pattern]) => !pattern.test(text)).map(([, what]) => what);
}

/**
 * Before a build: the list names exactly the native/addon/*.cc on disk, binding.gyp
 * and CMakeLists.txt take it from addon_build.gypi, and an MSVC build keeps C++
 * exceptions.
 */
export function checkBuildDescriptions() {
  const onDisk = addonSources();
  const listed = addonBuild().sources.map((f) => path.basename(f)).sort();
  const missing = onDisk.filter((f) => !listed.includes(f));
  const extra = listed.filter((f) => !onDisk.includes(f));
  if (missing.length || extra.length) {
    throw new Error(`addon_build.gypi lists other sources than native/addon/*.cc: missing ${missing.join(', ') || 'none'}; not on disk ${extra.join(', ') || 'none'}`);
  }
  const uses = { 'binding.gyp': /"includes":\s*\["addon_build\.gypi"\][\s\S]*<@\(addon_sources\)[\s\S]*<@\(addon_defines\)/, 'CMakeLists.txt': /addon_build\.gypi/ };
  for (const [file, pattern] of Object.entries(uses)) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    if (!pattern.test(text)) throw new Error(`${file} does not take its sources and definitions from addon_build.gypi`);
    const noExceptions = missingMsvcExceptionSettings(file, text);
    if (noExceptions.length) throw new Error(`${file}: an MSVC build would lack working C++ exceptions: ${noExceptions.join(', ')}`);
  }
}

function newestMtime(files) {
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

function headers() {
  const dirs = [ADDON_SRC, path.join(ROOT, 'native', 'include')].filter((d) => fs.existsSync(d));
  return dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.h')).map((f) => path.join(d, f)));
}

function compile(target, src, obj) {
  const args = [
    '-std=c++17', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Wno-missing-field-initializers',
    ...addonBuild().defines.map((d) => `-D${d}`),
    '-I', require('node-addon-api').include_dir.replace(/"/g, ''),
    '-I', path.join(path.dirname(require.resolve('node-api-headers/package.json')), 'include'),
    '-I', path.join(ROOT, 'native', 'include'),
    '-c', src, '-o', obj,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(target.cxx, args, { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`compiling ${path.basename(src)} (${target.arch}) failed`))));
  });
}

/** Runs jobs with at most `limit` at once (the machine has two cores). */
async function inParallel(jobs, limit) {
  const queue = [...jobs];
  const workers = Array.from({ length: limit }, async () => {
    while (queue.length) await queue.shift()();
  });
  await Promise.all(workers);
}

/**
 * The import library binds node.exe's Node-API exports as DELAY imports: the hook in
 * native/mingw/delay_load_hook.cc resolves them against the host process, so the addon
 * also loads in a renamed node.exe or Electron.
 */
function importLibrary(target) {
  const lib = path.join(target.buildDir, 'libnode_api_delay.a');
  const def = path.join(path.dirname(require.resolve('node-api-headers/package.json')), 'def', 'node_api.def');
  if (!fs.existsSync(lib) || fs.statSync(lib).mtimeMs < fs.statSync(def).mtimeMs) {
    run(target.dlltool, ['-d', def, '-y', lib, '-D', 'node.exe']);
  }
  return lib;
}

/** Every prebuild this machine can make (win32-x64, win32-ia32). */
export async function buildAddonMingw() {
  checkBuildDescriptions();
  for (const target of Object.values(ADDON_TARGETS)) await buildAddonFor(target);
}

async function buildAddonFor(target) {
  const { buildDir, out } = target;
  fs.mkdirSync(buildDir, { recursive: true });
  // This script and the build list too: a changed flag or definition rebuilds every object.
  const hdrTime = Math.max(newestMtime(headers()), fs.statSync(fileURLToPath(import.meta.url)).mtimeMs,
    fs.statSync(path.join(ROOT, 'addon_build.gypi')).mtimeMs);
  const sources = [
    ...addonBuild().sources.map((f) => path.join(ROOT, f)),
    path.join(ROOT, 'native', 'mingw', 'delay_load_hook.cc'),
  ];
  const objects = sources.map((src) => path.join(buildDir, path.basename(src, '.cc') + '.o'));
  const stale = sources
    .map((src, i) => ({ src, obj: objects[i] }))
    .filter(({ src, obj }) => !fs.existsSync(obj) || fs.statSync(obj).mtimeMs < Math.max(hdrTime, fs.statSync(src).mtimeMs));
  if (stale.length) log(`compiling ${stale.length} of ${sources.length} addon sources with ${target.cxx}`);
  await inParallel(stale.map(({ src, obj }) => () => compile(target, src, obj)), 2);
  const lib = importLibrary(target);
  if (stale.length || !fs.existsSync(out)) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // -static: no libstdc++/libwinpthread DLLs to ship next to the .node file.
    run(target.cxx, ['-shared', '-static', '-s', '-o', out, ...objects, lib, '-ldelayimp', '-lws2_32', '-ladvapi32', '-luser32', '-Wl,--no-undefined']);
    log(`addon: ${path.relative(ROOT, out)}`);
  }
}

/** The WSK driver (native/driver/build.sh), rebuilt only when a source or the IOCTL header changed. */
export function buildDriverMingw() {
  const driverDir = path.join(ROOT, 'native', 'driver');
  const script = path.join(driverDir, 'build.sh');
  if (!fs.existsSync(script)) return;
  const outDir = path.join(ROOT, 'prebuilds', 'driver-x64');
  const output = path.join(outDir, 'wskconnect.sys');
  const sources = [
    ...fs.readdirSync(driverDir).filter((f) => /\.(c|h|sh)$/.test(f)).map((f) => path.join(driverDir, f)),
    ...fs.readdirSync(path.join(driverDir, 'test')).filter((f) => f.endsWith('.c')).map((f) => path.join(driverDir, 'test', f)),
    path.join(ROOT, 'native', 'include', 'wskconnect_ioctl.h'),
  ];
  if (fs.existsSync(output) && fs.statSync(output).mtimeMs >= newestMtime(sources)) return;
  run('bash', [script, outDir]);
}

export function buildTypeScript() {
  writeIoctlModule(); // lib/wskconnectIoctl.ts from native/include/wskconnect_ioctl.h
  writeErrorModules(); // lib/errors/{wsa,ntstatus,win32}.ts from their .codes.json
  // From empty, so a renamed or deleted lib/ file leaves nothing stale to ship.
  fs.rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')]);
  writeEsmWrapper();
  // The CLI after the library: it compiles against dist/index.d.ts (tsconfig.cli.json).
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.cli.json')]);
}

/** ESM entry that re-exports the CommonJS build: one module instance, no dual-package hazard. */
function writeEsmWrapper() {
  const cjsPath = path.join(ROOT, 'dist', 'index.js');
  delete require.cache[cjsPath];
  const names = Object.keys(require(cjsPath)).filter((n) => n !== 'default' && n !== '__esModule');
  const body = [
    '// Generated by scripts/build.mjs: the ESM face of the CommonJS build.',
    "import cjs from './index.js';",
    `export const { ${names.join(', ')} } = cjs;`,
    'export default cjs;',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(ROOT, 'dist', 'index.mjs'), body);
}

/** The MSVC build through binding.gyp, as npm ci's install script does it on Windows. */
export function buildAddonNodeGyp() {
  run(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild'], { cwd: ROOT });
}

async function main() {
  if (process.platform === 'win32') {
    buildAddonNodeGyp();
  } else {
    ensureToolchain();
    await buildAddonMingw();
    buildDriverMingw();
  }
  buildTypeScript();
}

// Run as a script (not imported); compared as paths so Windows' C:\ form matches too.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`build failed: ${err.message}`);
    process.exit(1);
  });
}
