import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migration } from '@mikro-orm/migrations';
import { isVvError } from '@valueverse/plugin-sdk';
import { openDatabase, type Database } from './database';
import { kernelMigrations } from './kernel-migrations';

class WidgetsInit extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table widgets.widgets (id int primary key, tenant_id text not null, data jsonb not null)');
  }
  override async down(): Promise<void> {
    this.addSql('drop table widgets.widgets');
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
    const inside = await db.withTenantTransaction('acme', (tx) =>
      tx.query<{ tenant: string }>("select current_setting('app.tenant_id', true) as tenant"),
    );
    expect(inside).toEqual([{ tenant: 'acme' }]);
    // PGlite has one connection, so this is the very session the transaction ran on.
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
    expect(await db.migrate({ schema: 'kernel', migrations: kernelMigrations })).toEqual(['kernel_0001_init', 'kernel_0002_identity_audit', 'kernel_0003_idempotency', 'kernel_0004_idempotency_attempt', 'kernel_0005_session_versions', 'kernel_0006_invitations', 'kernel_0007_tenant_search']);
    const tables = await db.execute<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'kernel' order by table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'api_keys',
      'audit_log',
      'idempotency_keys',
      'invitations',
      'memberships',
      'mikro_orm_migrations',
      'plugin_set_versions',
      'refresh_tokens',
      'session_versions',
      'tenant_plugins',
      'tenants',
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
