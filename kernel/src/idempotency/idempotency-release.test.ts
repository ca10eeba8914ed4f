import { coreServices, definePlugin, respond } from '@valueverse/plugin-sdk';
import { bootKernel, type BootedKernel } from '../__fixtures__/boot-kernel';
import { manifest } from '../__fixtures__/kernel-test-support';
import { MemoryIdempotencyStore, type IdempotencyScope, type IdempotencyTimes } from './idempotency-store';

/**
 * A memory store whose next `failures` calls of `abandon` (or `begin`) throw, as a store on a database that just
 * dropped its connections does: the request fails, and so does the first try to give its key back.
 */
class FlakyStore extends MemoryIdempotencyStore {
  abandonFailures = 0;
  beginFailuresAfterTaking = 0;
  abandonCalls = 0;

  override async begin(scope: IdempotencyScope, fingerprint: string, times: IdempotencyTimes, attempt: string) {
    const result = await super.begin(scope, fingerprint, times, attempt);
    if (this.beginFailuresAfterTaking > 0) {
      this.beginFailuresAfterTaking -= 1;
      // The insert committed, the answer never arrived.
      throw new Error('Connection terminated unexpectedly');
    }
    return result;
  }

  override async abandon(scope: IdempotencyScope, attempt: string) {
    this.abandonCalls += 1;
    if (this.abandonFailures > 0) {
      this.abandonFailures -= 1;
      throw new Error('terminating connection due to administrator command');
    }
    return super.abandon(scope, attempt);
  }
}

// issue #10, finding 8: after a failed keyed request, 4 of 13 retries with the same key got 409 for a 5-minute lock.
describe('a failed keyed request gives its Idempotency-Key back at once', () => {
  let k: BootedKernel;
  const store = new FlakyStore();
  let failing = true;
  let runs = 0;

  beforeAll(async () => {
    const plugin = definePlugin({
      deps: { http: coreServices.http },
      setup({ http }) {
        http.route({
          method: 'POST',
          path: '/payments',
          idempotency: 'required',
          handler: () => {
            runs += 1;
            if (failing) throw new Error('the database went away mid-request');
            return respond(201, { run: runs });
          },
        });
      },
    });
    k = await bootKernel({ plugins: [{ manifest: manifest('payments', { routes: ['/payments'] }), plugin }], idempotencyStore: store });
  });
  afterAll(() => k.close());
  beforeEach(() => {
    runs = 0;
    failing = true;
    store.abandonFailures = 0;
    store.beginFailuresAfterTaking = 0;
    store.abandonCalls = 0;
  });

  const pay = (key: string) => k.request('POST', '/api/v1/payments', { role: 'member', body: { amount: 10 }, headers: { 'idempotency-key': key } });

  it('when the first release fails too, the retry right after the failure runs (not 409)', async () => {
    store.abandonFailures = 2;
    expect((await pay('key-a')).status).toBe(500);
    failing = false;
    const retry = await pay('key-a');
    expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: { run: 2 } });
    expect(store.abandonCalls).toBe(3);
    // And the completed answer is kept: the next retry replays it.
    const replay = await pay('key-a');
    expect({ status: replay.status, replayed: replay.headers.get('idempotent-replayed'), body: replay.body }).toEqual({ status: 201, replayed: 'true', body: { run: 2 } });
  });

  it('13 retries after a failure whose releases kept failing for a while: none meets 409', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) {
      store.abandonFailures = i % 3; // 0, 1 or 2 failed releases after each failure
      statuses.push((await pay('key-b')).status);
    }
    expect(statuses).toEqual(Array.from({ length: 13 }, () => 500));
    expect(runs).toBe(13);
  });

  it('when every quick try fails, the release goes on in the background: the key frees without waiting out the lock', async () => {
    store.abandonFailures = 5; // the 4 tries before answering, and the first background one
    expect((await pay('key-d')).status).toBe(500);
    failing = false;
    expect((await pay('key-d')).status).toBe(409);
    // Background tries at 1 s, then 2 s later; polled with room to spare (the lock itself would hold 5 minutes).
    const started = Date.now();
    let status = 409;
    while (status === 409 && Date.now() - started < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await pay('key-d')).status;
    }
    expect(status).toBe(201);
    expect(store.abandonCalls).toBe(6);
  }, 20_000);

  it('a store that took the key but failed to say so: 503-class answer, and the key is free for the retry', async () => {
    store.beginFailuresAfterTaking = 1;
    const first = await pay('key-c');
    expect(first.status).toBe(503);
    // A terminated connection is a connection-class failure: 503 VV_UNAVAILABLE with Retry-After (issue #10, 7).
    expect(first.body.code).toBe('VV_UNAVAILABLE');
    // The store's own message (which may quote SQL) is not the client's business.
    expect(JSON.stringify(first.body)).not.toContain('Connection terminated');
    failing = false;
    expect((await pay('key-c')).status).toBe(201);
  });
});
