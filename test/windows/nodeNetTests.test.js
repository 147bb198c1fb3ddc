'use strict';
// Node's own tests for the client side of net (test/parallel, sequential and
// pummel test-net-* files that connect), run unmodified with their require('net')
// pointed at this package's connect, createConnection and Socket
// (test/support/nodeNetShim.js). The suite is Node's test/ tree at the pinned
// version (scripts/lib/config.mjs: NODE_TESTS), provisioned by npm test.
//
// A test applies where Node's own net passes it. When one fails here it is run
// again with Node's own net in this same node.exe: if that fails too, the test
// judges nothing in this cell and is skipped, printing both first errors (the
// v24 suite on Node 22, and Wine's divergences, make such tests); otherwise it
// gets one more run here, and fails unless that passes (printed as a flake).
const assert = require('node:assert/strict');
const { clientTests, runNodeTest, suiteVersion, SUITE } = require('../support/nodeNetTests');
const { skipUnderWine, underWine } = require('../support/wine');

// Where this package differs from net on purpose (README: "createConnection and
// net.connect"): a test of exactly that difference cannot pass and is skipped by name.
const DOCUMENTED_DIFFERENCES = {
  'test-net-socket-transfer-worker.js': 'a socket Node itself makes (here one moved to a worker) is a net.Socket, not a WinsockSocket: `instanceof WinsockSocket` is false for it',
};

/** A failure's first error line (its header: `AssertionError [ERR_ASSERTION]: …`), for the record. */
function firstError(output) {
  return output.split(/\r?\n/).find((line) => /^\s*(?:[A-Za-z]*Error|DOMException)\b[^:]*:/.test(line))?.trim()
    ?? output.split(/\r?\n/).find((line) => line.trim())?.trim() ?? '(no output)';
}

function lastLines(output, count = 30) {
  return output.split(/\r?\n/).filter(Boolean).slice(-count).join('\n');
}

describe(`Node's own net client tests against createConnection (Node ${suiteVersion() ?? 'tests not provisioned'})`, function () {
  this.timeout(240_000);
  const tests = clientTests();

  if (tests.length === 0) {
    it('are provisioned', function () {
      const reason = process.env.WSC_NODE_TESTS_UNAVAILABLE ?? `no Node test suite in ${SUITE} (npm test fetches it)`;
      console.log(`      (skipped: ${reason})`);
      this.skip();
    });
    return;
  }

  for (const test of tests) {
    it(`${test.group}/${test.name}`, async function () {
      if (DOCUMENTED_DIFFERENCES[test.name]) {
        console.log(`      (skipped, a documented difference: ${DOCUMENTED_DIFFERENCES[test.name]})`);
        this.skip();
      }
      if (test.name === 'test-net-write-callbacks.js') skipUnderWine(this, 'largeWriteEmsgsize');
      const ours = await runNodeTest(test);
      if (ours.skipped) {
        console.log(`      (skipped by the test itself: ${ours.skipped})`);
        this.skip();
      }
      if (ours.code === 0) return;
      const nodes = await runNodeTest(test, { withWinsock: false });
      if (nodes.code !== 0) {
        const where = underWine ? 'under this Wine' : 'here';
        const ourError = firstError(ours.output);
        const nodeError = firstError(nodes.output);
        const how = ourError === nodeError ? `the same way: ${nodeError}` : `Node's: ${nodeError}; ours: ${ourError}`;
        console.log(`      (skipped: fails with Node's own net ${where} too, so it judges nothing in this cell; ${how})`);
        this.skip();
      }
      // Node's own CI re-runs a test it knows to be flaky (tools/test.py --flaky-tests);
      // this suite has no such list, so a failure gets one more run with this package:
      // passing then, it is reported as a flake with its first error, never silently.
      const again = await runNodeTest(test);
      if (again.code === 0) {
        console.log(`      (flaky: failed once with this package's net, then passed; the first failure: ${firstError(ours.output)})`);
        return;
      }
      assert.fail(`exit ${ours.code}, then ${again.code}, with this package's net, where Node's own net passes it:\n${lastLines(ours.output)}`);
    });
  }
});
