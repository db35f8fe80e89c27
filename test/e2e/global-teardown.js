// Removes the disk cache the end-to-end tests of this run shared (see SHARED_CACHE in harness.ts
// and global-setup.js, which named it).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalTeardown() {
  fs.rmSync(
    path.join(os.tmpdir(), `pgobuild-e2e-cache-${process.env['PGOBUILD_TEST_RUN'] ?? process.pid}`),
    {
      recursive: true,
      force: true,
    },
  );
};
