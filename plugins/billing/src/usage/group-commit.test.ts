import { isVvError, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';
import { UsageIngestor, type UsageEventInput } from './usage-ingestor';

// Group commit: single-event requests of a tenant that arrive while its writes are in flight are written together,
// one transaction for all of them, and each is answered after that commit with its own result. These run against a
// database stand-in that records each write (one `ingest_usage` call) and lets the test decide when it commits.

const customerId = '00000000-0000-4000-8000-000000000001';

interface Write {
  readonly ids: readonly string[];
  readonly commit: (failure?: Error) => void;
}

function fakeDatabase(stored: Set<string>) {
  const writes: Write[] = [];
  let arrived: () => void = () => undefined;
  const db: PluginDatabase = {
    schema: 'billing',
    em: () => Promise.reject(new Error('not used')),
    read: () => Promise.reject(new Error('not used')),
    // One statement in a transaction of its own: what the ingestor writes with when no thresholds are set.
    statement: <R>(tenantId: string, sql: string, params?: readonly unknown[]) => db.transaction(tenantId, (tx) => tx.query<R>(sql, params)),
    transaction: async <T>(_tenantId: string, work: (tx: SqlTransaction) => Promise<T>): Promise<T> => {
      let failure: Error | undefined;
      const pending: string[] = [];
      const tx: SqlTransaction = {
        query: async <R>(sql: string, params: readonly unknown[] = []): Promise<R[]> => {
          if (sql.includes('from customers')) return [{ id: customerId, external_id: 'alpha' }] as R[];
          if (sql.includes('from metrics')) return [{ code: 'calls', name: 'Calls', aggregation: 'count', field: null, group_by: [] }] as R[];
          // ingest_usage: stores the ids not stored yet (at commit), answers which.
          const ids = params[1] as string[];
          const fresh = ids.filter((id) => !stored.has(id));
          pending.push(...fresh);
          await new Promise<void>((resolve) => {
            writes.push({ ids, commit: (f) => ((failure = f), resolve()) });
            arrived();
          });
          if (failure) throw failure;
          return [{ ok: true, stored: fresh.length, inserted: fresh.length === ids.length ? null : fresh }] as R[];
        },
      };
      const result = await work(tx);
      for (const id of pending) stored.add(id);
      return result;
    },
  };
  const nextWrite = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (writes.length >= count ? resolve() : (arrived = check));
      check();
    });
  return { db, writes, nextWrite };
}

const event = (transactionId: string, overrides: Partial<UsageEventInput> = {}): UsageEventInput => ({
  transactionId,
  customerId: 'alpha',
  metric: 'calls',
  timestamp: new Date().toISOString(),
  ...overrides,
});
const options = { graceHours: 24 };

describe('usage ingestion: group commit of concurrent single-event requests', () => {
  it('writes the requests queued behind a write in one transaction and answers each with its own result', async () => {
    const stored = new Set(['old-1']);
    const { db, writes, nextWrite } = fakeDatabase(stored);
    const ingestor = new UsageIngestor(db, { writesPerTenant: 1, mergeDelayMs: 0 });
    const first = ingestor.ingest('acme', [event('e-0')], options, () => '');
    await nextWrite(1);
    // While the first write waits for its commit: 8 more requests, one of them sent twice and one already stored.
    const queued = ['e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-1', 'old-1', 'e-6'].map((id) => ingestor.ingest('acme', [event(id)], options, () => ''));
    // One of them is refused before it is queued: it fails alone.
    const refused = ingestor.ingest('acme', [event('bad', { timestamp: 'yesterday' })], options, () => '');
    await expect(refused).rejects.toMatchObject({ code: 'VV_VALIDATION' });
    await new Promise((resolve) => setImmediate(resolve));
    writes[0]!.commit();
    expect(await first).toEqual({ counted: 1, duplicates: [] });
    await nextWrite(2);
    // All 8 in the second write: one transaction, one commit.
    expect(writes[1]!.ids).toEqual(['e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6', 'old-1']);
    let answered = 0;
    for (const request of queued) void request.then(() => (answered += 1));
    await new Promise((resolve) => setImmediate(resolve));
    // Nobody is answered before the shared commit.
    expect(answered).toBe(0);
    writes[1]!.commit();
    expect(await Promise.all(queued)).toEqual([
      { counted: 1, duplicates: [] },
      { counted: 1, duplicates: [] },
      { counted: 1, duplicates: [] },
      { counted: 1, duplicates: [] },
      { counted: 1, duplicates: [] },
      { counted: 0, duplicates: ['e-1'] },
      { counted: 0, duplicates: ['old-1'] },
      { counted: 1, duplicates: [] },
    ]);
    expect(writes).toHaveLength(2);
    expect([...stored].sort()).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6', 'old-1']);
  });

  it("fails every request of a write whose transaction failed, with the database's error, and stores none of them", async () => {
    const stored = new Set<string>();
    const { db, writes, nextWrite } = fakeDatabase(stored);
    const ingestor = new UsageIngestor(db, { writesPerTenant: 1, mergeDelayMs: 0 });
    const first = ingestor.ingest('acme', [event('f-0')], options, () => '');
    await nextWrite(1);
    const queued = ['f-1', 'f-2', 'f-3'].map((id) => ingestor.ingest('acme', [event(id)], options, () => ''));
    await new Promise((resolve) => setImmediate(resolve));
    writes[0]!.commit();
    await first;
    await nextWrite(2);
    // The connection is lost during the shared write: a connection-class failure, which the kernel answers with 503.
    const lost = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    writes[1]!.commit(lost);
    const outcomes = await Promise.allSettled(queued);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'answered'))).toEqual(['57P01', '57P01', '57P01']);
    expect(outcomes.every((o) => o.status === 'rejected' && !isVvError(o.reason))).toBe(true);
    expect([...stored]).toEqual(['f-0']);
  });
});
