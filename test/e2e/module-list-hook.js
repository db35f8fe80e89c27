// Loaded with `node --require` in front of the CLI by test/e2e/startup-modules.test.ts: at exit,
// writes every CommonJS module the process loaded, one absolute path a line, to the file named by
// PGOBUILD_TEST_MODULE_LIST. That is how the test sees what a command paid to load.
const fs = require('node:fs');

const out = process.env['PGOBUILD_TEST_MODULE_LIST'];
if (out !== undefined && out !== '') {
  process.on('exit', () => {
    fs.writeFileSync(out, `${Object.keys(require.cache).join('\n')}\n`);
  });
}
