import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { VvError, isVvPlugin } from '@valueverse/plugin-sdk';
import { discoverPlugins, loadPluginModule } from './plugin-discovery';

const SDK_PACKAGE = join(__dirname, '..', '..', '..', 'plugin-sdk');

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vv-discovery-'));
  // Fixture plugins `require('@valueverse/plugin-sdk')` like real ones; under jest it resolves to the SDK source.
  mkdirSync(join(root, 'node_modules', '@valueverse'), { recursive: true });
  symlinkSync(SDK_PACKAGE, join(root, 'node_modules', '@valueverse', 'plugin-sdk'), 'dir');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(path: string, text: string): string {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

function manifest(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id, version: '1.0.0', displayName: id, kernel: '^1.0.0', main: 'dist/index.js', ...extra });
}

const pluginSource = (name: string): string => `
const { definePlugin, coreServices } = require('@valueverse/plugin-sdk');
exports.plugin = definePlugin({ deps: { logger: coreServices.logger }, setup() { globalThis.__vvSetUp = '${name}'; } });
`;

describe('discoverPlugins', () => {
  it('finds the plugin folders of each dir, by name, with absolute entries', async () => {
    write('first/beta/plugin.json', manifest('beta'));
    write('first/alpha/plugin.json', manifest('alpha', { main: 'lib/main.cjs' }));
    write('second/gamma/plugin.json', manifest('gamma'));
    const found = await discoverPlugins([join(root, 'first'), join(root, 'second')]);
    expect(found.map((p) => [p.dir, p.manifest?.id, p.entry, p.error])).toEqual([
      [join(root, 'first/alpha'), 'alpha', join(root, 'first/alpha/lib/main.cjs'), undefined],
      [join(root, 'first/beta'), 'beta', join(root, 'first/beta/dist/index.js'), undefined],
      [join(root, 'second/gamma'), 'gamma', join(root, 'second/gamma/dist/index.js'), undefined],
    ]);
  });

  it('resolves relative dirs against the working directory', async () => {
    write('plugins/alpha/plugin.json', manifest('alpha'));
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const [alpha] = await discoverPlugins(['plugins']);
      expect(alpha.dir).toBe(join(root, 'plugins/alpha'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('prefers src/index.ts when asked and it exists, else uses main', async () => {
    write('plugins/alpha/plugin.json', manifest('alpha'));
    write('plugins/alpha/src/index.ts', 'export {};');
    write('plugins/beta/plugin.json', manifest('beta'));
    const [alpha, beta] = await discoverPlugins([join(root, 'plugins')], { preferSource: true });
    expect(alpha.entry).toBe(join(root, 'plugins/alpha/src/index.ts'));
    expect(beta.entry).toBe(join(root, 'plugins/beta/dist/index.js'));
    const [built] = await discoverPlugins([join(root, 'plugins')]);
    expect(built.entry).toBe(join(root, 'plugins/alpha/dist/index.js'));
  });

  it('skips folders without plugin.json, plain files, hidden folders and missing dirs', async () => {
    write('plugins/alpha/plugin.json', manifest('alpha'));
    write('plugins/README.md', '# plugins');
    write('plugins/not-a-plugin/package.json', '{}');
    write('plugins/.cache/plugin.json', manifest('cache'));
    const found = await discoverPlugins([join(root, 'plugins'), join(root, 'does-not-exist')]);
    expect(found.map((p) => p.manifest?.id)).toEqual(['alpha']);
  });

  it('follows a symlinked plugin folder', async () => {
    write('elsewhere/alpha/plugin.json', manifest('alpha'));
    mkdirSync(join(root, 'plugins'));
    symlinkSync(join(root, 'elsewhere/alpha'), join(root, 'plugins/alpha'), 'dir');
    const [alpha] = await discoverPlugins([join(root, 'plugins')]);
    expect(alpha.manifest?.id).toBe('alpha');
  });

  it('reports invalid JSON at the root pointer with the parse message', async () => {
    write('plugins/alpha/plugin.json', '{ "id": "alpha", }');
    const [alpha] = await discoverPlugins([join(root, 'plugins')]);
    expect(alpha.manifest).toBeUndefined();
    expect(alpha.entry).toBe('');
    expect(alpha.error).toBeInstanceOf(VvError);
    expect(alpha.error?.code).toBe('VV_MANIFEST_INVALID');
    expect(alpha.error?.errors).toEqual([{ pointer: '', in: 'manifest', message: expect.stringMatching(/^is not valid JSON: .*JSON/) }]);
    expect(alpha.error?.message).toContain(join(root, 'plugins/alpha/plugin.json'));
  });

  it('reports an unreadable plugin.json at the root pointer', async () => {
    mkdirSync(join(root, 'plugins/alpha/plugin.json'), { recursive: true }); // a folder: reading it fails with EISDIR
    const [alpha] = await discoverPlugins([join(root, 'plugins')]);
    expect(alpha.error?.code).toBe('VV_MANIFEST_INVALID');
    expect(alpha.error?.errors[0]).toEqual(expect.objectContaining({ pointer: '', message: expect.stringMatching(/^cannot read plugin.json: .*EISDIR/) }));
  });

  it('accepts a byte-order mark', async () => {
    write('plugins/alpha/plugin.json', `\uFEFF${manifest('alpha')}`);
    const [alpha] = await discoverPlugins([join(root, 'plugins')]);
    expect(alpha.manifest?.id).toBe('alpha');
  });

  it('reports schema problems from the validator with their pointers', async () => {
    write('plugins/alpha/plugin.json', manifest('alpha', { version: 'one', colour: 'red' }));
    const [alpha] = await discoverPlugins([join(root, 'plugins')]);
    expect(alpha.error?.errors.map((e) => e.pointer)).toEqual(['/colour', '/version']);
    expect(alpha.error?.params.plugin).toBe('alpha');
  });

  it('keeps the first plugin of an id and reports the later one naming both folders', async () => {
    write('first/alpha/plugin.json', manifest('alpha'));
    write('second/alpha-copy/plugin.json', manifest('alpha', { version: '2.0.0' }));
    write('second/beta/plugin.json', manifest('beta'));
    const [first, copy, beta] = await discoverPlugins([join(root, 'first'), join(root, 'second')]);
    expect(first.manifest?.version).toBe('1.0.0');
    expect(beta.manifest?.id).toBe('beta');
    expect(copy.manifest).toBeUndefined();
    expect(copy.error?.code).toBe('VV_MANIFEST_INVALID');
    expect(copy.error?.params.plugin).toBe('alpha');
    const [problem] = copy.error!.errors;
    expect(problem.pointer).toBe('/id');
    expect(problem.message).toContain(join(root, 'first/alpha'));
    expect(problem.message).toContain(join(root, 'second/alpha-copy'));
  });

  it('refuses a plugins path that is not a directory', async () => {
    write('plugins', 'a file');
    await expect(discoverPlugins([join(root, 'plugins')])).rejects.toMatchObject({ code: 'VV_CONFIG_INVALID' });
  });
});

describe('loadPluginModule', () => {
  it('returns the `plugin` export of a JavaScript module', async () => {
    write('plugins/alpha/plugin.json', manifest('alpha'));
    write('plugins/alpha/dist/index.js', pluginSource('alpha'));
    const [alpha] = await discoverPlugins([join(root, 'plugins')]);
    const plugin = loadPluginModule(alpha.entry);
    expect(isVvPlugin(plugin)).toBe(true);
    await plugin.setup({}, { provide: () => undefined, privacy: () => undefined, onReseal: () => undefined });
    expect((globalThis as { __vvSetUp?: string }).__vvSetUp).toBe('alpha');
    delete (globalThis as { __vvSetUp?: string }).__vvSetUp;
  });

  it('loads TypeScript source found with preferSource', async () => {
    write('plugins/beta/plugin.json', manifest('beta'));
    write('plugins/beta/src/index.ts', `import { definePlugin } from '@valueverse/plugin-sdk';\nexport const plugin = definePlugin({ deps: {}, setup(): void {} });\n`);
    const [beta] = await discoverPlugins([join(root, 'plugins')], { preferSource: true });
    expect(isVvPlugin(loadPluginModule(beta.entry))).toBe(true);
  });

  function loadError(entry: string): VvError {
    try {
      loadPluginModule(entry);
    } catch (error) {
      expect(error).toBeInstanceOf(VvError);
      return error as VvError;
    }
    throw new Error('expected loadPluginModule to throw');
  }

  it('refuses a module without a `plugin` export, naming the file and the fix', () => {
    const entry = write('plugins/alpha/dist/index.js', 'exports.other = 1;');
    const error = loadError(entry);
    expect(error.code).toBe('VV_MANIFEST_INVALID');
    expect(error.message).toContain(entry);
    expect(error.message).toContain('must `export const plugin = definePlugin(...)`');
    expect(error.errors[0]).toEqual(expect.objectContaining({ pointer: '/main', in: 'manifest' }));
  });

  it('refuses a `plugin` export that definePlugin did not make', () => {
    const entry = write('plugins/alpha/dist/index.js', 'exports.plugin = { setup() {} };');
    expect(loadError(entry).message).toMatch(/was not made by definePlugin/);
  });

  it('points out a default export', () => {
    const entry = write('plugins/alpha/dist/index.js', pluginSource('alpha').replace('exports.plugin', 'exports.default'));
    expect(loadError(entry).message).toMatch(/found a default export/);
  });

  it('reports a missing module against /main', () => {
    const error = loadError(join(root, 'plugins/alpha/dist/index.js'));
    expect(error.code).toBe('VV_MANIFEST_INVALID');
    expect(error.errors[0]).toEqual(expect.objectContaining({ pointer: '/main', message: expect.stringMatching(/is the plugin built\?/) }));
  });

  it('wraps a module that throws while loading, keeping the cause', () => {
    const entry = write('plugins/alpha/dist/index.js', "throw new Error('boom at load');");
    const error = loadError(entry);
    expect(error.code).toBe('VV_PLUGIN_FAILED');
    expect(error.message).toContain('boom at load');
    expect((error.cause as Error).message).toBe('boom at load');
  });
});
