// Jest preset for a ValueVerse plugin's tests: `module.exports = { preset: '@valueverse/plugin-testing' }` in the
// plugin's jest.config.js (or `"jest": { "preset": "@valueverse/plugin-testing" }` in package.json) is all the
// configuration a plugin needs.
//
// - TypeScript (and JavaScript) is compiled with @swc/jest, with legacy decorators and decorator metadata as
//   MikroORM entities written with decorators need, and class fields assigned in constructors
//   (useDefineForClassFields false), as the kernel and first-party plugins are compiled.
// - transformIgnorePatterns: jest's own module system cannot load ECMAScript modules without
//   --experimental-vm-modules, and the packages the kernel loads that ship only ESM: emittery (the event bus),
//   @electric-sql/pglite (the embedded PostgreSQL), jose (token signing), and @noble/hashes and @scure/base (otplib's
//   HMAC and base32, for second factors). They are compiled to CommonJS like the
//   plugin's own code; every other package in node_modules is left alone, as jest does by default.
const swc = [
  require.resolve('@swc/jest'),
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      target: 'es2022',
    },
    module: { type: 'commonjs', ignoreDynamic: false },
    sourceMaps: 'inline',
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj|cj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(emittery|@electric-sql/pglite|jose|@noble/hashes|@scure/base)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
