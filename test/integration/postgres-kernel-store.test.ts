import { randomBytes } from 'node:crypto';
import type { Database } from '@valueverse/kernel';
import { openDatabase } from '../../backends/src/data/open-database';
import { kernelMigrations } from '../../backends/src/data/kernel-migrations';
import { describeKernelStoreContract } from '@valueverse/kernel/testing';
import { PostgresKernelStore } from '../../backends/src/tenancy/postgres-kernel-store';
import { describeTenantLogosMigration } from '../../backends/src/tenancy/tenant-logos-migration.contract';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

// Other suites share the `test` database, so this one works in a database of its own, created through `test`
// and dropped at the end.
describeWithPostgres('PostgresKernelStore on a PostgreSQL server', () => {
  const databaseName = (): string => `vv_store_${randomBytes(6).toString('hex')}`;
  const created: string[] = [];
  let admin: Database;
  let db: Database;

  async function createDatabase(): Promise<string> {
    const name = databaseName();
    await admin.execute(`create database ${name}`);
    created.push(name);
    return name;
  }

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    db = await openDatabase({ url: postgresUrl(await createDatabase()) });
  });

  const opened: Database[] = [];
  afterAll(async () => {
    for (const other of opened) await other.close();
    await db?.close();
    if (!admin) return;
    for (const name of created) await admin.execute(`drop database if exists ${name} with (force)`);
    await admin.close();
  });

  async function freshStore(): Promise<PostgresKernelStore> {
    const store = new PostgresKernelStore(db);
    await store.init();
    return store;
  }

  async function truncateKernelTables(): Promise<void> {
    await db.execute('truncate kernel.tenants, kernel.users cascade');
  }

  describeKernelStoreContract('PostgresKernelStore on PostgreSQL', freshStore, truncateKernelTables);
  describeTenantLogosMigration('PostgreSQL server', async () => {
    const other = await openDatabase({ url: postgresUrl(await createDatabase()) });
    opened.push(other);
    return other;
  });

  describe('server specifics', () => {
    it('lets instances start at the same time: every init succeeds and the migration runs once', async () => {
      const url = postgresUrl(await createDatabase());
      const instances = await Promise.all([1, 2, 3].map(() => openDatabase({ url })));
      try {
        await Promise.all(instances.map((instance) => new PostgresKernelStore(instance).init()));
        // Each kernel migration once, in order (the list, so a new migration needs no edit here).
        expect(await instances[0]!.execute('select name from kernel.mikro_orm_migrations order by id')).toEqual(kernelMigrations.map((m) => ({ name: m.name })));
        expect(kernelMigrations.map((m) => m.name).slice(0, 3)).toEqual(['kernel_0001_init', 'kernel_0002_identity_audit', 'kernel_0003_idempotency']);
        // Advisory locks are released: a later start migrates (nothing) without waiting.
        await new PostgresKernelStore(instances[1]!).init();
      } finally {
        await Promise.all(instances.map((instance) => instance.close()));
      }
    });

    it('answers the tenant search from the trigram index, not by reading every tenant', async () => {
      const store = await freshStore();
      try {
        await db.execute(`insert into kernel.tenants (id, name) select 'bulk-' || lpad(g::text, 5, '0'), 'Company ' || g from generate_series(1, 3000) g`);
        await db.execute('analyze kernel.tenants');
        expect(await db.execute("select indexname from pg_indexes where schemaname = 'kernel' and indexname = 'tenants_search_trgm_idx'")).toHaveLength(1);
        // The store's own query (same expression as the index), planned with sequential and plain index scans off so
        // the plan shows whether the trigram index can serve it at all (on 3,000 rows the planner may rightly prefer
        // walking the primary key; with 100,000 it picks the trigram index for a selective search by itself).
        const plan = await db.withTenantTransaction('bulk', async (tx) => {
          await tx.query('set local enable_seqscan = off');
          await tx.query('set local enable_indexscan = off');
          return tx.query<{ 'QUERY PLAN': string }>(
            `explain select id from kernel.tenants where lower((id || ' ' || name) collate "default") like '%pany 2999%' order by id limit 51`,
          );
        });
        expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('tenants_search_trgm_idx');
        expect((await store.listTenants({ q: 'Pany 2999', limit: 50 })).items.map((t) => t.id)).toEqual(['bulk-02999']);
      } finally {
        await truncateKernelTables();
      }
    });

    it('withTenantTransaction sets app.tenant_id for its transaction only', async () => {
      // One pooled connection, so the statement after the transaction runs in the same session.
      const single = await openDatabase({ url: postgresUrl(created[0]!), poolMax: 1 });
      try {
        const inside = await single.withTenantTransaction('acme', (tx) => tx.query<{ tenant: string }>("select current_setting('app.tenant_id', true) as tenant"));
        expect(inside).toEqual([{ tenant: 'acme' }]);
        const after = await single.execute<{ tenant: string | null }>("select current_setting('app.tenant_id', true) as tenant");
        expect(after[0]!.tenant ?? '').toBe('');
      } finally {
        await single.close();
      }
    });

    it('gives exactly one winner when instances create the same tenant and user concurrently', async () => {
      const store = await freshStore();
      try {
        const tenants = await Promise.allSettled([1, 2, 3, 4].map((n) => store.createTenant({ id: 'acme', name: `Acme ${n}` })));
        expect(tenants.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of tenants) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'VV_CONFLICT' });

        const users = await Promise.allSettled(
          ['a@example.com', 'A@example.com', 'a@EXAMPLE.com'].map((email, i) => store.createUser({ id: `u${i}`, email, passwordHash: 'h', platformAdmin: false })),
        );
        expect(users.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of users) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'VV_CONFLICT' });
      } finally {
        await truncateKernelTables();
      }
    });

    it('keeps saveTenantPlugins whole under concurrent saves of one tenant', async () => {
      const store = await freshStore();
      try {
        await store.createTenant({ id: 'acme', name: 'Acme' });
        const batch = (enabled: boolean) =>
          ['analytics', 'billing', 'crm'].map((pluginId) => ({ tenantId: 'acme', pluginId, enabled, version: null, config: {}, permissions: [] }));
        await Promise.all([true, false, true, false, true].map((enabled) => store.saveTenantPlugins('acme', batch(enabled))));
        const enabled = new Set((await store.listTenantPlugins('acme')).map((p) => p.enabled));
        // Every batch landed whole, so all three records come from the same (last) batch.
        expect(enabled.size).toBe(1);
      } finally {
        await truncateKernelTables();
      }
    });
  });
});
