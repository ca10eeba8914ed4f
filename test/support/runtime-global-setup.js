// jest globalSetup (jest.config.js): prints, from inside the test process, which Node runs the suites, so every
// `npm test` and `.ci/run` log shows it (issue #12; docs/stack.md "Runtime"). test/runtime/runtime.test.ts asserts it.
module.exports = async function printRuntime() {
  process.stdout.write(`\nruntime: node ${process.version} (${process.execPath})\n`);
};
