import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { WorkspaceSdkTarballs } from './workspace-sdk-tarballs';
import { readTarball, removeTrees, writeTree } from './__fixtures__/sdk-test-workspace';

const R = 'http://127.0.0.1:4321/api/v1/marketplace';

/** A workspace shaped like this repository's: the SDK, a testing package, a kernel, and plugins with and without `./api`. */
function workspace(): string {
  const lib = (name: string, extra: object) => ({
    name,
    version: '0.1.0',
    license: 'UNLICENSED',
    type: 'commonjs',
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    scripts: { build: 'tsc' },
    exports: { '.': { '@valueverse/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } },
    ...extra,
  });
  return writeTree({
    'package.json': { name: 'ws', private: true, workspaces: ['libs/*', 'plugins/*'] },
    'libs/sdk/package.json': lib('@valueverse/plugin-sdk', {
      bin: { 'vv-plugin': 'dist/cli/main.js' },
      dependencies: { ajv: '8.20.0' },
      devDependencies: { '@types/semver': '7.8.0' },
    }),
    'libs/sdk/src/index.ts': 'export const a = 1;\n',
    'libs/sdk/dist/index.js': 'exports.a = 1;\n',
    'libs/sdk/dist/index.d.ts': 'export declare const a = 1;\n',
    'libs/sdk/dist/index.js.map': '{}',
    'libs/sdk/dist/index.test.js': 'test();\n',
    'libs/sdk/dist/.tsbuildinfo': '{}',
    'libs/sdk/dist/cli/main.js': '#!/usr/bin/env node\n',
    'libs/testing/package.json': lib('@valueverse/plugin-testing', {
      files: ['dist', '!dist/**/*.test.*', 'jest-preset.js'],
      dependencies: { '@valueverse/plugin-sdk': '0.1.0', '@valueverse/kernel': '0.1.0', '@swc/jest': '0.2.39' },
      peerDependencies: { jest: '>=30.0.0 <31' },
    }),
    'libs/testing/dist/index.js': '',
    'libs/testing/dist/index.d.ts': '',
    'libs/testing/jest-preset.js': 'module.exports = {};\n',
    'libs/kernel/package.json': lib('@valueverse/kernel', {
      exports: {
        '.': { '@valueverse/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
        './testing': { '@valueverse/source': './src/testing.ts' },
      },
      dependencies: { '@valueverse/plugin-sdk': '0.1.0', tsyringe: '4.10.0' },
      devDependencies: { '@valueverse/plugin-testing': '0.1.0' },
    }),
    'libs/kernel/dist/index.js': '',
    'libs/kernel/dist/index.d.ts': '',
    'libs/host/package.json': lib('@valueverse/host', { dependencies: { '@valueverse/kernel': '0.1.0' } }),
    'libs/host/dist/index.js': '',
    'plugins/alpha/package.json': {
      name: '@valueverse/plugin-alpha',
      version: '1.0.0',
      license: 'UNLICENSED',
      exports: {
        '.': { '@valueverse/source': './src/index.ts', default: './dist/index.js' },
        './api': { '@valueverse/source': './src/alpha-api.ts', types: './dist/alpha-api.d.ts', default: './dist/alpha-api.js' },
      },
      dependencies: { '@valueverse/plugin-sdk': '0.1.0', 'csv-parse': '7.0.3' },
      devDependencies: { '@valueverse/plugin-testing': '0.1.0' },
    },
    'plugins/alpha/plugin.json': { id: 'alpha', version: '1.0.0' },
    'plugins/alpha/dist/alpha-api.js': 'const sdk = require("@valueverse/plugin-sdk");\nexports.alphaRef = sdk.createServiceRef({ id: "alpha" });\n',
    'plugins/alpha/dist/alpha-api.d.ts': 'import type { Model } from \'./model/model\';\nexport declare const alphaRef: import("@valueverse/plugin-sdk").ServiceRef<Model>;\n',
    'plugins/alpha/dist/model/model.d.ts': 'export interface Model { id: string }\n',
    'plugins/alpha/dist/model/model.js': 'require("csv-parse");\n',
    'plugins/alpha/dist/index.js': 'require("./model/model");\n',
    'plugins/gamma/package.json': {
      name: '@valueverse/plugin-gamma',
      version: '1.2.0',
      exports: { './api': { types: './dist/gamma-api.d.ts', default: './dist/gamma-api.js' } },
      dependencies: { '@valueverse/plugin-sdk': '0.1.0', '@valueverse/plugin-alpha': '1.0.0', '@mikro-orm/core': '6.6.16' },
    },
    'plugins/gamma/plugin.json': { id: 'gamma', version: '1.2.0' },
    'plugins/gamma/dist/gamma-api.js': 'require("@valueverse/plugin-sdk");\n',
    'plugins/gamma/dist/gamma-api.d.ts': "import type { Model } from '@valueverse/plugin-alpha/api';\nexport type Gamma = Model;\n",
    'plugins/beta/package.json': { name: '@valueverse/plugin-beta', version: '1.0.0', main: 'dist/index.js' },
    'plugins/beta/plugin.json': { id: 'beta', version: '1.0.0' },
  });
}

async function packageJson(sdk: WorkspaceSdkTarballs, file: string, base = R): Promise<Record<string, unknown>> {
  const entries = await readTarball((await sdk.get(file, base))!);
  return JSON.parse(entries.get('package/package.json')!.text) as Record<string, unknown>;
}

describe('WorkspaceSdkTarballs', () => {
  afterAll(removeTrees);

  it('lists the SDK, the testing package, the workspace packages they need at run time and the plugins with an ./api export, as URLs under R/sdk', async () => {
    const sdk = WorkspaceSdkTarballs.fromWorkspace(workspace());
    expect(await sdk.list(`${R}/`)).toEqual([
      { name: '@valueverse/plugin-sdk', version: '0.1.0', url: `${R}/sdk/valueverse-plugin-sdk-0.1.0.tgz` },
      { name: '@valueverse/plugin-testing', version: '0.1.0', url: `${R}/sdk/valueverse-plugin-testing-0.1.0.tgz` },
      { name: '@valueverse/kernel', version: '0.1.0', url: `${R}/sdk/valueverse-kernel-0.1.0.tgz` },
      { name: '@valueverse/plugin-alpha', version: '1.0.0', url: `${R}/sdk/valueverse-plugin-alpha-1.0.0.tgz` },
      { name: '@valueverse/plugin-gamma', version: '1.2.0', url: `${R}/sdk/valueverse-plugin-gamma-1.2.0.tgz` },
    ]);
  });

  it('ships a library built: dist/ without tests, maps or build state, its files and bin; package.json without scripts, devDependencies or source conditions', async () => {
    const sdk = WorkspaceSdkTarballs.fromWorkspace(workspace());
    const entries = await readTarball((await sdk.get('valueverse-plugin-sdk-0.1.0.tgz', R))!);
    expect([...entries.keys()]).toEqual(['package/package.json', 'package/dist/cli/main.js', 'package/dist/index.d.ts', 'package/dist/index.js']);
    expect(entries.get('package/dist/cli/main.js')!.mode).toBe(0o755);
    expect(JSON.parse(entries.get('package/package.json')!.text)).toEqual({
      name: '@valueverse/plugin-sdk',
      version: '0.1.0',
      license: 'UNLICENSED',
      type: 'commonjs',
      main: 'dist/index.js',
      types: 'dist/index.d.ts',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      bin: { 'vv-plugin': 'dist/cli/main.js' },
      dependencies: { ajv: '8.20.0' },
    });
    const testing = await readTarball((await sdk.get('valueverse-plugin-testing-0.1.0.tgz', R))!);
    expect([...testing.keys()]).toEqual(['package/package.json', 'package/dist/index.d.ts', 'package/dist/index.js', 'package/jest-preset.js']);
  });

  it('points every @valueverse dependency at its sibling tarball under the base URL asked for, and keeps third-party versions', async () => {
    const sdk = WorkspaceSdkTarballs.fromWorkspace(workspace());
    expect(await packageJson(sdk, 'valueverse-plugin-testing-0.1.0.tgz')).toMatchObject({
      dependencies: { '@valueverse/plugin-sdk': `${R}/sdk/valueverse-plugin-sdk-0.1.0.tgz`, '@valueverse/kernel': `${R}/sdk/valueverse-kernel-0.1.0.tgz`, '@swc/jest': '0.2.39' },
      peerDependencies: { jest: '>=30.0.0 <31' },
    });
    const kernel = await packageJson(sdk, 'valueverse-kernel-0.1.0.tgz', 'https://registry.example.com/mp');
    // ./testing exists only as TypeScript source in the workspace, so an installed kernel does not offer it.
    expect(kernel).toEqual(expect.objectContaining({ exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } }));
    expect(kernel['dependencies']).toEqual({ '@valueverse/plugin-sdk': 'https://registry.example.com/mp/sdk/valueverse-plugin-sdk-0.1.0.tgz', tsyringe: '4.10.0' });
    expect(kernel).not.toHaveProperty('devDependencies');
  });

  it("ships a plugin's API entry with the declarations it reaches and plugin.json, and no implementation; its dependencies are what those files import", async () => {
    const sdk = WorkspaceSdkTarballs.fromWorkspace(workspace());
    const alpha = await readTarball((await sdk.get('valueverse-plugin-alpha-1.0.0.tgz', R))!);
    expect([...alpha.keys()]).toEqual(['package/package.json', 'package/dist/alpha-api.d.ts', 'package/dist/alpha-api.js', 'package/dist/model/model.d.ts', 'package/plugin.json']);
    expect(JSON.parse(alpha.get('package/package.json')!.text)).toEqual({
      name: '@valueverse/plugin-alpha',
      version: '1.0.0',
      description: 'Public API of the alpha plugin: its service refs and types, without implementation',
      license: 'UNLICENSED',
      type: 'commonjs',
      exports: { './api': { types: './dist/alpha-api.d.ts', default: './dist/alpha-api.js' }, './plugin.json': './plugin.json', './package.json': './package.json' },
      dependencies: { '@valueverse/plugin-sdk': `${R}/sdk/valueverse-plugin-sdk-0.1.0.tgz` },
    });
    expect((await packageJson(sdk, 'valueverse-plugin-gamma-1.2.0.tgz'))['dependencies']).toEqual({
      '@valueverse/plugin-alpha': `${R}/sdk/valueverse-plugin-alpha-1.0.0.tgz`,
      '@valueverse/plugin-sdk': `${R}/sdk/valueverse-plugin-sdk-0.1.0.tgz`,
    });
  });

  it('answers undefined for a file it does not serve, and the same bytes for the same base URL while its cache turns over', async () => {
    const sdk = new WorkspaceSdkTarballs({ ...optionsOf(workspace()), cacheSize: 1 });
    expect(await sdk.get('valueverse-host-0.1.0.tgz', R)).toBeUndefined();
    expect(await sdk.get('../package.json', R)).toBeUndefined();
    const first = (await sdk.get('valueverse-kernel-0.1.0.tgz', R))!;
    const other = (await sdk.get('valueverse-kernel-0.1.0.tgz', 'http://other/mp'))!;
    expect(other.equals(first)).toBe(false);
    expect((await sdk.get('valueverse-kernel-0.1.0.tgz', R))!.equals(first)).toBe(true);
  });

  it('refuses, naming the package, a workspace whose build is missing or whose API imports an undeclared package', async () => {
    const unbuilt = workspace();
    rmSync(join(unbuilt, 'libs/kernel/dist'), { recursive: true });
    await expect(WorkspaceSdkTarballs.fromWorkspace(unbuilt).list(R)).rejects.toThrow(
      /@valueverse\/kernel: dist does not exist in .*; build the workspace first \(npx tsc -b tsconfig.build.json\)/,
    );
    const undeclared = writeTree({
      'package.json': { name: 'ws', workspaces: ['sdk', 'testing', 'p'] },
      'sdk/package.json': { name: '@valueverse/plugin-sdk', version: '0.1.0' },
      'sdk/dist/index.js': '',
      'testing/package.json': { name: '@valueverse/plugin-testing', version: '0.1.0' },
      'testing/dist/index.js': '',
      'p/package.json': { name: '@valueverse/plugin-p', version: '1.0.0', exports: { './api': { types: './dist/api.d.ts', default: './dist/api.js' } } },
      'p/plugin.json': {},
      'p/dist/api.js': 'require("lodash");\n',
      'p/dist/api.d.ts': '',
    });
    await expect(WorkspaceSdkTarballs.fromWorkspace(undeclared).list(R)).rejects.toThrow(
      '@valueverse/plugin-p: its API files import lodash, which its package.json does not list in dependencies',
    );
  });
});

function optionsOf(root: string): { libraries: string[]; plugins: string[] } {
  return { libraries: ['libs/sdk', 'libs/testing', 'libs/kernel'].map((d) => join(root, d)), plugins: ['plugins/alpha', 'plugins/gamma'].map((d) => join(root, d)) };
}
