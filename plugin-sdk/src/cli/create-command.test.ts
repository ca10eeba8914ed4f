import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateManifest } from '../manifest/validate-manifest';
import type { CliIo } from './cli-command';
import { createPlugin } from './create-command';
import { DEFAULT_REGISTRY_URL, TOOL_VERSIONS } from './plugin-template';
import { runVvPlugin } from './vv-plugin';

const repoRoot = join(__dirname, '..', '..', '..');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const sdkVersion = readJson(join(repoRoot, 'plugin-sdk', 'package.json'))['version'] as string;

describe('createPlugin', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vv-create-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes a plugin folder whose manifest owns one route prefix and whose SDK comes from the registry as tarball URLs', async () => {
    const created = await createPlugin({ id: 'time-tracking', dir: join(root, 'tt'), registry: 'https://mp.example.com/api/v1/marketplace/' });
    expect(created.files).toEqual([
      'plugin.json',
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'jest.config.js',
      'src/index.ts',
      'src/index.test.ts',
      'README.md',
      '.gitignore',
    ]);
    expect(readdirSync(join(root, 'tt')).sort()).toEqual([
      '.gitignore',
      'README.md',
      'jest.config.js',
      'package.json',
      'plugin.json',
      'src',
      'tsconfig.build.json',
      'tsconfig.json',
    ]);
    const manifest = readJson(join(root, 'tt', 'plugin.json'));
    expect(validateManifest(manifest, 'plugin.json').id).toBe('time-tracking');
    expect(manifest).toEqual({
      id: 'time-tracking',
      version: '1.0.0',
      displayName: 'Time Tracking',
      description: 'The Time Tracking plugin',
      kernel: '^1.0.0',
      main: 'dist/index.js',
      routes: ['/time-tracking'],
    });
    const pkg = readJson(join(root, 'tt', 'package.json'));
    expect(pkg).toMatchObject({ name: 'time-tracking', version: '1.0.0', main: 'dist/index.js', scripts: { build: 'tsc -p tsconfig.build.json', test: 'jest' } });
    expect(pkg['dependencies']).toEqual({ '@valueverse/plugin-sdk': `https://mp.example.com/api/v1/marketplace/sdk/valueverse-plugin-sdk-${sdkVersion}.tgz` });
    expect(pkg['devDependencies']).toEqual({
      '@valueverse/plugin-testing': `https://mp.example.com/api/v1/marketplace/sdk/valueverse-plugin-testing-${sdkVersion}.tgz`,
      ...TOOL_VERSIONS,
    });
    expect(readFileSync(join(root, 'tt', 'src', 'index.ts'), 'utf8')).toContain("path: '/time-tracking/hello/:name'");
    expect(readFileSync(join(root, 'tt', '.gitignore'), 'utf8')).toMatch(/^\*\.pem$/m);
  });

  it('defaults to ./<id> and the local host’s registry', async () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const created = await createPlugin({ id: 'hello' });
      expect(created.dir).toBe(join(process.cwd(), 'hello'));
      expect((readJson(join(root, 'hello', 'package.json'))['dependencies'] as Record<string, string>)['@valueverse/plugin-sdk']).toBe(
        `${DEFAULT_REGISTRY_URL}/sdk/valueverse-plugin-sdk-${sdkVersion}.tgz`,
      );
    } finally {
      process.chdir(cwd);
    }
  });

  it('pins the tools this repository builds with, and the testing package that moves with the SDK', () => {
    const rootDevDependencies = readJson(join(repoRoot, 'package.json'))['devDependencies'] as Record<string, string>;
    for (const [name, version] of Object.entries(TOOL_VERSIONS)) expect({ name, version }).toEqual({ name, version: rootDevDependencies[name] });
    expect(readJson(join(repoRoot, 'plugin-testing', 'package.json'))['version']).toBe(sdkVersion);
  });

  it('refuses a bad id, a registry that is not an http(s) base URL, or a folder with files, and writes nothing', async () => {
    await expect(createPlugin({ id: 'Bad_Id', dir: join(root, 'a') })).rejects.toThrow('"Bad_Id" is not a plugin id');
    await expect(createPlugin({ id: 'ok', dir: join(root, 'b'), registry: 'ftp://x/y' })).rejects.toThrow('--registry: "ftp://x/y" must be an http(s) URL');
    await expect(createPlugin({ id: 'ok', dir: join(root, 'c'), registry: 'not a url' })).rejects.toThrow('--registry: "not a url" is not a URL');
    writeFileSync(join(root, 'keep.txt'), 'mine');
    await expect(createPlugin({ id: 'ok', dir: root })).rejects.toThrow('already exists and is not empty');
    expect(readdirSync(root)).toEqual(['keep.txt']);
    expect(['a', 'b', 'c'].some((d) => existsSync(join(root, d)))).toBe(false);
  });

  it('runs as `vv-plugin create <id> [dir] [--registry <url>]`, taking $VV_MARKETPLACE_URL when --registry is not given', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { cwd: root, env: { VV_MARKETPLACE_URL: 'http://10.0.0.5:8080/mp' }, out: (line) => out.push(line), err: (line) => err.push(line) };
    expect(await runVvPlugin(['create', 'greeter', 'plugins/greeter'], io)).toBe(0);
    expect(out.join('\n')).toBe(`created greeter in ${join(root, 'plugins', 'greeter')} (9 files)\nnext:\n  cd plugins/greeter\n  npm install && npm test`);
    expect((readJson(join(root, 'plugins', 'greeter', 'package.json'))['dependencies'] as Record<string, string>)['@valueverse/plugin-sdk']).toBe(
      `http://10.0.0.5:8080/mp/sdk/valueverse-plugin-sdk-${sdkVersion}.tgz`,
    );
    expect(await runVvPlugin(['create', 'other', '--registry', 'https://mp.example.com/r'], io)).toBe(0);
    expect(readFileSync(join(root, 'other', 'package.json'), 'utf8')).toContain('https://mp.example.com/r/sdk/valueverse-plugin-testing-');

    expect(await runVvPlugin(['create'], io)).toBe(2);
    expect(await runVvPlugin(['create', 'x'], io)).toBe(2);
    expect(await runVvPlugin(['create', 'ok-id', 'a', 'b'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/give the plugin id[\s\S]*"x" is not a plugin id[\s\S]*unexpected arguments: b/);
  });
});
