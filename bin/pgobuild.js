#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (built by `npm ci` through the prepare script) for fast start-up.
require('../dist/src/cli/main.js').main(process.argv.slice(2));
