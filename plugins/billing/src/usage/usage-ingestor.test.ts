import path from 'node:path';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';

// The ingestor checks events against customers and metrics it caches per instance; these tests change them under
// the cache and expect the answers fresh reads would give.
describe('usage ingestion with cached customers and metrics, on the embedded database', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ dir: path.resolve(__dirname, '../..') }], tenants: ['acme'] });
    for (const externalId of ['keep', 'temp'])
      expect((await k.request('POST', '/api/v1/billing/customers', { body: { externalId, name: externalId, currency: 'USD' } })).status).toBe(201);
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'calls', name: 'Calls', aggregation: 'count' } })).status).toBe(201);
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'volume', name: 'Volume', aggregation: 'sum', field: 'gb' } })).status).toBe(201);
  }, 60_000);
  afterAll(() => k?.close());

  const now = () => new Date().toISOString();
  const usage = (events: object[]) => k.request('POST', '/api/v1/billing/usage', { body: { events } });
  const total = async (customer: string, metric: string) => (await k.request('GET', `/api/v1/billing/usage/summary?customerId=${customer}&metric=${metric}`)).body.total;

  it('refuses events for a customer deleted after it was cached, and counts nothing for it', async () => {
    // Caches "temp" (the request is refused for its unknown metric, so temp keeps no usage and may be deleted).
    expect((await usage([{ transactionId: 'x-1', customerId: 'temp', metric: 'nothing', timestamp: now() }])).status).toBe(400);
    expect((await k.request('DELETE', '/api/v1/billing/customers/temp')).status).toBe(204);
    const res = await usage([
      { transactionId: 'x-2', customerId: 'keep', metric: 'calls', timestamp: now() },
      { transactionId: 'x-3', customerId: 'temp', metric: 'calls', timestamp: now() },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.errors).toMatchObject([{ pointer: '/events/1/customerId' }]);
    expect(await total('keep', 'calls')).toBe('0');
  });

  it('follows a metric deleted and created again with another aggregation', async () => {
    // Caches "volume" as a sum of gb; then it becomes a count (it has no usage yet, so it may be deleted).
    expect((await usage([{ transactionId: 'v-0', customerId: 'nobody', metric: 'volume', timestamp: now() }])).status).toBe(400);
    expect((await k.request('DELETE', '/api/v1/billing/metrics/volume')).status).toBe(204);
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'volume', name: 'Volume', aggregation: 'count' } })).status).toBe(201);
    // No gb: fine for a count (refused by the stale definition, accepted by the current one).
    expect((await usage([{ transactionId: 'v-1', customerId: 'keep', metric: 'volume', timestamp: now() }])).body).toEqual({ counted: 1, duplicates: [] });
    expect((await usage([{ transactionId: 'v-2', customerId: 'keep', metric: 'volume', timestamp: now(), properties: { gb: '5' } }])).body.counted).toBe(1);
    expect(await total('keep', 'volume')).toBe('2');
  });

  it('finds a customer by its id as well as its external id, and says which is missing in a summary', async () => {
    const keep = (await k.request('GET', '/api/v1/billing/customers/keep')).body as { id: string };
    expect((await usage([{ transactionId: 'i-1', customerId: keep.id, metric: 'calls', timestamp: now() }])).body.counted).toBe(1);
    expect((await usage([{ transactionId: 'i-2', customerId: keep.id.toUpperCase(), metric: 'calls', timestamp: now() }])).body.counted).toBe(1);
    expect(await total(keep.id, 'calls')).toBe('2');
    const noCustomer = await k.request('GET', '/api/v1/billing/usage/summary?customerId=ghost&metric=calls');
    expect(noCustomer.status).toBe(404);
    expect(noCustomer.body.detail).toContain('Customer ghost');
    const noMetric = await k.request('GET', '/api/v1/billing/usage/summary?customerId=keep&metric=ghost');
    expect(noMetric.status).toBe(404);
    expect(noMetric.body.detail).toContain('Metric ghost');
  });

  it('appends rollup deltas that summaries add until a merge folds them into the rollups, with the same totals', async () => {
    const db = k.kernel.database!;
    const count = async (table: string) => Number((await db.execute<{ n: string }>(`select count(*)::text as n from billing.${table}`))[0]!.n);
    await until(async () => (await count('usage_rollup_deltas')) === 0);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const at = (h: number, s: number) => new Date(hour - h * 3_600_000 + s * 1000).toISOString();
    // Two writes into the same hours, of a max and a latest metric (whose deltas do not simply add up).
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'peak', name: 'Peak', aggregation: 'max', field: 'n' } })).status).toBe(201);
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'last', name: 'Last', aggregation: 'latest', field: 'n' } })).status).toBe(201);
    const first = await usage([
      { transactionId: 'd-1', customerId: 'keep', metric: 'peak', timestamp: at(2, 10), properties: { n: '7.5' } },
      { transactionId: 'd-2', customerId: 'keep', metric: 'last', timestamp: at(2, 20), properties: { n: '3' } },
      { transactionId: 'd-3', customerId: 'keep', metric: 'last', timestamp: at(1, 5), properties: { n: '4' } },
    ]);
    expect(first.body).toEqual({ counted: 3, duplicates: [] });
    const second = await usage([
      { transactionId: 'd-4', customerId: 'keep', metric: 'peak', timestamp: at(2, 30), properties: { n: '2' } },
      { transactionId: 'd-5', customerId: 'keep', metric: 'last', timestamp: at(1, 1), properties: { n: '9' } },
      { transactionId: 'd-1', customerId: 'keep', metric: 'peak', timestamp: at(2, 10), properties: { n: '7.5' } },
    ]);
    expect(second.body).toEqual({ counted: 2, duplicates: ['d-1'] });
    // Not merged yet (the merge runs a second after a write): one delta per write and hour, read with the rollups.
    expect(await count('usage_rollup_deltas')).toBeGreaterThanOrEqual(4);
    const read = async () => ({ peak: await total('keep', 'peak'), last: await total('keep', 'last') });
    expect(await read()).toEqual({ peak: '7.5', last: '4' });
    await until(async () => (await count('usage_rollup_deltas')) === 0);
    expect(await read()).toEqual({ peak: '7.5', last: '4' });
  }, 30_000);
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await condition()); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await condition()).toBe(true);
}
