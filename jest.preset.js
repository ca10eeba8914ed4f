// Shared jest settings for every workspace project (docs/stack.md "Module system and tests").
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript' },
      transform: { useDefineForClassFields: false },
      keepClassNames: true,
      target: 'es2022',
    },
    module: { type: 'commonjs', ignoreDynamic: false },
    sourceMaps: 'inline',
  },
];

function project(displayName, rootDir, extra = {}) {
  return {
    displayName,
    rootDir,
    testEnvironment: 'node',
    transform: { '^.+\\.(t|j|mj|cj)s$': swc },
    transformIgnorePatterns: ['/node_modules/(?!(emittery|@electric-sql/pglite|jose|@noble/hashes|@scure/base)/)'],
    testEnvironmentOptions: { customExportConditions: ['@valueverse/source', 'node', 'node-addons'] },
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
    ...extra,
  };
}

module.exports = { project };
