import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { openDatabase } from '@valueverse/backend-defaults';
import type { Database } from '@valueverse/kernel';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

// Issue #17 "Done when": 10,000 events sent twice concurrently from 4 clients, with retries after dropped
// responses, are counted once in every summary (OpenMeter #5118 and Lago #5359 lost or doubled retried events).
// A dropped response is a request the client aborts at a random moment: the server may or may not have stored it,
// and the client sends the same batch again, as a real client after a timeout would.

const billingDir = path.resolve(__dirname, '../../plugins/billing');
const EVENTS = 10_000;
const BATCH = 250;
const CLIENTS = 4;

interface Figures {
  sends: number;
  dropped: number;
  counted: number;
  duplicates: number;
}

async function meterTwice(k: TestKernel): Promise<Figures> {
  // The last whole hour and the nine before it: never in the future.
  const hour = (Math.floor(Date.now() / 3_600_000) - 1) * 3_600_000;
  const events = Array.from({ length: EVENTS }, (_, i) => ({
    transactionId: `tx-${i.toString().padStart(5, '0')}`,
    customerId: i % 2 === 0 ? 'alpha' : 'beta',
    metric: i % 3 === 0 ? 'storage_gb' : 'api_calls',
    // Spread over the last 10 hours so many rollup rows take concurrent updates.
    timestamp: new Date(hour - (i % 10) * 3_600_000 + (i % 3_600) * 1000).toISOString(),
    properties: { gb: '0.001' },
  }));
  const batches: (typeof events)[] = [];
  for (let i = 0; i < EVENTS; i += BATCH) batches.push(events.slice(i, i + BATCH));
  // Every batch twice, the copies far apart in some queues and adjacent in others.
  const queue = [...batches.map((b, i) => ({ b, i })), ...batches.map((b, i) => ({ b, i }))].sort((x, y) => ((x.i * 7919) % 41) - ((y.i * 7919) % 41));
  const token = await k.token('acme', 'member');
  const figures: Figures = { sends: 0, dropped: 0, counted: 0, duplicates: 0 };
  let seed = 17;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  async function send(batch: (typeof events)[number][]): Promise<void> {
    for (;;) {
      figures.sends += 1;
      const controller = new AbortController();
      // About one send in five loses its response somewhere between 1 and 40 ms in.
      const drop = random() < 0.2 ? setTimeout(() => controller.abort(), 1 + Math.floor(random() * 40)) : undefined;
      try {
        const res = await fetch(`${k.url}/api/v1/billing/usage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events: batch }),
          signal: controller.signal,
        });
        const body = (await res.json()) as { counted: number; duplicates: string[] };
        clearTimeout(drop);
        if (res.status === 200) {
          figures.counted += body.counted;
          figures.duplicates += body.duplicates.length;
          return;
        }
        if (res.status !== 429 && res.status < 500) throw new Error(`usage answered ${res.status}: ${JSON.stringify(body)}`);
      } catch (error) {
        clearTimeout(drop);
        if ((error as Error).name !== 'AbortError') throw error;
        figures.dropped += 1;
      }
    }
  }
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await send(next.b);
    }),
  );
  return figures;
}

function exactlyOnceSuite(database: () => 'embedded' | { url: string }) {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ dir: billingDir }], tenants: ['acme'], database: database() });
    for (const externalId of ['alpha', 'beta'])
      expect((await k.request('POST', '/api/v1/billing/customers', { body: { externalId, name: externalId, currency: 'USD' } })).status).toBe(201);
    await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'api_calls', name: 'API calls', aggregation: 'count' } });
    await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'storage_gb', name: 'Storage', aggregation: 'sum', field: 'gb' } });
  }, 60_000);
  afterAll(() => k?.close());

  it('counts 10,000 events sent twice by 4 concurrent clients with dropped responses exactly once', async () => {
    const started = Date.now();
    const figures = await meterTwice(k);
    const seconds = (Date.now() - started) / 1000;
    console.log(`billing exactly-once: ${figures.sends} sends (${figures.dropped} dropped responses) in ${seconds.toFixed(1)} s; counted ${figures.counted} in answered sends`);
    expect(figures.sends).toBeGreaterThanOrEqual((2 * EVENTS) / BATCH);
    const from = encodeURIComponent(new Date(Date.now() - 12 * 3_600_000).toISOString());
    const to = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    const total = async (customer: string, metric: string) =>
      (await k.request('GET', `/api/v1/billing/usage/summary?customerId=${customer}&metric=${metric}&from=${from}&to=${to}&granularity=hour`)).body as {
        total: string;
        buckets: { value: string }[];
      };
    // Events i: alpha for even i, beta for odd; storage_gb for i % 3 == 0 (each 0.001 GB), api_calls otherwise.
    const expected = { alpha: { storage: 0, calls: 0 }, beta: { storage: 0, calls: 0 } };
    for (let i = 0; i < EVENTS; i += 1) expected[i % 2 === 0 ? 'alpha' : 'beta'][i % 3 === 0 ? 'storage' : 'calls'] += 1;
    const check = async () => {
      for (const customer of ['alpha', 'beta'] as const) {
        const calls = await total(customer, 'api_calls');
        expect(calls.total).toBe(String(expected[customer].calls));
        expect(calls.buckets.reduce((sum, b) => sum + Number(b.value), 0)).toBe(expected[customer].calls);
        // The summed decimal is exact: n × 0.001 with no binary drift.
        expect((await total(customer, 'storage_gb')).total).toBe((expected[customer].storage / 1000).toString());
      }
    };
    // Read while the last writes' rollup deltas may still wait for their merge (summaries add them), and again once
    // every delta is merged into the rollups: the same counts.
    await check();
    const unmerged = async () => Number((await k.kernel.database!.execute<{ n: string }>('select count(*)::text as n from billing.usage_rollup_deltas'))[0]!.n);
    for (let i = 0; i < 100 && (await unmerged()) > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await unmerged()).toBe(0);
    await check();
    // Every answered send reported each event as counted or duplicate; across all answered sends no event was
    // counted twice (dropped sends may have counted some, so the answered ones count at most 10,000).
    expect(figures.counted).toBeLessThanOrEqual(EVENTS);
  }, 300_000);
}

describe('billing usage exactly once on the embedded database (PGlite)', () => {
  exactlyOnceSuite(() => 'embedded');
});

describeWithPostgres('billing usage exactly once on PostgreSQL', () => {
  const name = `vv_billing_${randomBytes(5).toString('hex')}`;
  let admin: Database;
  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${name}`);
  });
  afterAll(async () => {
    await admin?.execute(`drop database if exists ${name} with (force)`);
    await admin?.close();
  });
  exactlyOnceSuite(() => ({ url: postgresUrl(name) }));
});
