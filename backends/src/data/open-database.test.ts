import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migration } from '@mikro-orm/migrations';
import { isVvError } from '@valueverse/plugin-sdk';
import type { Database } from '@valueverse/kernel';
import { openDatabase } from './open-database';
import { kernelMigrations } from './kernel-migrations';

class WidgetsInit extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table widgets.widgets (id int primary key, tenant_id text not null, data jsonb not null)');
  }
  override async down(): Promise<void> {
    this.addSql('drop table widgets.widgets');
  }
}

class GadgetsInit extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table gadgets.gadgets (id int primary key)');
  }
}

class GadgetsColour extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table gadgets.gadgets add column colour text');
  }
}

class BrokenMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table broken.first (id int)');
    this.addSql('select * from broken.does_not_exist');
  }
}

// One PGlite boot for the whole file (4-6 s).
let db: Database;
let bootMs = 0;

beforeAll(async () => {
  const started = Date.now();
  db = await openDatabase({ inMemory: true });
  bootMs = Date.now() - started;
}, 30_000);

afterAll(async () => {
  await db?.close();
});

describe('openDatabase (embedded PGlite)', () => {
  it('boots PGlite in memory and reports kind "embedded"', () => {
    expect(db.kind).toBe('embedded');
    // Visible in the test output for timing reviews.
    console.info(`PGlite in-memory boot + MikroORM init: ${bootMs} ms`);
  });

  it('executes one statement with $n placeholders and returns pg-compatible values', async () => {
    const rows = await db.execute<{ sum: number; big: string; at: string; doc: unknown; q: boolean }>(
      `select $1::int + $2::int as sum, 9007199254740993::int8 as big, '2024-05-01T10:00:00Z'::timestamptz as at,
              '{"a": [1, 2]}'::jsonb as doc, '{"k": 1}'::jsonb ? 'k' as q`,
      [40, 2],
    );
    expect(rows).toEqual([{ sum: 42, big: '9007199254740993', at: expect.any(String), doc: { a: [1, 2] }, q: true }]);
    expect(new Date(rows[0]!.at).toISOString()).toBe('2024-05-01T10:00:00.000Z');
  });

  it('sends multi-statement SQL from MikroORM through PGlite exec()', async () => {
    const connection = db.orm.em.getConnection();
    await connection.execute('create temporary table multi (n int); insert into multi values (1), (2); insert into multi values (3)');
    const rows = await connection.execute<{ total: string }[]>('select sum(n)::int8 as total from multi');
    expect(rows).toEqual([{ total: '6' }]);
  });

  it("gives parameterless SQL the same values as a parameterised statement, and the last statement's rows", async () => {
    // What the removed statement lexer had to get right (';' in strings, identifiers, dollar bodies, comments) no
    // longer matters: all parameterless SQL takes exec(), so the rows and types must still be pg's.
    const rows = await db.execute<{ semi: string; big: string; doc: unknown; n: number }>(
      `select ';' as semi, 9007199254740993::int8 as big, '{"a;": 1}'::jsonb as doc, 1 as "odd;name", 2 as n -- a; b`,
    );
    expect(rows).toEqual([{ semi: ';', big: '9007199254740993', doc: { 'a;': 1 }, 'odd;name': 1, n: 2 }]);
    const connection = db.orm.em.getConnection();
    expect(await connection.execute(`do $$ begin perform 1; end $$; select 'last' as which`)).toEqual([{ which: 'last' }]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.execute('create table public.tx_probe (n int)');
    await db.transaction(async (tx) => {
      await tx.query('insert into public.tx_probe values ($1)', [1]);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into public.tx_probe values ($1)', [2]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.execute('select n from public.tx_probe order by n')).toEqual([{ n: 1 }]);
  });

  it('refuses a transaction handle used after the transaction ended', async () => {
    let leaked: { query: (sql: string) => Promise<unknown[]> } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.query('select 1')).rejects.toMatchObject({ code: 'VV_INTERNAL' });
  });

  it('withTenantTransaction sets app.tenant_id inside the transaction only', async () => {
    const inside = await db.withTenantTransaction('acme', (tx) => tx.query<{ tenant: string }>("select current_setting('app.tenant_id', true) as tenant"));
    expect(inside).toEqual([{ tenant: 'acme' }]);
    // PGlite has one connection, so this is the very session the transaction ran on.
    const after = await db.execute<{ tenant: string | null }>("select current_setting('app.tenant_id', true) as tenant");
    expect(after[0]!.tenant ?? '').toBe('');
  });

  it('withTenantTransaction binds role, tenant and search path in the round trip of begin, whatever the tenant id holds', async () => {
    await db.execute('create role vv_binding_probe nologin');
    await db.execute('create schema binding_probe');
    // Quotes, a backslash and a statement separator must arrive as the value, not as SQL, also on a server that
    // still reads backslashes as escapes in plain strings (PGlite's single session lets the test switch that).
    for (const conforming of ['on', 'off']) {
      await db.execute(`set standard_conforming_strings = ${conforming}`);
      for (const tenantId of ["o'brien", "x\\'; select 1; --", 'tenant-é']) {
        const inside = await db.withTenantTransaction(
          tenantId,
          (tx) =>
            tx.query<{ tenant: string; role: string; path: string }>(
              "select current_setting('app.tenant_id', true) as tenant, current_user as role, current_setting('search_path') as path",
            ),
          { role: 'vv_binding_probe', searchPath: 'binding_probe' },
        );
        expect(inside).toEqual([{ tenant: tenantId, role: 'vv_binding_probe', path: '"binding_probe", public' }]);
      }
    }
    await db.execute('reset standard_conforming_strings');
    const after = await db.execute<{ role: string; path: string }>("select current_user as role, current_setting('search_path') as path");
    expect(after[0]!.role).not.toBe('vv_binding_probe');
    expect(after[0]!.path).not.toContain('binding_probe');
  });

  it('withTenantTransaction rolls back and frees the connection when the binding fails', async () => {
    await expect(db.withTenantTransaction('acme', async () => 1, { role: 'vv_no_such_role' })).rejects.toThrow(/vv_no_such_role/);
    // PGlite has one connection: a transaction left open (aborted) would fail this statement.
    const after = await db.execute<{ tenant: string | null }>("select current_setting('app.tenant_id', true) as tenant");
    expect(after[0]!.tenant ?? '').toBe('');
  });

  it('withTenantTransaction rejects an empty tenant id', async () => {
    await expect(db.withTenantTransaction('', async () => 1)).rejects.toMatchObject({ code: 'VV_INTERNAL' });
  });

  it('migrates a schema once, records it, and is idempotent', async () => {
    const migrations = [{ name: 'widgets_0001_init', class: WidgetsInit }];
    expect(await db.migrate({ schema: 'widgets', migrations })).toEqual(['widgets_0001_init']);
    expect(await db.migrate({ schema: 'widgets', migrations })).toEqual([]);
    const recorded = await db.execute<{ name: string }>('select name from widgets.mikro_orm_migrations');
    expect(recorded).toEqual([{ name: 'widgets_0001_init' }]);
  });

  it('applies a migration added in a later release once the earlier ones are recorded', async () => {
    const first = [{ name: 'gadgets_0001_init', class: GadgetsInit }];
    expect(await db.migrate({ schema: 'gadgets', migrations: first })).toEqual(['gadgets_0001_init']);
    const both = [...first, { name: 'gadgets_0002_colour', class: GadgetsColour }];
    expect(await db.migrate({ schema: 'gadgets', migrations: both })).toEqual(['gadgets_0002_colour']);
    expect(await db.migrate({ schema: 'gadgets', migrations: both })).toEqual([]);
    expect(await db.execute("select column_name from information_schema.columns where table_schema = 'gadgets' and table_name = 'gadgets' order by column_name")).toEqual([
      { column_name: 'colour' },
      { column_name: 'id' },
    ]);
  });

  it('rolls a failing migration back entirely', async () => {
    const migrations = [{ name: 'broken_0001', class: BrokenMigration }];
    await expect(db.migrate({ schema: 'broken', migrations })).rejects.toThrow(/does_not_exist/);
    const tables = await db.execute("select 1 from information_schema.tables where table_schema = 'broken' and table_name = 'first'");
    expect(tables).toEqual([]);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    const error = await db.migrate({ schema: 'bad"name', migrations: [] }).catch((e: unknown) => e);
    expect(isVvError(error) && error.code).toBe('VV_CONFIG_INVALID');
  });

  it('creates the kernel tables with the kernel migration', async () => {
    expect(await db.migrate({ schema: 'kernel', migrations: kernelMigrations })).toEqual([
      'kernel_0001_init',
      'kernel_0002_identity_audit',
      'kernel_0003_idempotency',
      'kernel_0004_idempotency_attempt',
      'kernel_0005_session_versions',
      'kernel_0006_invitations',
      'kernel_0007_tenant_search',
      'kernel_0008_installs',
      'kernel_0009_data_lifecycle',
      'kernel_0010_totp_recovery_codes',
      'kernel_0011_tenant_logos',
      'kernel_0012_user_profile',
    ]);
    const tables = await db.execute<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'kernel' order by table_name");
    expect(tables.map((t) => t.table_name)).toEqual([
      'api_keys',
      'audit_log',
      'idempotency_keys',
      'install_instances',
      'install_packages',
      'installs',
      'invitations',
      'memberships',
      'mikro_orm_migrations',
      'plugin_set_versions',
      'refresh_tokens',
      'retention_policies',
      'session_versions',
      'signing_keys',
      'tenant_exports',
      'tenant_logos',
      'tenant_plugins',
      'tenant_purges',
      'tenants',
      'trusted_keys',
      'user_totp',
      'users',
    ]);
  });

  it('requires a location for the embedded database', async () => {
    await expect(openDatabase({})).rejects.toMatchObject({ code: 'VV_CONFIG_INVALID' });
  });
});

describe('openDatabase (embedded PGlite on disk)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vv-pglite-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  // Two more boots (~10 s): the only test that proves data survives a restart.
  it('persists to <dataDir>/pgdata across a restart', async () => {
    const first = await openDatabase({ dataDir });
    try {
      await first.migrate({ schema: 'kernel', migrations: kernelMigrations });
      await first.execute("insert into kernel.tenants (id, name) values ('acme', 'Acme')");
    } finally {
      await first.close();
    }
    const second = await openDatabase({ dataDir });
    try {
      expect(await second.migrate({ schema: 'kernel', migrations: kernelMigrations })).toEqual([]);
      expect(await second.execute('select id, name from kernel.tenants')).toEqual([{ id: 'acme', name: 'Acme' }]);
    } finally {
      await second.close();
    }
  }, 60_000);
});
