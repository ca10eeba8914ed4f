import { openDatabase } from '@valueverse/backend-defaults';
import type { Database } from '@valueverse/kernel';
import { generateSigningKeyPair } from '@valueverse/plugin-sdk/package';
import { signedTestPackage } from '../__fixtures__/test-package';
import { createRegistry, type Registry } from '../registry/create-registry';
import { LocalRegistrySource } from './local-registry-source';

describe('LocalRegistrySource', () => {
  let db: Database;
  let registry: Registry;
  beforeAll(async () => {
    db = await openDatabase({ inMemory: true });
    registry = await createRegistry({ database: db });
    const publisher = await registry.service.createPublisher('Local');
    const key = generateSigningKeyPair();
    await registry.service.addKey(publisher.id, key.publicKeyPem);
    for (const id of ['local-a', 'local-b', 'local-c']) {
      await registry.service.publish(publisher.id, await signedTestPackage({ id, version: '1.0.0', icon: { name: 'icon.svg', bytes: Buffer.from('<svg/>') } }, key.privateKeyPem));
    }
  }, 30_000);
  afterAll(() => db?.close());

  it('reads the catalog across pages and downloads counted package bytes, as the HTTP client would', async () => {
    const source = new LocalRegistrySource(registry, 2);
    const entries = await source.catalog('local');
    expect(entries.map((e) => e.id)).toEqual(['local-a', 'local-b']);
    expect(entries[0]!.icon).toBe('/api/v1/marketplace/packages/local-a/versions/1.0.0/icon');
    expect((await new LocalRegistrySource(registry).catalog()).map((e) => e.id)).toEqual(['local-a', 'local-b', 'local-c']);
    const bytes = await source.download('local-c', '1.0.0');
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect((await registry.service.getVersion('local-c', '1.0.0')).downloads).toBe(1);
    await expect(source.download('local-c', '2.0.0')).rejects.toMatchObject({ code: 'VV_PACKAGE_UNKNOWN' });
  });

  it('reads one package with its versions (signer, permissions, kernel range), and refuses an unknown id', async () => {
    const source = new LocalRegistrySource(registry);
    const details = await source.getPackage('local-b');
    expect(details).toMatchObject({ id: 'local-b', latestVersion: '1.0.0', icon: '/api/v1/marketplace/packages/local-b/versions/1.0.0/icon' });
    expect(details.versions).toEqual([
      expect.objectContaining({ version: '1.0.0', kernel: expect.any(String), permissions: expect.any(Array), signer: { keyId: expect.any(String) } }),
    ]);
    await expect(source.getPackage('local-z')).rejects.toMatchObject({ code: 'VV_PACKAGE_UNKNOWN' });
  });
});
