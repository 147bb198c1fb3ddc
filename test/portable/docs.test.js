'use strict';
// `npm run docs` (TypeDoc over lib/index.ts into docs/api) must keep working: every
// link in a doc comment resolves and nothing public refers to an unexported type.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');

describe('API reference (npm run docs)', () => {
  it('TypeDoc builds docs/api from the TypeScript with no warnings', function () {
    this.timeout(120_000);
    // typedoc.json sets treatWarningsAsErrors: a broken {@link} or a leaked internal type fails here.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc')], { cwd: ROOT, stdio: 'pipe' });
    const index = fs.readFileSync(path.join(ROOT, 'docs', 'api', 'index.html'), 'utf8');
    for (const name of ['connectByName', 'connectByList', 'wsaConnect', 'WinsockError', 'WsaError', 'WskDriver']) {
      assert.match(index, new RegExp(`>${name}<`), `${name} is in the reference`);
    }
  });
});
