import type { IdempotencyScope, IdempotencyStore, IdempotencyTimes, StoredResponse } from './idempotency-store';

const T0 = Date.parse('2026-11-29T10:00:00Z');
const LOCK = 60_000;
const RETAIN = 3_600_000;
const at = (ms: number): IdempotencyTimes => ({ now: T0 + ms, lockMs: LOCK, retainMs: RETAIN });
const created: StoredResponse = { status: 201, headers: { 'content-type': 'application/json; charset=utf-8', location: '/api/v1/things/1' }, bodyKind: 'json', body: '{"id":"1"}' };

/**
 * What every IdempotencyStore must do, run against memory, embedded PGlite and a PostgreSQL server. `make` returns a
 * store with no records in which tenants `acme` and `globex` exist.
 */
export function describeIdempotencyStoreContract(name: string, make: () => Promise<IdempotencyStore>): void {
  describe(`${name}: the IdempotencyStore contract`, () => {
    let store: IdempotencyStore;
    const scope = (over: Partial<IdempotencyScope> = {}): IdempotencyScope => ({ tenantId: 'acme', principal: 'user-1', key: 'k-1', ...over });

    beforeEach(async () => {
      store = await make();
    });

    it('lets the first request with a key run, and holds the key while it runs', async () => {
      expect(await store.begin(scope(), 'fp', at(0), 'attempt-1')).toEqual({ kind: 'new' });
      expect(await store.begin(scope(), 'fp', at(1000), 'attempt-1')).toEqual({ kind: 'in-progress' });
    });

    it('refuses the key for a different request, running or done', async () => {
      await store.begin(scope(), 'fp', at(0), 'attempt-1');
      expect(await store.begin(scope(), 'other', at(1), 'attempt-1')).toEqual({ kind: 'mismatch' });
      await store.complete(scope(), created, at(2));
      expect(await store.begin(scope(), 'other', at(3), 'attempt-1')).toEqual({ kind: 'mismatch' });
    });

    it('replays the stored response to the same request, status, headers and body', async () => {
      await store.begin(scope(), 'fp', at(0), 'attempt-1');
      await store.complete(scope(), created, at(10));
      expect(await store.begin(scope(), 'fp', at(20), 'attempt-1')).toEqual({ kind: 'replay', response: created });
      const empty: StoredResponse = { status: 204, headers: {}, bodyKind: 'none', body: null };
      await store.begin(scope({ key: 'k-2' }), 'fp', at(0), 'attempt-1');
      await store.complete(scope({ key: 'k-2' }), empty, at(10));
      expect(await store.begin(scope({ key: 'k-2' }), 'fp', at(20), 'attempt-1')).toEqual({ kind: 'replay', response: empty });
    });

    it('keeps keys apart by tenant and by caller', async () => {
      await store.begin(scope(), 'fp', at(0), 'attempt-1');
      expect(await store.begin(scope({ tenantId: 'globex' }), 'fp', at(1), 'attempt-1')).toEqual({ kind: 'new' });
      expect(await store.begin(scope({ principal: 'user-2' }), 'fp', at(1), 'attempt-1')).toEqual({ kind: 'new' });
    });

    it('frees an abandoned key, but abandoning a completed one changes nothing', async () => {
      await store.begin(scope(), 'fp', at(0), 'attempt-1');
      await store.abandon(scope(), 'attempt-1');
      expect(await store.begin(scope(), 'other', at(1), 'attempt-2')).toEqual({ kind: 'new' });
      await store.complete(scope(), created, at(2));
      await store.abandon(scope(), 'attempt-2');
      expect(await store.begin(scope(), 'other', at(3), 'attempt-1')).toEqual({ kind: 'replay', response: created });
    });

    it('frees a key only for the attempt that holds it: a late release of an earlier attempt changes nothing', async () => {
      await store.begin(scope(), 'fp', at(0), 'attempt-1');
      await store.abandon(scope(), 'attempt-2');
      expect(await store.begin(scope(), 'fp', at(1), 'attempt-3')).toEqual({ kind: 'in-progress' });
      await store.abandon(scope(), 'attempt-1');
      expect(await store.begin(scope(), 'fp', at(2), 'attempt-2')).toEqual({ kind: 'new' });
      // attempt-1's release, retried after the key moved on, must not free attempt-2's hold.
      await store.abandon(scope(), 'attempt-1');
      expect(await store.begin(scope(), 'fp', at(3), 'attempt-3')).toEqual({ kind: 'in-progress' });
      await store.abandon(scope(), 'attempt-2');
      expect(await store.begin(scope(), 'fp', at(4), 'attempt-3')).toEqual({ kind: 'new' });
    });

    it('lets another request take over a key whose request outlived its lock (its instance stopped)', async () => {
      await store.begin(scope(), 'fp', at(0), 'attempt-1');
      expect(await store.begin(scope(), 'fp', at(LOCK - 1), 'attempt-2')).toEqual({ kind: 'in-progress' });
      expect(await store.begin(scope(), 'fp', at(LOCK), 'attempt-2')).toEqual({ kind: 'new' });
      // The stopped instance's attempt no longer holds the key: its release (should it come) frees nothing.
      await store.abandon(scope(), 'attempt-1');
      expect(await store.begin(scope(), 'fp', at(LOCK + 1), 'attempt-3')).toEqual({ kind: 'in-progress' });
    });

    it('forgets a completed response after its retention, counted from completion; sweep deletes what expired', async () => {
      await store.begin(scope(), 'fp', at(0), 'attempt-1');
      await store.complete(scope(), created, at(5000));
      await store.begin(scope({ key: 'k-2' }), 'fp', at(RETAIN), 'attempt-1');
      expect((await store.begin(scope(), 'fp', at(RETAIN + 4999), 'attempt-1')).kind).toBe('replay');
      expect(await store.sweep(T0 + RETAIN + 5000)).toBe(1);
      expect(await store.begin(scope(), 'other', at(RETAIN + 5000), 'attempt-1')).toEqual({ kind: 'new' });
      // k-2 (begun at RETAIN) is still held.
      expect(await store.begin(scope({ key: 'k-2' }), 'fp', at(RETAIN + 5000), 'attempt-1')).toEqual({ kind: 'in-progress' });
    });

    it('lets exactly one of many concurrent first requests run', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.begin(scope({ key: 'race' }), 'fp', at(0), `attempt-${i}`)));
      expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'in-progress')).toHaveLength(7);
    });
  });
}
