import type { Database } from '@valueverse/kernel';
import { kernelMigrations as allKernelMigrations } from '../data/kernel-migrations';
import { PostgresKernelStore } from './postgres-kernel-store';

// A 1×1 PNG, and the same without its base64 padding (Node's decoder, the branding route's, accepted that).
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64');
const MIGRATION = 'kernel_0011_tenant_logos';
/** The kernel's migrations up to and including this one: later ones are not what this contract is about. */
const kernelMigrations = allKernelMigrations.slice(0, allKernelMigrations.findIndex((m) => m.name === MIGRATION) + 1);

/**
 * `kernel_0011_tenant_logos` on a fresh database (`open` gives one; `close` disposes of it): the logos kept in tenant
 * settings move to `kernel.tenant_logos` and leave the settings, a logo that is not a real image is dropped, the
 * table holds each statement to its transaction's tenant, and the migration reverts into the settings.
 */
export function describeTenantLogosMigration(name: string, open: () => Promise<Database>): void {
  describe(`${MIGRATION}: ${name}`, () => {
    let db: Database;
    const before = kernelMigrations.slice(
      0,
      kernelMigrations.findIndex((m) => m.name === MIGRATION),
    );

    beforeAll(async () => {
      db = await open();
      await db.migrate({ schema: 'kernel', migrations: before });
      const tenant = (id: string, settings: unknown) => db.execute('insert into kernel.tenants (id, name, settings) values ($1, $1, $2::jsonb)', [id, JSON.stringify(settings)]);
      await tenant('acme', { quota: 5, branding: { primaryColor: '#123456', logo: { mediaType: 'image/png', data: PNG } } });
      await tenant('unpadded', { branding: { logo: { mediaType: 'image/png', data: PNG.replace(/=+$/, '') } } });
      await tenant('svg', { branding: { accentColor: '#00897b', logo: { mediaType: 'image/png', data: SVG } } });
      await tenant('garbled', { branding: { logo: { mediaType: 'image/jpeg', data: '%%%' } } });
      await tenant('plain', { quota: 1 });
      expect(await db.migrate({ schema: 'kernel', migrations: kernelMigrations })).toEqual([MIGRATION]);
    }, 60_000);

    const settingsOf = async () =>
      Object.fromEntries((await db.execute<{ id: string; settings: unknown }>('select id, settings from kernel.tenants order by id')).map((r) => [r.id, r.settings]));

    it('moves each real logo into its own row and out of the settings; drops the others', async () => {
      expect(await settingsOf()).toEqual({
        acme: { quota: 5, branding: { primaryColor: '#123456' } },
        garbled: {},
        plain: { quota: 1 },
        svg: { branding: { accentColor: '#00897b' } },
        unpadded: {},
      });
      const store = new PostgresKernelStore(db);
      expect(await store.getTenantLogo('acme')).toEqual({ mediaType: 'image/png', data: PNG });
      expect(await store.getTenantLogo('unpadded')).toEqual({ mediaType: 'image/png', data: PNG });
      expect(await store.getTenantLogo('svg')).toBeUndefined();
      expect(await store.getTenantLogo('garbled')).toBeUndefined();
      expect(JSON.stringify((await store.listTenants({ limit: 200 })).items)).not.toContain(PNG.slice(0, 40));
    });

    it('binds every statement on the table to the tenant of its transaction (row-level security, owner included)', async () => {
      const role = `vv_logo_probe_${Math.random().toString(36).slice(2, 10)}`;
      await db.execute(`create role ${role} nologin`);
      try {
        await db.execute(`grant usage on schema kernel to ${role}`);
        await db.execute(`grant select, insert, update, delete on kernel.tenant_logos to ${role}`);
        const asTenant = (tenantId: string, sql: string, params: unknown[] = []) =>
          db.withTenantTransaction(tenantId, async (tx) => {
            await tx.query(`set local role ${role}`);
            return tx.query<{ tenant_id: string }>(sql, params);
          });
        expect(await asTenant('globex', 'select tenant_id from kernel.tenant_logos')).toEqual([]);
        expect(await asTenant('acme', 'select tenant_id from kernel.tenant_logos')).toEqual([{ tenant_id: 'acme' }]);
        await expect(asTenant('globex', `insert into kernel.tenant_logos (tenant_id, media_type, data) values ('plain', 'image/png', '\\x89'::bytea)`)).rejects.toThrow(
          /row-level security/,
        );
        expect(await asTenant('globex', `delete from kernel.tenant_logos where tenant_id = 'acme' returning tenant_id`)).toEqual([]);
        const [policy] = await db.execute<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(
          "select relrowsecurity, relforcerowsecurity from pg_class where oid = 'kernel.tenant_logos'::regclass",
        );
        expect(policy).toEqual({ relrowsecurity: true, relforcerowsecurity: true });
      } finally {
        await db.execute(`drop owned by ${role}`);
        await db.execute(`drop role ${role}`);
      }
    });

    it('reverts into the settings, as the previous version reads them', async () => {
      expect(await db.migrate({ schema: 'kernel', migrations: kernelMigrations, direction: 'down' })).toEqual([MIGRATION]);
      const settings = await settingsOf();
      expect(settings['acme']).toEqual({ quota: 5, branding: { primaryColor: '#123456', logo: { mediaType: 'image/png', data: PNG } } });
      expect(settings['unpadded']).toEqual({ branding: { logo: { mediaType: 'image/png', data: PNG } } });
      expect(settings['plain']).toEqual({ quota: 1 });
      expect(await db.execute("select to_regclass('kernel.tenant_logos') as t")).toEqual([{ t: null }]);
      // And forward again.
      expect(await db.migrate({ schema: 'kernel', migrations: kernelMigrations })).toEqual([MIGRATION]);
      expect(await new PostgresKernelStore(db).getTenantLogo('acme')).toEqual({ mediaType: 'image/png', data: PNG });
    });
  });
}
