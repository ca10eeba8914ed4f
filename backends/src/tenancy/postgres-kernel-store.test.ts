import { describeKernelStoreContract } from '@valueverse/kernel/testing';
import type { Database } from '@valueverse/kernel';
import { openDatabase } from '../data/open-database';
import { PostgresKernelStore } from './postgres-kernel-store';

// One PGlite boot for the whole file (4-6 s); every test starts from empty kernel tables.
let db: Database;

beforeAll(async () => {
  db = await openDatabase({ inMemory: true });
}, 30_000);

afterAll(async () => {
  await db?.close();
});

async function freshStore(): Promise<PostgresKernelStore> {
  const store = new PostgresKernelStore(db);
  await store.init();
  return store;
}

async function truncateKernelTables(): Promise<void> {
  // Cascades to tenant_plugins, memberships and plugin_set_versions.
  await db.execute('truncate kernel.tenants, kernel.users cascade');
}

describeKernelStoreContract('PostgresKernelStore on embedded PGlite', freshStore, truncateKernelTables);

describe('PostgresKernelStore on embedded PGlite: PostgreSQL specifics', () => {
  let store: PostgresKernelStore;
  beforeEach(async () => {
    store = await freshStore();
  });
  afterEach(truncateKernelTables);

  it('records the kernel migration once however often init runs', async () => {
    await store.init();
    await new PostgresKernelStore(db).init();
    expect(await db.execute('select name from kernel.mikro_orm_migrations')).toEqual([
      { name: 'kernel_0001_init' },
      { name: 'kernel_0002_identity_audit' },
      { name: 'kernel_0003_idempotency' },
      { name: 'kernel_0004_idempotency_attempt' },
      { name: 'kernel_0005_session_versions' },
      { name: 'kernel_0006_invitations' },
      { name: 'kernel_0007_tenant_search' },
      { name: 'kernel_0008_installs' },
      { name: 'kernel_0009_data_lifecycle' },
      { name: 'kernel_0010_totp_recovery_codes' },
      { name: 'kernel_0011_tenant_logos' },
      { name: 'kernel_0012_user_profile' },
    ]);
  });

  it('saveTenantPlugins is all-or-nothing: one bad record leaves the plugin set and its version as they were', async () => {
    await store.createTenant({ id: 'acme', name: 'Acme' });
    const good = { tenantId: 'acme', enabled: true, version: null, config: {}, permissions: [] };
    await store.saveTenantPlugins('acme', [{ ...good, pluginId: 'analytics' }]);
    const before = await store.listTenantPlugins('acme');
    const version = await store.getPluginSetVersion('acme');

    // jsonb refuses \u0000, so the batch fails inside the database, after the tenant check passed.
    await expect(
      store.saveTenantPlugins('acme', [
        { ...good, pluginId: 'analytics', enabled: false },
        { ...good, pluginId: 'billing' },
        { ...good, pluginId: 'crm', config: { bad: 'nul\u0000char' } },
      ]),
    ).rejects.toThrow();
    expect(await store.listTenantPlugins('acme')).toEqual(before);
    expect(await store.getPluginSetVersion('acme')).toBe(version);
  });

  it('saveTenantPlugins rolls the upsert back when a later statement of its transaction fails', async () => {
    await store.createTenant({ id: 'acme', name: 'Acme' });
    const record = { tenantId: 'acme', pluginId: 'billing', enabled: true, version: null, config: {}, permissions: [] };
    // The version bump runs after the upsert; without its sequence it fails.
    await db.execute('alter sequence kernel.plugin_set_version_seq rename to plugin_set_version_seq_away');
    try {
      await expect(store.saveTenantPlugins('acme', [record])).rejects.toThrow(/plugin_set_version_seq/);
    } finally {
      await db.execute('alter sequence kernel.plugin_set_version_seq_away rename to plugin_set_version_seq');
    }
    expect(await store.listTenantPlugins('acme')).toEqual([]);
  });

  it('gives exactly one winner when the same tenant is created concurrently', async () => {
    const results = await Promise.allSettled([1, 2, 3].map((n) => store.createTenant({ id: 'acme', name: `Acme ${n}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'VV_CONFLICT' });
  });

  it('stores rows that SQL can read back (no ORM-only encoding)', async () => {
    await store.createTenant({ id: 'acme', name: 'Acme', settings: { quota: 3 } });
    await store.saveTenantPlugins('acme', [{ tenantId: 'acme', pluginId: 'billing', enabled: true, version: '1.0.0', config: { plan: 'pro' }, permissions: ['db'] }]);
    expect(await db.execute("select settings, status from kernel.tenants where id = 'acme'")).toEqual([{ settings: { quota: 3 }, status: 'active' }]);
    expect(await db.execute('select plugin_id, config, permissions, version from kernel.tenant_plugins')).toEqual([
      { plugin_id: 'billing', config: { plan: 'pro' }, permissions: ['db'], version: '1.0.0' },
    ]);
  });

  it('leaves the database open on close() unless it owns it', async () => {
    await store.close();
    expect(await db.execute('select 1 as ok')).toEqual([{ ok: 1 }]);
  });
});
