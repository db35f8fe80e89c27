// Names this run's shared end-to-end disk cache (see SHARED_CACHE in harness.ts) before jest
// starts its workers, which inherit the variable; global-teardown.js removes that cache.
module.exports = async function globalSetup() {
  process.env['PGOBUILD_TEST_RUN'] ??= String(process.pid);
};
