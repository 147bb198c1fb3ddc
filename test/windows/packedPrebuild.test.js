'use strict';
// The prebuild users get from npm, loaded the way users load it: from the unpacked
// tarball (scripts/test.mjs packs it into .cache/pack/package), with PREBUILDS_ONLY
// so node-gyp-build cannot fall back to a build/ directory, in a fresh node.exe.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const lo = require('../support/loopback');
const { runChildScript } = require('../support/child');
const { underWine } = require('../support/wine');

const PACKED = path.join(__dirname, '..', '..', '.cache', 'pack', 'package');
const PREBUILD = path.join('prebuilds', `win32-${process.arch}`, 'winsock-connect.napi.node');

describe('the shipped prebuild (npm pack, PREBUILDS_ONLY)', function () {
  this.timeout(60_000);
  let server;
  before(async function () {
    if (!underWine) {
      // On Windows a checkout builds with node-gyp into build/Release and has no
      // prebuilds; release.yml's gate loads every prebuild on its own arch there.
      console.log('      (skipped on Windows: a checkout has no prebuilds; release.yml loads each on its own arch)');
      this.skip();
    }
    // Under Wine npm test cross-built and packed it: a missing prebuild is a failure, not a skip.
    assert.ok(fs.existsSync(path.join(PACKED, PREBUILD)), `the packed package lacks ${PREBUILD}`);
    server = await lo.echoServer();
  });
  after(async () => { if (server) await server.close(); });

  it('node-gyp-build resolves the prebuild, and a loopback connect through it carries data', async () => {
    const script = `
      const fs = require('fs');
      const out = process.argv[1];
      const pkg = process.cwd();
      const resolved = require(pkg + '/node_modules/node-gyp-build').path(pkg);
      const api = require(pkg);
      api.wsaConnect({ address: '127.0.0.1', port: ${server.port} }).then((c) => {
        c.socket.once('data', (d) => {
          fs.writeFileSync(out, JSON.stringify({ resolved, echoed: String(d), hasBuildDir: fs.existsSync(pkg + '/build') }));
          c.socket.destroy();
        });
        c.socket.write('from the tarball');
      }, (e) => fs.writeFileSync(out, JSON.stringify({ resolved, error: e.message })));`;
    const result = await runChildScript(script, { cwd: PACKED, env: { ...process.env, PREBUILDS_ONLY: '1' } });
    assert.equal(result.error, undefined);
    assert.equal(path.relative(PACKED, result.resolved), PREBUILD);
    assert.equal(result.echoed, 'from the tarball');
    assert.equal(result.hasBuildDir, false, 'nothing was built: the tarball carries the binary');
  });
});
