// Lets `node` run the TypeScript benchmarks directly: a require hook compiling .ts with @swc/core (already a dev
// dependency for jest), with the same settings as jest.preset.js. Run node with
// `--conditions=@valueverse/source` so workspace packages resolve to their sources.
const { transformSync } = require('@swc/core');
const Module = require('node:module');
const fs = require('node:fs');

const options = {
  jsc: {
    parser: { syntax: 'typescript' },
    transform: { useDefineForClassFields: false },
    keepClassNames: true,
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
// Node tries extensions in insertion order: put .json and .node after .ts, so `./driver-library` finds
// driver-library.ts rather than the driver-library.json beside it, as TypeScript resolves it.
for (const ext of ['.json', '.node']) {
  const loader = Module._extensions[ext];
  delete Module._extensions[ext];
  Module._extensions[ext] = loader;
}
