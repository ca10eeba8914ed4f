import path from 'node:path';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';

describe('billing customers, metrics and usage on the embedded database', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ dir: path.resolve(__dirname, '../..') }], tenants: ['acme', 'globex'], config: { billing: { usageGraceHours: 48 } } });
    expect(
      (await k.request('POST', '/api/v1/billing/customers', { body: { externalId: 'cust-1', name: 'Initech', currency: 'USD', taxRate: '0.2', timeZone: 'America/New_York' } }))
        .status,
    ).toBe(201);
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'api_calls', name: 'API calls', aggregation: 'count', groupBy: ['region'] } })).status).toBe(201);
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'storage_gb', name: 'Storage', aggregation: 'sum', field: 'gb' } })).status).toBe(201);
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'peak_seats', name: 'Peak seats', aggregation: 'max', field: 'seats' } })).status).toBe(201);
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'users', name: 'Active users', aggregation: 'unique_count', field: 'user' } })).status).toBe(201);
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'plan_seats', name: 'Seats', aggregation: 'latest', field: 'seats' } })).status).toBe(201);
  }, 60_000);
  afterAll(() => k.close());

  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

  it('keeps customers and metrics per tenant: another tenant neither lists nor reaches them', async () => {
    const own = await k.request('GET', '/api/v1/billing/customers/cust-1');
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ externalId: 'cust-1', currency: 'USD', taxRate: '0.2', timeZone: 'America/New_York', stripeCustomerId: null });
    expect((await k.request('GET', `/api/v1/billing/customers/${own.body.id}`)).body.id).toBe(own.body.id);
    expect((await k.request('GET', `/api/v1/billing/customers/${own.body.id}`, { tenant: 'globex' })).status).toBe(404);
    expect((await k.request('GET', '/api/v1/billing/customers', { tenant: 'globex' })).body.items).toEqual([]);
    expect((await k.request('GET', '/api/v1/billing/metrics/api_calls', { tenant: 'globex' })).status).toBe(404);
    // The same external id may exist in another tenant; twice in one tenant is a conflict.
    expect((await k.request('POST', '/api/v1/billing/customers', { tenant: 'globex', body: { externalId: 'cust-1', name: 'Other', currency: 'EUR' } })).status).toBe(201);
    expect((await k.request('POST', '/api/v1/billing/customers', { body: { externalId: 'cust-1', name: 'Again', currency: 'USD' } })).status).toBe(409);
  });

  it('validates customers and metrics, and only tenant admins change them', async () => {
    const badZone = await k.request('POST', '/api/v1/billing/customers', { body: { externalId: 'x', name: 'X', currency: 'USD', timeZone: 'Mars/Olympus' } });
    expect(badZone.status).toBe(400);
    expect(badZone.body.errors[0].pointer).toBe('/timeZone');
    expect((await k.request('POST', '/api/v1/billing/metrics', { body: { code: 'bad', name: 'Bad', aggregation: 'sum' } })).body.errors[0].pointer).toBe('/field');
    expect((await k.request('POST', '/api/v1/billing/customers', { role: 'member', body: { externalId: 'm', name: 'M', currency: 'USD' } })).status).toBe(403);
    const renamed = await k.request('PATCH', '/api/v1/billing/customers/cust-1', { body: { name: 'Initech Corp', email: 'ap@initech.test' } });
    expect(renamed.body).toMatchObject({ name: 'Initech Corp', email: 'ap@initech.test', taxRate: '0.2' });
  });

  it('counts an event once per transaction id, lists duplicates, and reads it back in the summary', async () => {
    const at = hoursAgo(2);
    const first = await k.request('POST', '/api/v1/billing/usage', {
      role: 'member',
      body: { transactionId: 't-1', customerId: 'cust-1', metric: 'api_calls', timestamp: at, properties: { region: 'eu' } },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ counted: 1, duplicates: [] });
    const again = await k.request('POST', '/api/v1/billing/usage', {
      role: 'member',
      body: { transactionId: 't-1', customerId: 'cust-1', metric: 'api_calls', timestamp: at, properties: { region: 'eu' } },
    });
    expect(again.body).toEqual({ counted: 0, duplicates: ['t-1'] });
    const batch = await k.request('POST', '/api/v1/billing/usage', {
      body: {
        events: [
          { transactionId: 't-2', customerId: 'cust-1', metric: 'api_calls', timestamp: at, properties: { region: 'us' } },
          { transactionId: 't-1', customerId: 'cust-1', metric: 'api_calls', timestamp: at },
          { transactionId: 't-3', customerId: 'cust-1', metric: 'storage_gb', timestamp: at, properties: { gb: '0.1' } },
          { transactionId: 't-3', customerId: 'cust-1', metric: 'storage_gb', timestamp: at, properties: { gb: '0.1' } },
          { transactionId: 't-4', customerId: 'cust-1', metric: 'storage_gb', timestamp: hoursAgo(1), properties: { gb: 0.2 } },
        ],
      },
    });
    expect(batch.body.counted).toBe(3);
    expect([...batch.body.duplicates].sort()).toEqual(['t-1', 't-3']);
    const calls = await k.request('GET', `/api/v1/billing/usage/summary?customerId=cust-1&metric=api_calls&from=${encodeURIComponent(hoursAgo(24))}&granularity=hour`);
    expect(calls.status).toBe(200);
    expect(calls.body).toMatchObject({ metric: 'api_calls', aggregation: 'count', total: '2', timeZone: 'America/New_York' });
    expect(calls.body.buckets).toHaveLength(1);
    // 0.1 + 0.2 in exact decimal, not 0.30000000000000004.
    const storage = await k.request('GET', '/api/v1/billing/usage/summary?customerId=cust-1&metric=storage_gb&granularity=hour');
    expect(storage.body.total).toBe('0.3');
    expect(storage.body.buckets.map((b: { value: string }) => b.value).sort()).toEqual(['0.1', '0.2']);
  });

  it('aggregates max, unique_count and latest', async () => {
    const send = (transactionId: string, metric: string, h: number, properties: object) =>
      k.request('POST', '/api/v1/billing/usage', { body: { transactionId, customerId: 'cust-1', metric, timestamp: hoursAgo(h), properties } });
    await send('m-1', 'peak_seats', 5, { seats: 7 });
    await send('m-2', 'peak_seats', 3, { seats: 12 });
    await send('m-3', 'peak_seats', 1, { seats: 9 });
    await send('u-1', 'users', 5, { user: 'ann' });
    await send('u-2', 'users', 3, { user: 'bob' });
    await send('u-3', 'users', 1, { user: 'ann' });
    await send('l-1', 'plan_seats', 1, { seats: 4 });
    await send('l-2', 'plan_seats', 5, { seats: 10 });
    const total = async (metric: string) => (await k.request('GET', `/api/v1/billing/usage/summary?customerId=cust-1&metric=${metric}`)).body.total;
    expect(await total('peak_seats')).toBe('12');
    expect(await total('users')).toBe('2');
    // Latest by event time, not arrival: l-2 arrived last but happened first.
    expect(await total('plan_seats')).toBe('4');
  });

  it('refuses the whole batch when one event is bad: unknown customer or metric, missing value, too late, in the future', async () => {
    const events = [
      { transactionId: 'ok-1', customerId: 'cust-1', metric: 'api_calls', timestamp: hoursAgo(1) },
      { transactionId: 'bad-1', customerId: 'nobody', metric: 'api_calls', timestamp: hoursAgo(1) },
      { transactionId: 'bad-2', customerId: 'cust-1', metric: 'nothing', timestamp: hoursAgo(1) },
      { transactionId: 'bad-3', customerId: 'cust-1', metric: 'storage_gb', timestamp: hoursAgo(1), properties: { gb: 'lots' } },
      { transactionId: 'bad-4', customerId: 'cust-1', metric: 'api_calls', timestamp: new Date(Date.now() + 86_400_000).toISOString() },
    ];
    const res = await k.request('POST', '/api/v1/billing/usage', { body: { events } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/events/1/customerId', '/events/2/metric', '/events/3/properties/gb', '/events/4/timestamp']);
    const late = await k.request('POST', '/api/v1/billing/usage', { body: { events: [events[0], { ...events[0], transactionId: 'late-1', timestamp: hoursAgo(49) }] } });
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('VV_BILLING_USAGE_LATE');
    expect(late.body.detail).toContain('late-1');
    // Nothing of either request was stored: ok-1 is new when sent alone.
    expect((await k.request('POST', '/api/v1/billing/usage', { body: events[0] })).body).toEqual({ counted: 1, duplicates: [] });
    // Another tenant cannot meter this tenant's customer.
    expect((await k.request('POST', '/api/v1/billing/usage', { tenant: 'globex', body: { ...events[0], transactionId: 'g-1', metric: 'api_calls' } })).status).toBe(400);
  });

  it('refuses more than 1,000 events in one request', async () => {
    const events = Array.from({ length: 1001 }, (_, i) => ({ transactionId: `big-${i}`, customerId: 'cust-1', metric: 'api_calls', timestamp: hoursAgo(1) }));
    expect((await k.request('POST', '/api/v1/billing/usage', { body: { events } })).status).toBe(400);
  });

  it('keeps metrics and customers with usage, deletes unused ones', async () => {
    expect((await k.request('DELETE', '/api/v1/billing/metrics/api_calls')).status).toBe(409);
    expect((await k.request('DELETE', '/api/v1/billing/customers/cust-1')).status).toBe(409);
    await k.request('POST', '/api/v1/billing/customers', { body: { externalId: 'gone', name: 'Gone', currency: 'USD' } });
    expect((await k.request('DELETE', '/api/v1/billing/customers/gone')).status).toBe(204);
    expect((await k.request('GET', '/api/v1/billing/customers/gone')).status).toBe(404);
  });
});
