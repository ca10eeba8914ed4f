/**
 * Presence on a commitment (issue 20, item 5) through a real kernel: who is there, per tenant, on the tenant's
 * events; any reader may announce (viewers too); another tenant's commitment is a 404.
 */
import path from 'node:path';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';

const model = {
  horizon: 2,
  discountRate: 0.1,
  drivers: [{ name: 'users', value: 100, distribution: { type: 'triangular', min: 80, mode: 100, max: 110 } }],
  formulas: [{ name: 'savings', expression: 'users * 500' }],
  benefit: 'savings',
  costs: { upfront: 10000 },
};

describe('PUT /api/v1/commitments/:id/presence', () => {
  let k: TestKernel;
  let commitmentId: string;

  beforeAll(async () => {
    k = await createTestKernel({
      plugins: [{ dir: path.resolve(__dirname, '../../../calculation') }, { dir: path.resolve(__dirname, '../../../value-architect') }, { dir: path.resolve(__dirname, '../..') }],
      tenants: ['acme', 'globex'],
    });
    const m = await k.request('POST', '/api/v1/value-models', { body: { name: 'Presence', model } });
    expect(m.status).toBe(201);
    const c = await k.request('POST', '/api/v1/commitments', { body: { modelId: m.body.id, title: 'Presence commitment', trials: 1000, seed: 3 } });
    expect(c.status).toBe(201);
    commitmentId = c.body.id as string;
  }, 60_000);
  afterAll(async () => {
    await k?.close();
  });

  it('lists who is on the commitment and announces it on the tenant events as value-committer.presence', async () => {
    expect((await k.request('PUT', `/api/v1/commitments/${commitmentId}/presence`, { body: { activity: 'viewing' }, role: 'viewer' })).status).toBe(200);
    const res = await k.request('PUT', `/api/v1/commitments/${commitmentId}/presence`, { body: { activity: 'editing' }, role: 'member' });
    expect(res.status).toBe(200);
    expect((res.body.present as { email: string; activity: string }[]).map((p) => [p.email, p.activity])).toEqual([
      ['member@acme.test', 'editing'],
      ['viewer@acme.test', 'viewing'],
    ]);
    expect(k.events.find((e) => e.name === 'value-committer.presence' && (e.payload as { userId: string }).userId === 'user-member')).toMatchObject({
      tenantId: 'acme',
      payload: { id: commitmentId, activity: 'editing' },
    });
  });

  it("is tenant-isolated: another tenant's caller gets 404 and nothing is announced there", async () => {
    const res = await k.request('PUT', `/api/v1/commitments/${commitmentId}/presence`, { body: { activity: 'viewing' }, tenant: 'globex' });
    expect([res.status, res.body.code]).toEqual([404, 'VV_NOT_FOUND']);
    expect(k.events.some((e) => e.name === 'value-committer.presence' && e.tenantId === 'globex')).toBe(false);
  });
});
