#!/usr/bin/env node
'use strict';
// The `vv-plugin` command of @valueverse/plugin-sdk. It runs the compiled SDK (dist/), which `npm ci`/`npm install`
// builds at the repository root (the `prepare` script) and which the published SDK tarball contains.
const { join } = require('node:path');

let cli;
try {
  cli = require(join(__dirname, '..', 'dist', 'cli', 'vv-plugin.js'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('vv-plugin.js')) {
    process.stderr.write('vv-plugin: the SDK is not built (no dist/cli/vv-plugin.js); run `npm run build` at the repository root.\n');
    process.exit(1);
  }
  throw error;
}
cli.runVvPlugin(process.argv.slice(2), cli.processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`vv-plugin: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
