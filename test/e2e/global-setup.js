// Names this run's shared end-to-end disk cache (see SHARED_CACHE in harness.ts) before jest
// starts its workers, which inherit the variable; global-teardown.js removes that cache.
// Tests run the CLI in batch mode (no server, as before client/server mode): hundreds of runs in
// temp workspaces must not leave servers behind. test/e2e/server.test.ts turns it off.
module.exports = async function globalSetup() {
  process.env['PGOBUILD_TEST_RUN'] ??= String(process.pid);
  process.env['PGOBUILD_BATCH'] ??= '1';
};
