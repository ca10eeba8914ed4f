import path from 'node:path';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';

describe('POST /api/v1/billing/quote', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ dir: path.resolve(__dirname, '../..') }], tenants: ['acme'] });
  }, 60_000);
  afterAll(() => k.close());

  const plan = {
    currency: 'USD',
    amount: '49.00',
    charges: [
      {
        metric: 'api_calls',
        model: 'graduated',
        properties: {
          tiers: [
            { upTo: 100, unitAmount: '1' },
            { upTo: 200, unitAmount: '0.50', flatAmount: '2' },
            { upTo: null, unitAmount: '0.10' },
          ],
        },
      },
      { metric: 'transfers', model: 'percentage', properties: { rate: '0.012', fixedAmount: '0.10', freeUnits: 3 } },
      { metric: 'seats', model: 'standard', properties: { unitAmount: '0.335' } },
    ],
  };

  it('prices the base fee and every charge in minor units, with the tier breakdown, subtotal, tax and total', async () => {
    const res = await k.request('POST', '/api/v1/billing/quote', {
      role: 'viewer',
      body: { plan, usage: { api_calls: 250, transfers: { sum: '10000', count: 5 }, seats: 3 }, taxRate: '0.2' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      currency: 'USD',
      lines: [
        { kind: 'base', quantity: '1', amountCents: 4900 },
        {
          kind: 'usage',
          metric: 'api_calls',
          model: 'graduated',
          quantity: '250',
          amountCents: 15700,
          tiers: [
            { upTo: 100, units: '100', unitAmount: '1', flatAmount: '0', amountCents: 10000 },
            { upTo: 200, units: '100', unitAmount: '0.50', flatAmount: '2', amountCents: 5200 },
            { upTo: null, units: '50', unitAmount: '0.10', flatAmount: '0', amountCents: 500 },
          ],
        },
        { kind: 'usage', metric: 'transfers', model: 'percentage', quantity: '10000', amountCents: 12020 },
        { kind: 'usage', metric: 'seats', model: 'standard', quantity: '3', amountCents: 101 },
      ],
      subtotalCents: 4900 + 15700 + 12020 + 101,
      taxCents: 6544, // 32721 × 0.2 = 6544.2
      totalCents: 32721 + 6544,
    });
  });

  it('refuses float money, falling tiers, a repeated metric and usage for an unpriced metric with pointers', async () => {
    const quote = (body: unknown) => k.request('POST', '/api/v1/billing/quote', { body });
    const floatMoney = await quote({ plan: { ...plan, amount: 49 }, usage: {} });
    expect(floatMoney.status).toBe(400);
    expect(floatMoney.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(floatMoney.body.code).toBe('VV_VALIDATION');

    const falling = await quote({
      plan: {
        ...plan,
        charges: [
          {
            metric: 'a',
            model: 'volume',
            properties: {
              tiers: [
                { upTo: 10, unitAmount: '1' },
                { upTo: 5, unitAmount: '1' },
                { upTo: null, unitAmount: '1' },
              ],
            },
          },
        ],
      },
      usage: {},
    });
    expect(falling.status).toBe(400);
    expect(falling.body.errors[0].pointer).toBe('/plan/charges/0/properties/tiers/1/upTo');

    const repeated = await quote({ plan: { ...plan, charges: [plan.charges[2], plan.charges[2]] }, usage: {} });
    expect(repeated.body.errors[0].pointer).toBe('/plan/charges/1/metric');

    const unpriced = await quote({ plan, usage: { nope: 1 } });
    expect(unpriced.status).toBe(400);
    expect(unpriced.body.errors[0].pointer).toBe('/usage/nope');

    const wrongShape = await quote({ plan, usage: { transfers: 5 } });
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.errors[0].pointer).toBe('/usage/transfers');
  });

  it('needs a signed-in caller of the tenant', async () => {
    expect((await k.request('POST', '/api/v1/billing/quote', { token: null, body: { plan, usage: {} } })).status).toBe(401);
  });
});
