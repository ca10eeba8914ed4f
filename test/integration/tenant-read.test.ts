import { randomBytes } from 'node:crypto';
import type { Database } from '@valueverse/kernel';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
import { openDatabase } from '../../backends/src/data/open-database';
import { serverAvailabilitySync, TEST_POSTGRES_URL } from '../support/services';

// `Database.statementAsTenant` (what a plugin's `db.read` runs): one read-only statement bound to a tenant, in one round
// trip on a server (begin, binding, statement with inlined literals, commit), a read-only transaction embedded.
const targets: [string, () => Promise<Database>][] = [['embedded PGlite', () => openDatabase({ inMemory: true })]];
if (serverAvailabilitySync().postgres) targets.push(['PostgreSQL server', () => openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 })]);

describe.each(targets)('statementAsTenant on %s', (kind, open) => {
  const table = `vv_read_probe_${randomBytes(4).toString('hex')}`;
  let db: Database;
  const read = <R = Record<string, unknown>>(tenantId: string, sql: string, params: readonly unknown[] = [], options: { searchPath?: string } = {}) =>
    db.statementAsTenant<R>(tenantId, sql, params, { ...options, readOnly: true });

  beforeAll(async () => {
    db = await open();
    await db.execute(`create table public.${table} (id int primary key, tenant_id text not null, note text)`);
    await db.execute(`insert into public.${table} values (1, 'acme', 'a'), (2, 'other', 'b')`);
  }, 30_000);

  afterAll(async () => {
    await db?.execute(`drop table if exists public.${table}`).catch(() => undefined);
    await db?.close();
  });

  it('binds the tenant and search path for the statement only, and passes every kind of value intact', async () => {
    const tricky = "o'brien \\' $1 -- /* x */ ; drop table nothing";
    const at = new Date('2026-12-06T10:11:12.345Z');
    // A date is compared in the statement: this driver setup answers timestamptz as text.
    const sql = `select current_setting($7) as tenant, current_setting($8) as path, $1::text as s, $2::int as n, $3::numeric as d, $4::boolean as b,
                        $5::timestamptz = $10::timestamptz as t, $6::uuid is null as none, $9::text as big_index`;
    const params = [tricky, -3, 0.5, true, at, null, 'app.tenant_id', 'search_path', 'ninth', at.toISOString()];
    const rows = await read('acme', sql, params, { searchPath: 'public' });
    expect(rows).toEqual([{ tenant: 'acme', path: '"public", public', s: tricky, n: -3, d: '0.5', b: true, t: true, none: true, big_index: 'ninth' }]);
    // The same values a tenant transaction with bound parameters gives.
    expect(await db.withTenantTransaction('acme', (tx) => tx.query(sql, params), { searchPath: 'public' })).toEqual(rows);
    const after = await db.execute<{ tenant: string | null }>("select current_setting('app.tenant_id', true) as tenant");
    expect(after[0]!.tenant ?? '').toBe('');
  });

  it('passes arrays and JSON as bound parameters would, whatever their elements hold', async () => {
    const sql = 'select $1::text[] as texts, $2::numeric[] as numbers, $3::jsonb[] as docs, $4::jsonb as doc, array_length($1::text[], 1) as n';
    const params = [['a', 'b"c', 'd\\e', "f'g", null, '', 'NULL', '{x,y}'], [1.5, null, -2], [{ k: 'v"\\' }, null], { nested: ['a"', { b: null }] }];
    const rows = await read('acme', sql, params);
    expect(rows).toEqual(await db.withTenantTransaction('acme', (tx) => tx.query(sql, params)));
    expect(rows[0]!['n']).toBe(8);
  });

  it('commits a statement that writes, unless asked for read only', async () => {
    expect(await db.statementAsTenant('acme', `insert into public.${table} (id, tenant_id, note) values ($1, $2, $3) returning id`, [5, 'acme', 'written'])).toEqual([{ id: 5 }]);
    expect(await db.execute(`select note from public.${table} where id = 5`)).toEqual([{ note: 'written' }]);
    await db.execute(`delete from public.${table} where id = 5`);
  });

  it('reads rows of the table', async () => {
    expect(await read(`acme`, `select id, note from public.${table} where tenant_id = $1 order by id`, ['acme'])).toEqual([{ id: 1, note: 'a' }]);
  });

  it('is read only, and leaves the connection clean after a failed statement', async () => {
    await expect(read('acme', `insert into public.${table} (id, tenant_id) values ($1, $2)`, [3, 'acme'])).rejects.toThrow(/read-only/);
    await expect(read('acme', 'select 1 / $1::int as x', [0])).rejects.toThrow(/division by zero/);
    // One connection (PGlite's, or a pool of one): a transaction left open would show here.
    const after = await db.execute<{ tenant: string | null }>("select current_setting('app.tenant_id', true) as tenant");
    expect(after[0]!.tenant ?? '').toBe('');
    expect(await db.execute(`select count(*)::int as n from public.${table}`)).toEqual([{ n: 2 }]);
    expect(await read('acme', 'select $1::int + 1 as x', [1])).toEqual([{ x: 2 }]);
  });

  it('refuses a statement a placeholder could hide in, a missing value and a value it cannot inline', async () => {
    for (const sql of ["select 'x'", 'select "x"', 'select 1; select 2', 'select 1 -- $1', 'select /* $1 */ 1', 'select $$x$$', 'select $q$x$q$', 'select E\\x']) {
      await expect(read('acme', sql, [1])).rejects.toMatchObject({ code: 'VV_INTERNAL' });
    }
    await expect(read('acme', 'select $2::int', [1])).rejects.toMatchObject({ code: 'VV_INTERNAL' });
    await expect(read('acme', 'select $1::int[]', [[[1]]])).rejects.toMatchObject({ code: 'VV_INTERNAL' });
    await expect(read('acme', 'select $1::float8', [Number.NaN])).rejects.toMatchObject({ code: 'VV_INTERNAL' });
    await expect(read('', 'select 1', [])).rejects.toMatchObject({ code: 'VV_INTERNAL' });
  });

  if (kind === 'PostgreSQL server') {
    it('takes one round trip where a tenant transaction takes three', async () => {
      const spy = jest.spyOn(pg.Client.prototype, 'query');
      try {
        await read('acme', 'select $1::int as x', [1]);
        const one = spy.mock.calls.length;
        spy.mockClear();
        await db.withTenantTransaction('acme', (tx) => tx.query('select $1::int as x', [1]));
        const transaction = spy.mock.calls.length;
        expect({ one, transaction }).toEqual({ one: 1, transaction: 3 });
      } finally {
        spy.mockRestore();
      }
    });
  }
});
