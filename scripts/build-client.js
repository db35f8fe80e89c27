#!/usr/bin/env node
'use strict';
// Builds the native client (client/, Go) into dist/pgobuild-client for this installation: the
// package directory, this Node binary and version, and the stat signatures of the entry points
// tsc just wrote (`npm run build` runs this after tsc). bin/pgobuild runs it when it is there: it
// forwards a command to a running server without starting Node. Without Go, or if the build
// fails, there is no native client and bin/pgobuild runs the Node client: a warning, not an error.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { PKG, installation } = require('../bin/pgobuild.js');

const out = path.join(PKG, 'dist', 'pgobuild-client');
fs.rmSync(out, { force: true });
const values = {
  pkgDir: PKG,
  nodePath: process.execPath,
  nodeVersion: process.version,
  builtAgainst: installation().signatures.join('|'),
};
if (Object.values(values).some((v) => /['"\s\\]/.test(v))) {
  process.stderr.write(
    `pgobuild: no native client (a path has quotes or spaces: ${PKG}, ${process.execPath})\n`,
  );
  process.exit(0);
}
const ldflags = Object.entries(values)
  .map(([name, value]) => `-X main.${name}=${value}`)
  .join(' ');
try {
  execFileSync('go', ['build', '-trimpath', '-ldflags', `-s -w ${ldflags}`, '-o', out, '.'], {
    cwd: path.join(PKG, 'client'),
    env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '', GOWORK: 'off' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
} catch (e) {
  fs.rmSync(out, { force: true });
  process.stderr.write(
    `pgobuild: no native client (go build failed: ${e.message}); bin/pgobuild runs Node's\n`,
  );
}
