import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectPackage } from './inspect-package';
import { packPluginDirectory } from './pack-plugin-directory';

const FIXTURE = join(__dirname, '__fixtures__', 'hello-plugin');
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'vv-pack-'));
  await cp(FIXTURE, work, { recursive: true });
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected a rejection');
}

describe('packPluginDirectory', () => {
  it('bundles the main module with what it requires, leaving the SDK to the host', async () => {
    const { files } = await inspectPackage(await packPluginDirectory(work));
    const main = (files.get('index.js') as Buffer).toString('utf8');
    expect(main).toContain('Hello, ${name}!');
    expect(main).toMatch(/require\("@valueverse\/plugin-sdk"\)/);
    expect(files.has('lib/greeting.js')).toBe(false);
  });

  it("keeps other plugins' /api entries and MikroORM's core external (the host provides them), and keeps them in package.json", async () => {
    await writeFile(
      join(work, 'lib', 'greeting.js'),
      "const api = require('@valueverse/plugin-calculation/api');\nconst { EntitySchema } = require('@mikro-orm/core');\nexports.greeting = (name) => `Hello, ${name}! ${typeof api} ${typeof EntitySchema}`;\n",
    );
    const packageJson = JSON.parse(await readFile(join(work, 'package.json'), 'utf8'));
    await writeFile(
      join(work, 'package.json'),
      JSON.stringify({ ...packageJson, dependencies: { ...packageJson.dependencies, '@mikro-orm/core': '6.6.16', 'left-pad': '1.3.0' } }),
    );
    const { files } = await inspectPackage(await packPluginDirectory(work));
    const main = (files.get('index.js') as Buffer).toString('utf8');
    expect(main).toMatch(/require\("@valueverse\/plugin-calculation\/api"\)/);
    expect(main).toMatch(/require\("@mikro-orm\/core"\)/);
    expect(JSON.parse((files.get('package.json') as Buffer).toString('utf8')).dependencies).toEqual({ '@valueverse/plugin-sdk': '0.1.0', '@mikro-orm/core': '6.6.16' });
  });

  it('packs plugin.json as it is, README and the ui elements file, and a package.json without scripts or bundled dependencies', async () => {
    const { files } = await inspectPackage(await packPluginDirectory(work));
    expect(files.get('plugin.json')?.equals(await readFile(join(work, 'plugin.json')))).toBe(true);
    expect(files.get('README.md')?.toString()).toContain('# Hello fixture');
    expect(files.get('ui/elements.js')?.toString()).toContain("customElements.define('hello-fixture'");
    expect(JSON.parse((files.get('package.json') as Buffer).toString('utf8'))).toEqual({
      name: 'hello-fixture',
      version: '1.2.3',
      description: 'A plugin folder the package tests pack, sign and verify',
      license: 'MIT',
      type: 'commonjs',
      main: 'index.js',
      dependencies: { '@valueverse/plugin-sdk': '0.1.0' },
    });
  });

  it('packs a TypeScript main as JavaScript and says so in plugin.json', async () => {
    await writeFile(join(work, 'index.ts'), "import { greeting } from './lib/greeting';\nexport const hello: string = greeting('ts');\n");
    const manifest = JSON.parse(await readFile(join(work, 'plugin.json'), 'utf8'));
    await writeFile(join(work, 'plugin.json'), JSON.stringify({ ...manifest, main: 'index.ts' }));
    const inspected = await inspectPackage(await packPluginDirectory(work));
    expect(inspected.manifest.main).toBe('index.js');
    expect((inspected.files.get('index.js') as Buffer).toString('utf8')).not.toContain(': string');
  });

  it('stores a main written as ./index.js under its plain path, and the package verifies', async () => {
    const manifest = JSON.parse(await readFile(join(work, 'plugin.json'), 'utf8'));
    await writeFile(join(work, 'plugin.json'), JSON.stringify({ ...manifest, main: './index.js', ui: { ...manifest.ui, elements: './ui/elements.js' } }));
    const inspected = await inspectPackage(await packPluginDirectory(work));
    expect(inspected.manifest.main).toBe('index.js');
    expect([...inspected.files.keys()]).toEqual(expect.arrayContaining(['index.js', 'ui/elements.js']));
  });

  it('refuses a folder whose plugin.json the kernel would refuse', async () => {
    await writeFile(join(work, 'plugin.json'), JSON.stringify({ id: 'Bad Id', version: '1.2.3' }));
    await expect(codeOf(packPluginDirectory(work))).resolves.toBe('VV_MANIFEST_INVALID');
  });

  it('refuses a folder whose main file is missing', async () => {
    await rm(join(work, 'index.js'));
    await expect(packPluginDirectory(work)).rejects.toMatchObject({ code: 'VV_MANIFEST_INVALID', errors: [expect.objectContaining({ pointer: '/main' })] });
  });

  it('refuses a package.json whose version disagrees with plugin.json', async () => {
    const pkg = JSON.parse(await readFile(join(work, 'package.json'), 'utf8'));
    await writeFile(join(work, 'package.json'), JSON.stringify({ ...pkg, version: '2.0.0' }));
    await expect(codeOf(packPluginDirectory(work))).resolves.toBe('VV_PACKAGE_INVALID');
  });

  it('refuses code that does not bundle, naming the problem', async () => {
    await writeFile(join(work, 'lib', 'greeting.js'), "exports.greeting = require('./missing-module');\n");
    await expect(packPluginDirectory(work)).rejects.toMatchObject({ code: 'VV_PACKAGE_INVALID', message: expect.stringContaining('missing-module') });
  });
});
