import { mkdtemp, readdir, readFile, rm, stat, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generateSigningKeyPair } from './generate-signing-key-pair';
import { packPluginDirectory } from './pack-plugin-directory';
import { signPackage } from './sign-package';
import { unpackPackage } from './unpack-package';
import type { VerifiedPackage } from './verified-package';
import { verifyPackage } from './verify-package';

const FIXTURE = join(__dirname, '__fixtures__', 'hello-plugin');
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'vv-unpack-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

function handMade(files: Record<string, string>): VerifiedPackage {
  return {
    pluginId: 'x',
    version: '1.0.0',
    manifest: {} as VerifiedPackage['manifest'],
    files: new Map(Object.entries(files).map(([p, b]) => [p, Buffer.from(b)])),
    signer: null,
    integrity: '',
  };
}

describe('unpackPackage', () => {
  it('writes exactly the verified files, byte for byte, and the plugin loads from there', async () => {
    const keys = generateSigningKeyPair();
    const verified = await verifyPackage(await signPackage(await packPluginDirectory(FIXTURE), keys.privateKeyPem), { trustedKeys: [keys] });
    const target = join(work, 'plugins', 'hello-fixture', '1.2.3');
    await unpackPackage(verified, target);

    expect(await listFiles(target)).toEqual([...verified.files.keys()].sort());
    for (const [path, bytes] of verified.files) expect((await readFile(join(target, path))).equals(bytes)).toBe(true);
    expect((await stat(join(target, 'index.js'))).mode & 0o777).toBe(0o644);
    // The bundled main needs only the SDK from outside, found the way a host provides it: a node_modules beside the plugins.
    await mkdir(join(work, 'plugins', 'node_modules', '@valueverse'), { recursive: true });
    await symlink(join(__dirname, '..', '..'), join(work, 'plugins', 'node_modules', '@valueverse', 'plugin-sdk'), 'dir');
    const loaded = jest.requireActual<{ plugin: { $$type: string } }>(join(target, 'index.js'));
    expect(loaded.plugin.$$type).toBe('valueverse.plugin');
  });

  it.each([['../escape.js'], ['/abs.js'], ['lib/../../escape.js'], ['a\\b.js']])('refuses %s and writes nothing', async (path) => {
    const target = join(work, 'target');
    await expect(unpackPackage(handMade({ 'ok.js': 'ok', [path]: 'evil' }), target)).rejects.toMatchObject({ code: 'VV_PACKAGE_INVALID' });
    await expect(readdir(work)).resolves.toEqual([]);
  });

  it('does not follow a symlink already planted in the target folder', async () => {
    const target = join(work, 'target');
    await mkdir(target);
    await symlink(join(work, 'outside.js'), join(target, 'index.js'));
    await expect(unpackPackage(handMade({ 'index.js': 'evil' }), target)).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(readdir(work)).resolves.toEqual(['target']);
  });
});
