import { moduleClosure } from './module-closure';
import { removeTrees, writeTree } from './__fixtures__/sdk-test-workspace';

describe('moduleClosure', () => {
  afterAll(removeTrees);

  it('follows relative requires through .js files and type imports through .d.ts files, and names the packages they import', () => {
    const dir = writeTree({
      'dist/api.js': `"use strict";\nconst sdk = require("@valueverse/plugin-sdk");\nconst schema = require("./http/schema");\nconst fs = require("node:fs");\nconst path = require("path");\n`,
      'dist/http/schema.js': `const model = require("../model");\n`,
      'dist/model/index.js': `module.exports = {};\n`,
      'dist/api.d.ts': `import type { Model } from './model';\nexport declare const ref: import("@valueverse/plugin-sdk").ServiceRef<Model>;\nexport type { Other } from "@scope/other/sub";\n`,
      'dist/model/index.d.ts': `/// <reference path="globals.d.ts" />\nexport interface Model { a: number }\n`,
      'dist/model/globals.d.ts': `declare const x: number;\n`,
      'dist/unused.js': `require("left-pad");\n`,
    });
    expect(moduleClosure(dir, ['dist/api.js', 'dist/api.d.ts'])).toEqual({
      files: ['dist/api.d.ts', 'dist/api.js', 'dist/http/schema.js', 'dist/model/globals.d.ts', 'dist/model/index.d.ts', 'dist/model/index.js'],
      packages: ['@scope/other', '@valueverse/plugin-sdk'],
    });
  });

  it('does not take imports quoted in comments for imports', () => {
    const dir = writeTree({
      'dist/api.d.ts': `/** Rates read from 'excel' (see "./nowhere"); import("ghost") */\n// const x = require("phantom");\nexport declare const url = "http://example.com/a'b";\nexport type { A } from './a';\n`,
      'dist/a.d.ts': `export type A = 1;\n`,
    });
    expect(moduleClosure(dir, ['dist/api.d.ts'])).toEqual({ files: ['dist/a.d.ts', 'dist/api.d.ts'], packages: [] });
  });

  it('refuses a relative import that names no file or leaves the package, naming the importing file', () => {
    const missing = writeTree({ 'dist/api.js': `require("./gone");\n` });
    expect(() => moduleClosure(missing, ['dist/api.js'])).toThrow(/dist\/api\.js: import '\.\/gone' does not resolve/);
    const outside = writeTree({ 'pkg/dist/api.js': `require("../../other");\n`, 'other.js': '' });
    expect(() => moduleClosure(`${outside}/pkg`, ['dist/api.js'])).toThrow(/import '\.\.\/\.\.\/other' does not resolve to a file inside/);
  });
});
