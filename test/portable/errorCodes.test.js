'use strict';
// Each error code is described once, in lib/errors/<family>.codes.json; the enums and
// message tables in lib/errors/<family>.ts are generated from it by the build. This
// fails when a generated file and its data disagree (a hand edit, or data changed
// without a build).
const assert = require('node:assert/strict');
const fs = require('node:fs');

describe('error codes are described once (lib/errors/*.codes.json)', () => {
  let errorModules;
  let nodeErrorsDoc;
  before(async () => {
    ({ errorModules, nodeErrorsDoc } = await import('../../scripts/lib/errorCodes.mjs'));
  });

  it('docs/node-errors.md shows the Winsock → Node code table the data holds (libuv\'s translation)', () => {
    const { file, text } = nodeErrorsDoc();
    assert.equal(fs.readFileSync(file, 'utf8'), text, file);
    const { WSA_TO_LIBUV } = require('../../dist/errors/wsa.js');
    assert.equal(WSA_TO_LIBUV[10061], 'ECONNREFUSED');
    assert.equal(WSA_TO_LIBUV[10060], 'ETIMEDOUT');
    assert.equal(WSA_TO_LIBUV[11001], 'ENOENT', 'libuv: WSAHOST_NOT_FOUND is ENOENT');
    assert.equal(WSA_TO_LIBUV[10109], undefined, 'a code libuv does not list is UNKNOWN');
    for (const [errno, code] of Object.entries(WSA_TO_LIBUV)) assert.match(text, new RegExp(`\\| ${errno} \\| \`${code}\``));
  });

  it('lib/errors/wsa.ts, ntstatus.ts and win32.ts are what their data generates', () => {
    for (const [file, text] of Object.entries(errorModules())) assert.equal(fs.readFileSync(file, 'utf8'), text, file);
  });

  it('every enum member is documented with its message, and every NTSTATUS mapping names a real WsaError', () => {
    const api = require('../../dist/errors.js');
    for (const [file, text] of Object.entries(errorModules())) {
      const members = [...text.matchAll(/^ {2}\/\*\* (\S+) — (.+) \*\/\n {2}(\w+) = /gm)];
      assert.ok(members.length > 10, `${file} has documented members`);
    }
    for (const entry of JSON.parse(fs.readFileSync(require.resolve('../../lib/errors/ntstatus.codes.json'), 'utf8'))) {
      if (entry.wsa) assert.equal(typeof api.WsaError[entry.wsa], 'number', `${entry.name} maps to ${entry.wsa}`);
    }
  });
});
