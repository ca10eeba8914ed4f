import { randomBytes } from 'node:crypto';
import { coreServices, definePlugin, type EventEnvelope, type PluginSecrets, type TenantDirectory, type VvPlugin } from '@valueverse/plugin-sdk';
import { createTestKernel } from '@valueverse/plugin-testing';
import { manifest } from './__fixtures__/kernel-test-support';
import { PasswordHasher } from './identity/password-hasher';
import { createKernel, type Kernel } from './kernel';
import { createKernelLogger } from './observability/kernel-logger';
import { MemoryKernelStore } from './tenancy/memory-kernel-store';
import { SecretBox } from './tenancy/secret-box';

// Platform events reach plugins (issue #18): `plugin.failed` in every tenant that has the failed plugin enabled, with
// the same id from every instance; and `core.directory` lists a tenant's members by role, gated by the manifest.

const broken: VvPlugin = definePlugin({
  deps: {},
  setup() {
    throw new Error('cannot reach its provider');
  },
});

function watcher(seen: EventEnvelope[], dir: { current?: TenantDirectory }): VvPlugin {
  return definePlugin({
    deps: { events: coreServices.events, directory: coreServices.directory },
    setup({ events, directory }) {
      dir.current = directory;
      events.subscribe('plugin.*', (e) => void seen.push(e));
    },
  });
}

async function boot(store: MemoryKernelStore, seen: EventEnvelope[], dir: { current?: TenantDirectory }): Promise<Kernel> {
  return createKernel({
    store,
    secrets: new SecretBox(randomBytes(32)),
    logger: createKernelLogger({ level: 'silent' }),
    passwordHasher: new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
    timeouts: { setupMs: 2000, startMs: 2000, stopMs: 2000 },
    plugins: [
      { manifest: manifest('watcher', { permissions: ['events.subscribe:plugin.*', 'directory'] }), plugin: watcher(seen, dir) },
      { manifest: manifest('broken', {}), plugin: broken },
    ],
  });
}

describe('platform events and the directory for plugins', () => {
  const store = new MemoryKernelStore();
  const kernels: Kernel[] = [];
  const seenA: EventEnvelope[] = [];
  const seenB: EventEnvelope[] = [];
  const dir: { current?: TenantDirectory } = {};

  beforeAll(async () => {
    for (const id of ['acme', 'globex', 'initech']) await store.createTenant({ id, name: id });
    const record = (tenantId: string, pluginId: string) => ({ tenantId, pluginId, enabled: true, version: null, config: {}, permissions: [] });
    await store.saveTenantPlugins('acme', [record('acme', 'watcher'), record('acme', 'broken')]);
    await store.saveTenantPlugins('globex', [record('globex', 'watcher')]);
    await store.saveTenantPlugins('initech', [record('initech', 'broken')]);
    for (const [id, email] of [
      ['u-ann', 'ann@acme.test'],
      ['u-bob', 'bob@acme.test'],
      ['u-cat', 'cat@globex.test'],
    ] as const)
      await store.createUser({ id, email, passwordHash: 'x', platformAdmin: false });
    await store.setUserProfile('u-ann', { displayName: 'Ann Lee', locale: 'de-DE', timeZone: 'Europe/Berlin' });
    await store.setMembership({ userId: 'u-ann', tenantId: 'acme', role: 'tenant-admin' });
    await store.setMembership({ userId: 'u-bob', tenantId: 'acme', role: 'member' });
    await store.setMembership({ userId: 'u-cat', tenantId: 'globex', role: 'tenant-admin' });
    // Two instances on one store (a host and a worker) each fail the plugin at boot.
    kernels.push(await boot(store, seenA, dir), await boot(store, seenB, {}));
  }, 30_000);
  afterAll(async () => {
    for (const k of kernels) await k.close({ drainMs: 0 });
  });

  it('publishes plugin.failed in each tenant that has the plugin enabled and the subscriber, with ids and the reason', () => {
    const failed = seenA.filter((e) => e.name === 'plugin.failed');
    // initech has "broken" but not the watcher; globex has the watcher but not "broken".
    expect(failed.map((e) => e.tenantId)).toEqual(['acme']);
    expect(failed[0]).toMatchObject({ source: 'kernel', payload: { tenantId: 'acme', pluginId: 'broken', version: '1.0.0', state: 'failed', code: 'VV_PLUGIN_FAILED' } });
    expect((failed[0]!.payload as { reason: string }).reason).toContain('cannot reach its provider');
  });

  it('gives the same failure the same event id on every instance, so a subscriber keyed on it acts once', () => {
    const a = seenA.find((e) => e.name === 'plugin.failed');
    const b = seenB.find((e) => e.name === 'plugin.failed');
    expect(a?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b?.id).toBe(a?.id);
  });

  it('lists a tenant’s members by role through core.directory, only for tenants that have the plugin enabled', async () => {
    const directory = dir.current!;
    expect(await directory.members('acme')).toEqual([
      { userId: 'u-ann', email: 'ann@acme.test', role: 'tenant-admin', displayName: 'Ann Lee', locale: 'de-DE', timeZone: 'Europe/Berlin' },
      { userId: 'u-bob', email: 'bob@acme.test', role: 'member', displayName: null, locale: null, timeZone: null },
    ]);
    expect(await directory.members('acme', { atLeast: 'tenant-admin' })).toEqual([expect.objectContaining({ userId: 'u-ann', role: 'tenant-admin' })]);
    expect(await directory.members('globex', { userIds: ['u-ann', 'u-cat'] })).toEqual([
      { userId: 'u-cat', email: 'cat@globex.test', role: 'tenant-admin', displayName: null, locale: null, timeZone: null },
    ]);
    await expect(directory.members('initech')).rejects.toMatchObject({ code: 'VV_PLUGIN_NOT_ENABLED' });
  });

  it("answers core.directory inside a request only for the request's tenant, with the members' profiles", async () => {
    const k = await createTestKernel({
      tenants: ['acme', 'globex'],
      plugins: [
        {
          manifest: manifest('peek', { routes: ['/peek'], permissions: ['directory'] }),
          plugin: definePlugin({
            deps: { http: coreServices.http, directory: coreServices.directory },
            setup({ http, directory }) {
              http.route({ method: 'GET', path: '/peek/:tenantId', handler: async (req) => ({ items: await directory.members(req.params.tenantId!) }) });
            },
          }),
        },
      ],
    });
    try {
      const store = k.kernel.store;
      await store.createUser({ id: 'u-dee', email: 'dee@acme.test', passwordHash: 'x', platformAdmin: false });
      await store.setMembership({ userId: 'u-dee', tenantId: 'acme', role: 'member' });
      await store.setUserProfile('u-dee', { displayName: 'Dee Park', locale: 'ko-KR', timeZone: 'Asia/Seoul' });
      const own = await k.request('GET', '/api/v1/peek/acme', { tenant: 'acme', role: 'member' });
      expect(own.status).toBe(200);
      expect(own.body.items).toContainEqual({ userId: 'u-dee', email: 'dee@acme.test', role: 'member', displayName: 'Dee Park', locale: 'ko-KR', timeZone: 'Asia/Seoul' });
      const other = await k.request('GET', '/api/v1/peek/globex', { tenant: 'acme', role: 'member' });
      expect([other.status, other.body.code]).toEqual([403, 'VV_FORBIDDEN']);
    } finally {
      await k.close();
    }
  });

  it('refuses core.directory to a plugin whose manifest lacks permission "directory"', async () => {
    const k = await createKernel({
      store: new MemoryKernelStore(),
      secrets: new SecretBox(randomBytes(32)),
      logger: createKernelLogger({ level: 'silent' }),
      timeouts: { setupMs: 2000, startMs: 2000, stopMs: 2000 },
      plugins: [{ manifest: manifest('nosy', { permissions: ['events.subscribe:plugin.*'] }), plugin: watcher([], {}) }],
    });
    try {
      const nosy = k.plugins().find((p) => p.id === 'nosy');
      expect(nosy?.state).toBe('failed');
      expect(JSON.stringify(nosy)).toContain('VV_SERVICE_NOT_DECLARED');
    } finally {
      await k.close({ drainMs: 0 });
    }
  });

  it('seals values for a plugin with the platform key (core.secrets), bound to that plugin', async () => {
    const secrets = new SecretBox(randomBytes(32));
    const got: Record<string, PluginSecrets> = {};
    const holder = (id: string): VvPlugin =>
      definePlugin({
        deps: { secrets: coreServices.secrets },
        setup({ secrets: s }) {
          got[id] = s;
        },
      });
    const k = await createKernel({
      store: new MemoryKernelStore(),
      secrets,
      logger: createKernelLogger({ level: 'silent' }),
      timeouts: { setupMs: 2000, startMs: 2000, stopMs: 2000 },
      plugins: [
        { manifest: manifest('alpha', {}), plugin: holder('alpha') },
        { manifest: manifest('beta', {}), plugin: holder('beta') },
      ],
    });
    try {
      const sealed = got.alpha!.seal('unsubscribe key');
      expect(sealed).not.toContain('unsubscribe key');
      expect(got.alpha!.open(sealed)).toBe('unsubscribe key');
      expect(got.alpha!.isCurrent(sealed)).toBe(true);
      // Another plugin cannot open it, nor can a plugin open the kernel's own sealed values.
      expect(() => got.beta!.open(sealed)).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
      expect(() => got.alpha!.open(secrets.seal('a config secret'))).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
    } finally {
      await k.close({ drainMs: 0 });
    }
  });
});
