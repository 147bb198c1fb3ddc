'use strict';
// The package as npm ships it (the tarball scripts/test.mjs packs into .cache/pack):
// what is in it, that it installs and imports on this non-Windows machine, and that
// the prebuilds are Node-API DLLs bound to the host the way we intend.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const PACK_DIR = path.join(ROOT, '.cache', 'pack');
const TARBALL = path.join(PACK_DIR, 'winsock-connect.tgz');
// objdump's name for each arch's PE image format.
const PREBUILD_ARCHES = { x64: 'pei-x86-64', ia32: 'pei-i386' };

function shippedFiles() {
  return execFileSync('tar', ['-tzf', TARBALL], { encoding: 'utf8' })
    .split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
}

describe('the npm package', function () {
  before(function () {
    if (!fs.existsSync(TARBALL)) throw new Error(`${TARBALL} is missing: run through npm test, which packs first`);
  });

  it('ships dist (CJS, ESM, .d.ts), both prebuilds, native sources, both build files, README and LICENSE', () => {
    const files = new Set(shippedFiles());
    const required = [
      'package.json', 'README.md', 'LICENSE', 'binding.gyp', 'addon_build.gypi', 'CMakeLists.txt',
      'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/errors.d.ts',
      'prebuilds/win32-x64/winsock-connect.napi.node', 'prebuilds/win32-ia32/winsock-connect.napi.node',
      'native/mingw/delay_load_hook.cc', 'native/include/wskconnect_ioctl.h',
    ];
    for (const name of fs.readdirSync(path.join(ROOT, 'native', 'addon'))) required.push(`native/addon/${name}`);
    for (const name of fs.readdirSync(path.join(ROOT, 'lib')).filter((f) => f.endsWith('.ts'))) {
      required.push(`dist/${name.replace(/\.ts$/, '.js')}`, `dist/${name.replace(/\.ts$/, '.d.ts')}`);
    }
    const missing = required.filter((f) => !files.has(f));
    assert.deepEqual(missing, [], 'missing from the tarball');
  });

  it('ships no tests, caches, scripts, workflows, node.exe or driver binaries', () => {
    const forbidden = shippedFiles().filter((f) =>
      /^(test|bench|demo|scripts|docs|\.cache|\.github|\.ci|node_modules|build)\//.test(f) ||
      /(^|\/)node\.exe$/i.test(f) || /\.(sys|exe|tgz|o|a|lib|pdb)$/i.test(f) || f.startsWith('native/driver/test/'));
    assert.deepEqual(forbidden, []);
  });

  it('installs from the tarball here and imports (CJS and ESM); calls reject with ERR_WINSOCK_UNSUPPORTED_PLATFORM', function () {
    this.timeout(120_000);
    const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'wsc-consumer-'));
    try {
      fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
      // The install script (node-gyp-build) runs: no prebuild for this OS, so
      // binding.gyp is configured and builds nothing.
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', TARBALL], { cwd: consumer, stdio: 'pipe' });
      const script = `
        const cjs = require('winsock-connect');
        import('winsock-connect').then(async (esm) => {
          const err = await esm.wsaConnect({ address: '127.0.0.1', port: 9 }).catch((e) => e);
          console.log(JSON.stringify({ same: esm.wsaConnect === cjs.wsaConnect, supported: cjs.isSupported(), code: err.code, name: err.name }));
        });`;
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: consumer, encoding: 'utf8' }));
      assert.deepEqual(out, { same: true, supported: false, code: 'ERR_WINSOCK_UNSUPPORTED_PLATFORM', name: 'WinsockPlatformError' });
    } finally {
      fs.rmSync(consumer, { recursive: true, force: true });
    }
  });

  for (const [arch, format] of Object.entries(PREBUILD_ARCHES)) {
    it(`prebuilds/win32-${arch}: a ${format} DLL exporting napi_register_module_v1, importing only Windows system DLLs`, () => {
      const file = path.join(PACK_DIR, 'package', 'prebuilds', `win32-${arch}`, 'winsock-connect.napi.node');
      const dump = execFileSync('x86_64-w64-mingw32-objdump', ['-p', file], { encoding: 'utf8' });
      assert.match(dump, new RegExp(`file format ${format}$`, 'm'));
      assert.match(dump, /\] napi_register_module_v1$/m);
      const dlls = [...dump.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1].toLowerCase()).sort();
      // No libstdc++/libwinpthread DLLs to ship (-static), and no node.exe import:
      // Node-API is bound as delay imports resolved against the host process.
      assert.deepEqual(dlls, ['advapi32.dll', 'kernel32.dll', 'msvcrt.dll', 'user32.dll', 'ws2_32.dll']);
      assert.ok(fs.readFileSync(file).includes(Buffer.from('node.exe\0')), 'the delay-import names node.exe (the hook maps it to the host)');
    });
  }
});
