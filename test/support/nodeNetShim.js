'use strict';
// Preloaded (--require) into each of Node's own net tests: the test file's own
// require('net') gets Node's net with connect, createConnection and Socket taken
// from this package, the one change a user makes. test/common, Node's internals
// and every server keep Node's net.
const Module = require('node:module');
const net = require('node:net');
const path = require('node:path');
const winsock = require(path.join(__dirname, '..', '..', 'dist', 'index.js'));

const TEST_DIRS = ['parallel', 'sequential', 'pummel'].map((dir) => `${path.sep}test${path.sep}${dir}${path.sep}`);
const underTest = {
  ...net,
  connect: winsock.connect,
  createConnection: winsock.createConnection,
  Socket: winsock.WinsockSocket,
  Stream: winsock.WinsockSocket,
};

const load = Module._load;
Module._load = function loadWithNetUnderTest(request, parent, ...rest) {
  const fromTestFile = parent?.filename && TEST_DIRS.some((dir) => parent.filename.includes(dir));
  if (fromTestFile && (request === 'net' || request === 'node:net')) return underTest;
  return load.call(this, request, parent, ...rest);
};
