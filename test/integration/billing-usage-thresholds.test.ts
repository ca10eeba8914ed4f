import path from 'node:path';
import type { EventEnvelope } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { ThresholdAnnouncer, type ThresholdCrossedEvent } from '../../plugins/billing/src/usage/usage-thresholds';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { describeWithPostgres } from '../support/services';

// Issue #17: `billing.usage.threshold_crossed` is emitted once per threshold per period when a customer's usage of
// a metric reaches a configured threshold, however often the usage is sent and on however many instances.

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };

const billingDir = path.resolve(__dirname, '../../plugins/billing');
const thresholds = { api_calls: ['10', '25'], storage_gb: ['1.5'] };
const crossed = (k: TestKernel) => k.events.filter((e) => e.name === 'billing.usage.threshold_crossed') as EventEnvelope<ThresholdCrossedEvent>[];

async function setUp(k: TestKernel): Promise<void> {
  for (const externalId of ['alpha', 'beta'])
    expect((await k.request('POST', '/api/v1/billing/customers', { body: { externalId, name: externalId, currency: 'USD', timeZone: 'Europe/Berlin' } })).status).toBe(201);
  expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'api_calls', name: 'API calls', aggregation: 'count' } })).status).toBe(201);
  expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'storage_gb', name: 'Storage', aggregation: 'sum', field: 'gb' } })).status).toBe(201);
}

// Now: inside the customer's current calendar month (the period without a subscription) and not in the future.
const call = (id: string, customerId = 'alpha') => ({ transactionId: id, customerId, metric: 'api_calls', timestamp: new Date().toISOString() });

describe('billing usage thresholds on the embedded database', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ dir: billingDir }], tenants: ['acme', 'globex'], config: { billing: { usageThresholds: thresholds } } });
    await setUp(k);
  }, 60_000);
  afterAll(() => k?.close());

  it('announces each threshold once per period when usage reaches it, not again on retries or further usage', async () => {
    const post = (events: unknown[]) => k.request('POST', '/api/v1/billing/usage', { role: 'member', body: { events } });
    expect((await post(Array.from({ length: 9 }, (_, i) => call(`a-${i}`)))).body.counted).toBe(9);
    expect(crossed(k)).toEqual([]);
    // The tenth event reaches 10; sending the same batch again (a retry) and an eleventh change nothing more.
    const tenth = [call('a-8'), call('a-9')];
    expect((await post(tenth)).body).toEqual({ counted: 1, duplicates: ['a-8'] });
    expect((await post(tenth)).body).toEqual({ counted: 0, duplicates: ['a-8', 'a-9'] });
    expect((await post([call('a-10')])).body.counted).toBe(1);
    const first = crossed(k);
    expect(first).toHaveLength(1);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    expect(first[0]!.tenantId).toBe('acme');
    expect(first[0]!.payload).toMatchObject({ externalId: 'alpha', metric: 'api_calls', threshold: '10', quantity: '10', periodStart: `${today.slice(0, 8)}01` });
    expect(first[0]!.payload.periodEnd > today).toBe(true);
    // One batch past both 25 and nothing else: one more announcement, for 25.
    expect((await post(Array.from({ length: 20 }, (_, i) => call(`b-${i}`)))).body.counted).toBe(20);
    expect(crossed(k).map((e) => [e.payload.externalId, e.payload.threshold, e.payload.quantity])).toEqual([
      ['alpha', '10', '10'],
      ['alpha', '25', '31'],
    ]);
    // Another customer crosses on its own; decimal sums compare exactly (0.5 + 1.0 reaches 1.5).
    await post([call('c-1', 'beta'), { transactionId: 's-1', customerId: 'beta', metric: 'storage_gb', timestamp: new Date().toISOString(), properties: { gb: '0.5' } }]);
    expect(crossed(k)).toHaveLength(2);
    await post([{ transactionId: 's-2', customerId: 'beta', metric: 'storage_gb', timestamp: new Date().toISOString(), properties: { gb: '1.0' } }]);
    expect(crossed(k).at(-1)!.payload).toMatchObject({ externalId: 'beta', metric: 'storage_gb', threshold: '1.5', quantity: '1.5' });
    // Without thresholds configured (another tenant), nothing is announced.
    expect((await k.setPlugin('globex', 'billing', { config: { usageThresholds: {} } })).status).toBeLessThan(300);
    await k.request('POST', '/api/v1/billing/customers', { tenant: 'globex', body: { externalId: 'alpha', name: 'a', currency: 'USD' } });
    await k.request('POST', '/api/v1/billing/metrics', { tenant: 'globex', body: { code: 'api_calls', name: 'API calls', aggregation: 'count' } });
    expect((await k.request('POST', '/api/v1/billing/usage', { tenant: 'globex', body: { events: Array.from({ length: 30 }, (_, i) => call(`g-${i}`)) } })).status).toBe(200);
    expect(crossed(k).filter((e) => e.tenantId === 'globex')).toEqual([]);
    expect(new Set(crossed(k).map((e) => e.payload.crossingId)).size).toBe(crossed(k).length);
  });
});

describeWithPostgres('billing usage thresholds on PostgreSQL, two instances', () => {
  let scratch: ScratchDatabase;
  let one: TestKernel;
  let two: TestKernel;
  beforeAll(async () => {
    scratch = await createScratchDatabase('vv_billing_thresholds');
    one = await createTestKernel({ plugins: [{ dir: billingDir }], tenants: ['acme'], database: { url: scratch.url }, config: { billing: { usageThresholds: thresholds } } });
    two = await createTestKernel({ plugins: [{ dir: billingDir }], tenants: ['acme'], database: { url: scratch.url }, config: { billing: { usageThresholds: thresholds } } });
    await setUp(one);
  }, 120_000);
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await scratch?.drop();
  });

  it('announces each crossing once when both instances write the usage concurrently, each event twice', async () => {
    // 40 calls for alpha in batches of 4, every batch sent to both instances at once by 4 clients each.
    const batches = Array.from({ length: 10 }, (_, b) => Array.from({ length: 4 }, (_, i) => call(`p-${b * 4 + i}`)));
    const send = async (k: TestKernel, order: number[]) => {
      const token = await k.token('acme', 'member');
      const queue = [...order];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
            const res = await fetch(`${k.url}/api/v1/billing/usage`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ events: batches[b] }),
            });
            expect(res.status).toBe(200);
          }
        }),
      );
    };
    await Promise.all([send(one, [...batches.keys()]), send(two, [...batches.keys()].reverse())]);
    const summary = await one.request('GET', '/api/v1/billing/usage/summary?customerId=alpha&metric=api_calls&granularity=month');
    expect(summary.body.total).toBe('40');
    const all = [...crossed(one), ...crossed(two)].map((e) => e.payload.threshold).sort();
    expect(all).toEqual(['10', '25']);

    // An instance that stopped after recording a crossing but before announcing it: the sweep announces it.
    const pg = new Client({ connectionString: scratch.url });
    await pg.connect();
    try {
      await pg.query(`update billing.usage_threshold_crossings set announced_at = null, crossed_at = now() - interval '2 minutes' where threshold = 10`);
      const database = {
        schema: 'billing',
        transaction: async <T>(tenantId: string, work: (tx: { query: <R>(sql: string, params?: readonly unknown[]) => Promise<R[]> }) => Promise<T>) => {
          await pg.query(`begin; select set_config('app.tenant_id', '${tenantId}', true), set_config('search_path', 'billing, public', true)`);
          try {
            const result = await work({ query: async <R>(sql: string, params?: readonly unknown[]) => (await pg.query(sql, params ? [...params] : [])).rows as R[] });
            await pg.query('commit');
            return result;
          } catch (error) {
            await pg.query('rollback');
            throw error;
          }
        },
      };
      const published: unknown[] = [];
      const announcer = new ThresholdAnnouncer(database as never, { publish: async (_name: string, _tenant: string, payload: unknown) => void published.push(payload) } as never);
      expect(await announcer.announcePending('acme')).toBe(1);
      expect(published).toMatchObject([{ threshold: '10', externalId: 'alpha' }]);
      // Announced now: the next sweep has nothing to do.
      expect(await announcer.announcePending('acme')).toBe(0);
    } finally {
      await pg.end();
    }
  }, 120_000);
});
