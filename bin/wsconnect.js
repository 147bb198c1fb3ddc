#!/usr/bin/env node
'use strict';
// The wsconnect command. Everything lives in cli/ (compiled to dist/cli/);
// this file only finds it.
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write('wsconnect: dist/cli/main.js is missing: run `npm run build` in the winsock-connect checkout\n');
    process.exit(70);
  }
  throw error;
}
cli.runFromProcess();
