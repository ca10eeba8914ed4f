/**
 * Presence on a value model (issue 20, item 5) through a real kernel: who is there, per tenant, announced on the
 * tenant's events; authorization on the route (any reader of the tenant), 404 for another tenant's model.
 */
import path from 'node:path';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { helpdeskModel } from '../__fixtures__/helpdesk-model';

const plugins = [{ dir: path.resolve(__dirname, '../../../calculation') }, { dir: path.resolve(__dirname, '../..') }];

describe('PUT /api/v1/value-models/:id/presence', () => {
  let k: TestKernel;
  let modelId: string;

  beforeAll(async () => {
    k = await createTestKernel({ plugins, tenants: ['acme', 'globex'] });
    const created = await k.request('POST', '/api/v1/value-models', { body: { name: 'Shared', model: helpdeskModel } });
    modelId = created.body.id as string;
  }, 60_000);
  afterAll(async () => {
    await k?.close();
  });

  const announce = (activity: string, opts: { role?: 'viewer' | 'member' | 'tenant-admin'; tenant?: string; id?: string } = {}) =>
    k.request('PUT', `/api/v1/value-models/${opts.id ?? modelId}/presence`, { body: { activity }, role: opts.role ?? 'member', ...(opts.tenant ? { tenant: opts.tenant } : {}) });

  it('lists the caller and the others on the model, with what they are doing, and publishes it to the tenant', async () => {
    const first = await announce('editing', { role: 'member' });
    expect(first.status).toBe(200);
    expect(first.body.present).toEqual([expect.objectContaining({ userId: 'user-member', email: 'member@acme.test', activity: 'editing' })]);
    const second = await announce('viewing', { role: 'viewer' });
    expect(second.status).toBe(200);
    expect((second.body.present as { userId: string; activity: string }[]).map((p) => [p.userId, p.activity])).toEqual([
      ['user-member', 'editing'],
      ['user-viewer', 'viewing'],
    ]);
    const event = k.events.find((e) => e.name === 'value-architect.presence' && (e.payload as { userId: string }).userId === 'user-viewer');
    expect(event).toMatchObject({ tenantId: 'acme', source: 'value-architect', payload: { id: modelId, activity: 'viewing', email: 'viewer@acme.test' } });
    expect(Date.parse((event!.payload as { expiresAt: string }).expiresAt)).toBeGreaterThan(Date.now());
  });

  it('forgets whoever leaves', async () => {
    await announce('viewing', { role: 'tenant-admin' });
    const left = await announce('left', { role: 'tenant-admin' });
    expect(left.status).toBe(200);
    expect((left.body.present as { userId: string }[]).map((p) => p.userId)).not.toContain('user-tenant-admin');
  });

  it('is tenant-isolated: another tenant cannot announce itself on the model (404) nor see who is there', async () => {
    const res = await announce('viewing', { tenant: 'globex' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('VV_NOT_FOUND');
    expect(k.events.some((e) => e.name === 'value-architect.presence' && e.tenantId === 'globex')).toBe(false);
  });

  it('needs a signed-in caller and a valid activity', async () => {
    const anonymous = await k.request('PUT', `/api/v1/value-models/${modelId}/presence`, { body: { activity: 'viewing' }, token: null });
    expect(anonymous.status).toBe(401);
    const bad = await announce('dancing');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VV_VALIDATION');
  });
});
