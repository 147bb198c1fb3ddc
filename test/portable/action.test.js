'use strict';
// action.yml, the composite GitHub Action: its inputs and outputs line up, and the
// fields it reads from wsconnect's JSON result line are the ones the CLI writes.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const { outcomeJsonLines } = require('../../dist/cli/output.js');

const ACTION = YAML.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'action.yml'), 'utf8'));
const STEP = ACTION.runs.steps.find((s) => s.id === 'wait');

describe('action.yml (wsconnect --wait as a GitHub Action)', () => {
  it('is a composite action whose step reads every input and sets every output', () => {
    assert.equal(ACTION.runs.using, 'composite');
    for (const input of Object.keys(ACTION.inputs)) {
      assert.ok(Object.values(STEP.env).includes(`\${{ inputs.${input} }}`), `input ${input} reaches the step`);
    }
    for (const [name, output] of Object.entries(ACTION.outputs)) {
      assert.equal(output.value, `\${{ steps.wait.outputs.${name} }}`);
      assert.match(STEP.run, new RegExp(`"${name}=`), `the step writes ${name}`);
    }
    assert.match(STEP.run, /--wait \$env:WSC_TIMEOUT --interval \$env:WSC_INTERVAL --json/);
  });

  it("reads the fields wsconnect's JSON result line has", () => {
    const [line] = outcomeJsonLines({
      function: 'wsaConnect', target: '127.0.0.1:80', syscall: 'WSAConnect', protocol: 'tcp',
      local: { address: '127.0.0.1', family: 'IPv4', port: 50000 }, remote: { address: '127.0.0.1', family: 'IPv4', port: 80 }, elapsedMs: 1.5,
    });
    const result = JSON.parse(line);
    for (const field of ['event', 'ok', 'syscall', 'elapsedMs']) {
      assert.ok(field in result, `the result line has ${field}`);
      assert.match(STEP.run, new RegExp(`\\.${field}\\b`), `the action reads ${field}`);
    }
    assert.equal(result.event, 'result');
    assert.deepEqual([result.local.address, result.local.port, result.remote.address, result.remote.port], ['127.0.0.1', 50000, '127.0.0.1', 80]);
    assert.match(STEP.run, /\$result\.local\.address\):\$\(\$result\.local\.port\)/);
  });
});
