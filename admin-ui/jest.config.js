// The admin-ui jest project (run from the root `npm test` through the root jest.config.js `projects`).
// jest-preset-angular's CommonJS preset compiles Angular's partial-Ivy packages and our components for jsdom;
// the app is zoneless, so the environment is set up with setupZonelessTestEnv (src/test-setup.ts).
const { createCjsPreset } = require('jest-preset-angular/presets');

module.exports = {
  ...createCjsPreset(),
  displayName: 'admin-ui',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
