/**
 * The executor's migrations on embedded PostgreSQL: the test kernel applies all of them on boot, as the platform
 * does on install and upgrade. Reverting runs the newest step's own `down` (then `up`) SQL in the plugin's schema,
 * as the kernel's migrator would: a plugin cannot reach the kernel's migrator, which is not part of the SDK.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { SqlTransaction } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { commitmentFixture } from '../__fixtures__/commitment-fixture';
import { fakeCommitter } from '../__fixtures__/fake-committer';
import { day } from '../__fixtures__/relative-days';
import { executorMigrations } from './executor-migrations';

interface OwnerDatabase {
  execute<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  withTenantTransaction<T>(tenantId: string, work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
}

describe('executor migrations on embedded PostgreSQL', () => {
  let k: TestKernel;
  let database: OwnerDatabase;
  const notes = executorMigrations.find((m) => m.name === '0003-measurement-notes')!;

  const noteColumn = () =>
    database.execute<{ data_type: string; is_nullable: string }>(
      `select data_type, is_nullable from information_schema.columns
        where table_schema = 'value_executor' and table_name = 'measurements' and column_name = 'note'`,
    );
  const runInSchema = (statements: readonly string[]) =>
    database.transaction(async (tx) => {
      await tx.query('set local search_path to value_executor, public');
      for (const sql of statements) await tx.query(sql);
    });
  const count = async () =>
    Number((await database.withTenantTransaction('acme', (tx) => tx.query<{ n: string }>('select count(*)::text as n from value_executor.measurements')))[0]!.n);
  // As the owner, past the API's schema and checker: only the column check stands in the way.
  const insertNote = (note: string) =>
    database.withTenantTransaction('acme', (tx) =>
      tx.query(
        `insert into value_executor.measurements (id, tenant_id, commitment_id, metric, value, measured_at, source, note)
         values ($1, 'acme', 'c-1', 'hours_saved', 1, now(), 'sql', $2)`,
        [randomUUID(), note],
      ),
    );

  beforeAll(async () => {
    k = await createTestKernel({ plugins: [fakeCommitter([commitmentFixture({ id: 'c-1' })]), { dir: path.resolve(__dirname, '../..') }] });
    database = k.kernel.database as OwnerDatabase;
  }, 60_000);

  afterAll(async () => {
    await k?.close();
  });

  it('0003 adds a nullable note column whose check refuses more than 1000 characters', async () => {
    expect(await noteColumn()).toEqual([{ data_type: 'text', is_nullable: 'YES' }]);
    await expect(insertNote('n'.repeat(1001))).rejects.toThrow(/measurements_note_length/);
    await expect(insertNote('\u{1F4CF}'.repeat(1000))).resolves.toEqual([]);
  });

  it('0003 reverts: the column goes, the measurements stay, and it applies again', async () => {
    // 0004 runs after 0003 and does not touch the note column: 0003 reverts on its own.
    expect(executorMigrations.map((m) => m.name)).toEqual(['0001-measurements', '0002-milestone-states', '0003-measurement-notes', '0004-measurement-corrections']);
    const recorded = await k.request('POST', '/api/v1/realization/measurements', {
      body: { commitmentId: 'c-1', metric: 'hours_saved', value: 9, measuredAt: new Date().toISOString(), note: 'kept?' },
    });
    expect(recorded.status).toBe(201);
    const before = await count();

    await runInSchema(notes.down);
    expect(await noteColumn()).toEqual([]);
    expect(await count()).toBe(before);

    await runInSchema(notes.up);
    expect(await noteColumn()).toEqual([{ data_type: 'text', is_nullable: 'YES' }]);
    await expect(insertNote('n'.repeat(1001))).rejects.toThrow(/measurements_note_length/);
    // Notes go with the column; the measurements read back without one.
    expect((await k.request('GET', `/api/v1/realization/measurements/${recorded.body.id}`)).body).toMatchObject({ value: 9, note: null });
  });

  it('0004 is the newest step: corrections are kept with their reason and the readings they replace; it reverts and applies again', async () => {
    const corrections = executorMigrations.at(-1)!;
    expect(corrections.name).toBe('0004-measurement-corrections');
    const columns = () =>
      database.execute<{ column_name: string }>(
        `select column_name from information_schema.columns
          where table_schema = 'value_executor' and table_name = 'measurements' and column_name in ('correction_reason', 'superseded_by') order by column_name`,
      );
    expect((await columns()).map((c) => c.column_name)).toEqual(['correction_reason', 'superseded_by']);
    for (const [value, at] of [
      [100, day(-3)],
      [300, day(-2)],
    ] as const) {
      expect((await k.request('POST', '/api/v1/realization/measurements', { body: { commitmentId: 'c-1', metric: 'tickets_deflected', value, measuredAt: at } })).status).toBe(201);
    }
    const corrected = await k.request('POST', '/api/v1/realization/measurements', {
      body: { commitmentId: 'c-1', metric: 'tickets_deflected', value: 200, measuredAt: day(-1), correction: { reason: 'recount' } },
    });
    expect(corrected.status).toBe(201);
    const before = await count();

    await runInSchema(corrections.down);
    expect(await columns()).toEqual([]);
    expect(await count()).toBe(before);
    await runInSchema(corrections.up);
    expect((await columns()).map((c) => c.column_name)).toEqual(['correction_reason', 'superseded_by']);
    // Reverted, the correction and the pointer are gone: every reading counts again, as before 0004.
    expect((await k.request('GET', `/api/v1/realization/measurements/${corrected.body.id}`)).body).toMatchObject({ value: 200, correctionReason: null, supersededBy: null });
  });
});
