import { isVvError } from '@valueverse/plugin-sdk';
import type { InstallRecord, InstallStore } from './install-store';

/**
 * The behaviour every `InstallStore` must have; `makeStore` runs before every test and returns an empty store.
 *
 * @example
 * describeInstallStoreContract('MemoryInstallStore', async () => new MemoryInstallStore());
 */
export function describeInstallStoreContract(name: string, makeStore: () => Promise<InstallStore>): void {
  describe(`InstallStore contract: ${name}`, () => {
    let store: InstallStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    const install = (pluginId: string, overrides: Partial<InstallRecord> = {}): InstallRecord => ({
      pluginId,
      version: '1.0.0',
      previousVersion: null,
      integrity: 'sha512-abc',
      signerKeyId: 'k1',
      trust: 'in-process',
      source: 'registry',
      approvedPermissions: [],
      approvedBy: null,
      state: 'installed',
      requestedBy: 'u1',
      requestedAt: new Date('2026-01-01T00:00:00Z').toISOString(),
      purgeAfter: null,
      ...overrides,
    });

    it('saves, replaces, lists by id and deletes installs', async () => {
      await store.saveInstall(install('zeta'));
      await store.saveInstall(install('alpha', { approvedPermissions: ['events.publish:x.*'], approvedBy: 'admin' }));
      await store.saveInstall(install('zeta', { version: '1.1.0', previousVersion: '1.0.0' }));
      const all = await store.listInstalls();
      expect(all.map((r) => [r.pluginId, r.version, r.previousVersion])).toEqual([
        ['alpha', '1.0.0', null],
        ['zeta', '1.1.0', '1.0.0'],
      ]);
      expect(await store.getInstall('alpha')).toEqual(install('alpha', { approvedPermissions: ['events.publish:x.*'], approvedBy: 'admin' }));
      await store.deleteInstall('alpha');
      expect(await store.getInstall('alpha')).toBeUndefined();
    });

    it('lists uninstalled installs whose purge time has come', async () => {
      await store.saveInstall(install('due', { state: 'uninstalled', purgeAfter: '2026-01-01T00:00:00.000Z' }));
      await store.saveInstall(install('later', { state: 'uninstalled', purgeAfter: '2026-03-01T00:00:00.000Z' }));
      await store.saveInstall(install('live'));
      expect((await store.listPurgeDue(new Date('2026-02-01T00:00:00Z'))).map((r) => r.pluginId)).toEqual(['due']);
    });

    it('keeps package bytes per version and forgets them with the install', async () => {
      await store.saveInstall(install('pkg'));
      const bytes = Buffer.from([0, 1, 2, 255]);
      await store.savePackage('pkg', '1.0.0', { integrity: 'sha512-x', source: 'registry', bytes });
      await store.savePackage('pkg', '1.0.0', { integrity: 'sha512-x', source: 'upload', bytes }); // replaces
      expect(await store.getPackage('pkg', '1.0.0')).toEqual({ integrity: 'sha512-x', source: 'upload', bytes });
      expect(await store.getPackage('pkg', '2.0.0')).toBeUndefined();
      await store.deleteInstall('pkg');
      expect(await store.getPackage('pkg', '1.0.0')).toBeUndefined();
    });

    it('records one state per plugin and instance', async () => {
      await store.saveInstall(install('p'));
      await store.setInstanceState({ pluginId: 'p', instanceId: 'b', version: '1.0.0', state: 'running', error: null });
      await store.setInstanceState({ pluginId: 'p', instanceId: 'a', version: null, state: 'failed', error: { code: 'VV_X', message: 'no' } });
      await store.setInstanceState({ pluginId: 'p', instanceId: 'a', version: '1.0.0', state: 'running', error: null });
      const states = await store.listInstanceStates('p');
      expect(states.map((s) => [s.instanceId, s.version, s.state, s.error])).toEqual([
        ['a', '1.0.0', 'running', null],
        ['b', '1.0.0', 'running', null],
      ]);
      expect(typeof states[0]!.updatedAt).toBe('string');
      expect(await store.listInstanceStates('other')).toEqual([]);
    });

    it('adds, lists and removes trusted keys; a key id is trusted once', async () => {
      const key = {
        keyId: '0123456789abcdef',
        publicKeyPem: '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n',
        name: 'Acme',
        trust: 'in-process' as const,
        addedBy: 'u1',
      };
      const added = await store.addTrustedKey(key);
      expect(added).toMatchObject(key);
      const error = await store.addTrustedKey(key).catch((e: unknown) => e);
      expect(isVvError(error) ? error.code : error).toBe('VV_CONFLICT');
      expect((await store.listTrustedKeys()).map((k) => k.keyId)).toEqual(['0123456789abcdef']);
      expect(await store.removeTrustedKey('0123456789abcdef')).toBe(true);
      expect(await store.removeTrustedKey('0123456789abcdef')).toBe(false);
      expect(await store.listTrustedKeys()).toEqual([]);
    });
  });
}
