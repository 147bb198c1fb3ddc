// `npm run build:cmake`: the addon through cmake-js and CMakeLists.txt, the second build
// system beside node-gyp/binding.gyp. Windows: MSVC, as plain `cmake-js build` does it.
// Linux: cross-built with mingw-w64 through cmake/mingw-w64-x86_64.cmake. Either way the
// result is .cache/cmake-js/Release/winsock-connect.node (CMAKE_JS_ADDON), which only
// test/windows/cmakeJsBuild.test.js loads: the package itself keeps loading the prebuild.
// Incremental: configured once per set of arguments, then `cmake --build` does the rest.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { CMAKE_JS_ADDON, CMAKE_JS_OUT, MINGW, MINGW_TOOLCHAIN_FILE, ROOT } from './lib/config.mjs';
import { ensureNodeModules, ensureToolchain } from './lib/provision.mjs';
import { log, run } from './lib/run.mjs';
import { checkBuildDescriptions } from './build.mjs';

const require = createRequire(import.meta.url);
// Written after a successful configure; holds the arguments it was configured with.
const CONFIGURED_MARKER = path.join(CMAKE_JS_OUT, 'winsock-connect-configured.json');

/** Why the cmake-js build cannot run on this platform, or null when it can. */
export function cmakeJsUnsupportedReason(platform = process.platform) {
  if (platform === 'win32' || platform === 'linux') return null;
  return `no cmake-js build on ${platform}: it needs MSVC (Windows) or Debian's mingw-w64 cross-compilers (Linux)`;
}

/** cmake-js options shared by configure and build. */
function cmakeJsOptions() {
  const common = ['--out', CMAKE_JS_OUT, '--config', 'Release'];
  if (process.platform === 'win32') return common; // cmake-js finds Visual Studio itself
  return [
    ...common,
    // Named, so a cached tree never meets another generator; ninja-build is provisioned.
    '--generator', 'Ninja',
    // cmake-js insists on a host g++ or clang unless both compilers are given.
    '--cc', MINGW.cc, '--cxx', MINGW.cxx,
    `--CDCMAKE_TOOLCHAIN_FILE=${MINGW_TOOLCHAIN_FILE}`,
  ];
}

function cmakeJs(command, options) {
  run(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), command, ...options, '--log-level', 'warn'], { cwd: ROOT });
}

/**
 * Configures from scratch when the tree was never configured, or with other arguments
 * (another checkout path, other compilers), or a configure broke off half way.
 */
function ensureConfigured(options) {
  const wanted = JSON.stringify(options);
  const had = fs.existsSync(CONFIGURED_MARKER) ? fs.readFileSync(CONFIGURED_MARKER, 'utf8') : null;
  if (had === wanted) return;
  log(`configuring the cmake-js build in ${path.relative(ROOT, CMAKE_JS_OUT)}`);
  fs.rmSync(CMAKE_JS_OUT, { recursive: true, force: true });
  cmakeJs('configure', options);
  fs.writeFileSync(CONFIGURED_MARKER, wanted);
}

/** Builds CMAKE_JS_ADDON and returns its path. */
export function buildAddonCmakeJs() {
  const unsupported = cmakeJsUnsupportedReason();
  if (unsupported) throw new Error(unsupported);
  checkBuildDescriptions();
  const options = cmakeJsOptions();
  ensureConfigured(options);
  cmakeJs('build', options);
  if (!fs.existsSync(CMAKE_JS_ADDON)) throw new Error(`cmake-js built no ${CMAKE_JS_ADDON}`);
  return CMAKE_JS_ADDON;
}

// Run as a script (not imported); compared as paths so Windows' C:\ form matches too.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureNodeModules();
    if (process.platform === 'linux') ensureToolchain();
    log(`addon (cmake-js): ${path.relative(ROOT, buildAddonCmakeJs())}`);
  } catch (err) {
    console.error(`cmake-js build failed: ${err.message}`);
    process.exit(1);
  }
}
