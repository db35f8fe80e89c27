// Loaded with `node --require` in front of the CLI by test/cli/usage.test.ts: counts the calls of
// string-width, which cliui uses to lay out yargs' help text, and prints the count to stderr at
// exit. A command that does not show help should not pay for laying it out.
const Module = require('node:module');

const load = Module._load;
let calls = 0;
Module._load = function (request) {
  const exported = load.apply(this, arguments);
  if (request !== 'string-width' || typeof exported !== 'function') return exported;
  return function countedStringWidth(...args) {
    calls++;
    return exported.apply(this, args);
  };
};
process.on('exit', () => {
  process.stderr.write(`string-width calls: ${calls}\n`);
});
