import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import manifest from '../../plugin.json';
import { createNotificationsPlugin } from '../plugin';
import { notificationSchemas } from './notification-schemas';

// The routes the console's notification pages need beyond the delivery API: categories for every member's
// preferences page, and the first-party workflows with "restore defaults" for tenant admins.
describe('notifications: console support routes', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ manifest, plugin: createNotificationsPlugin() }], tenants: ['acme', 'globex'] });
  }, 60_000);
  afterAll(() => k?.close());

  it("lists the categories of the tenant's enabled workflows to any member, naming the critical ones", async () => {
    const res = await k.request('GET', '/api/v1/notifications/categories', { role: 'viewer' });
    expect(res.status).toBe(200);
    const items = res.body.items as { category: string; workflows: { name: string; critical: boolean }[] }[];
    expect(items.map((c) => c.category)).toEqual(['account', 'billing', 'commitments', 'operations', 'security']);
    expect(items.find((c) => c.category === 'billing')!.workflows).toContainEqual(expect.objectContaining({ name: 'Payment failed', critical: true }));
    // A disabled workflow's category is not offered; another tenant's workflows are not seen.
    const payment = (await k.request('GET', '/api/v1/notifications/workflows/payment-failed')).body;
    const { id: _id, ...rest } = payment;
    expect((await k.request('PUT', '/api/v1/notifications/workflows/payment-failed', { body: { ...rest, category: 'payments', enabled: false } })).status).toBe(200);
    const after = (await k.request('GET', '/api/v1/notifications/categories', { role: 'member' })).body.items as { category: string }[];
    expect(after.map((c) => c.category)).not.toContain('payments');
    const other = (await k.request('GET', '/api/v1/notifications/categories', { role: 'member', tenant: 'globex' })).body.items as {
      category: string;
      workflows: { name: string }[];
    }[];
    expect(other.find((c) => c.category === 'billing')!.workflows.map((w) => w.name)).toContain('Payment failed');
  });

  it('restores one edited first-party workflow, recreates a deleted one, and leaves the others as they are', async () => {
    const atRisk = (await k.request('GET', '/api/v1/notifications/workflows/commitment-at-risk')).body;
    const { id: _id, ...rest } = atRisk;
    expect((await k.request('PUT', '/api/v1/notifications/workflows/commitment-at-risk', { body: { ...rest, eventPattern: 'realization.*', channels: ['inbox'] } })).status).toBe(
      200,
    );
    expect((await k.request('DELETE', '/api/v1/notifications/workflows/milestone-missed')).status).toBe(204);

    const one = await k.request('POST', '/api/v1/notifications/workflows/restore-defaults', { body: { ids: ['commitment-at-risk'] } });
    expect(one.status).toBe(200);
    expect(one.body.items).toEqual([expect.objectContaining({ id: 'commitment-at-risk', eventPattern: 'realization.at-risk', channels: ['email', 'inbox', 'webhook'] })]);
    expect((await k.request('GET', '/api/v1/notifications/workflows/milestone-missed')).status).toBe(404);

    const all = await k.request('POST', '/api/v1/notifications/workflows/restore-defaults', { body: {} });
    expect(all.status).toBe(200);
    const defaults = (await k.request('GET', '/api/v1/notifications/workflows/defaults')).body.items as { id: string }[];
    expect(all.body.items.map((w: { id: string }) => w.id)).toEqual(defaults.map((w) => w.id));
    expect((await k.request('GET', '/api/v1/notifications/workflows/milestone-missed')).body).toMatchObject({ eventPattern: 'milestone.missed', enabled: true });
    // The audit log names each restored workflow.
    const audit = await k.request('GET', '/api/v1/admin/audit?limit=200');
    expect(audit.status).toBe(200);
    expect((audit.body.items as { action: string; target: string }[]).filter((e) => e.action === 'notifications.notification-workflow.restored').map((e) => e.target)).toContain(
      'milestone-missed',
    );
  });

  it('refuses ids that are not first-party workflows, naming them, and refuses members', async () => {
    const bad = await k.request('POST', '/api/v1/notifications/workflows/restore-defaults', { body: { ids: ['commitment-at-risk', 'my-own'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VV_VALIDATION');
    expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: '/ids/1', message: expect.stringContaining('"my-own"') })]);
    expect((await k.request('POST', '/api/v1/notifications/workflows/restore-defaults', { body: {}, role: 'member' })).status).toBe(403);
    expect((await k.request('GET', '/api/v1/notifications/workflows/defaults', { role: 'member' })).status).toBe(403);
  });
});

// Issue 18: tenant admins create their own workflows and delete them; each mistake has a code of its own.
describe('notifications: creating and deleting workflows', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ manifest, plugin: createNotificationsPlugin() }], tenants: ['acme', 'globex'] });
  }, 60_000);
  afterAll(() => k?.close());

  const body = {
    id: 'big-deals',
    name: 'Big deals',
    eventPattern: 'commitment.*',
    recipients: [{ owner: true }, { role: 'tenant-admin' }, { email: 'deals@acme.test' }],
    channels: ['email', 'inbox'],
    template: 'direct',
    category: 'deals',
    critical: true,
  };

  it('refuses a bad event pattern, an unknown template and no recipients, each with its own problem code', async () => {
    for (const [patch, status, code, pointer] of [
      [{ eventPattern: 'Commitment Signed' }, 400, 'VV_NOTIFICATIONS_EVENT_PATTERN_INVALID', '/eventPattern'],
      [{ eventPattern: 'billing.*.paid' }, 400, 'VV_NOTIFICATIONS_EVENT_PATTERN_INVALID', '/eventPattern'],
      [{ template: 'no-such-template' }, 422, 'VV_NOTIFICATIONS_TEMPLATE_UNKNOWN', '/template'],
      [{ recipients: [] }, 422, 'VV_NOTIFICATIONS_RECIPIENTS_MISSING', '/recipients'],
    ] as const) {
      const res = await k.request('POST', '/api/v1/notifications/workflows', { body: { ...body, ...patch } });
      expect([patch, res.status, res.body.code, res.body.errors?.[0]?.pointer]).toEqual([patch, status, code, pointer]);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    // The same checks on a replace.
    const { id: _id, ...rest } = (await k.request('GET', '/api/v1/notifications/workflows/payment-failed')).body;
    const put = await k.request('PUT', '/api/v1/notifications/workflows/payment-failed', { body: { ...rest, recipients: [] } });
    expect([put.status, put.body.code]).toEqual([422, 'VV_NOTIFICATIONS_RECIPIENTS_MISSING']);
    // Nothing was stored.
    expect((await k.request('GET', '/api/v1/notifications/workflows/big-deals')).status).toBe(404);
  });

  it('creates a workflow for tenant admins only, in their tenant only, and deletes it', async () => {
    expect((await k.request('POST', '/api/v1/notifications/workflows', { body, role: 'member' })).status).toBe(403);
    const created = await k.request('POST', '/api/v1/notifications/workflows', { body });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...body, digestMinutes: 0, enabled: true });
    // Exactly the keys of the route's OpenAPI response schema (the console's Workflow type is generated from it).
    expect(Object.keys(created.body).sort()).toEqual([...notificationSchemas.workflowOut.required].sort());
    expect((await k.request('GET', '/api/v1/notifications/workflows/big-deals')).body).toMatchObject({ eventPattern: 'commitment.*', critical: true });
    expect((await k.request('GET', '/api/v1/notifications/workflows/big-deals', { tenant: 'globex' })).status).toBe(404);
    expect((await k.request('DELETE', '/api/v1/notifications/workflows/big-deals', { tenant: 'globex' })).status).toBe(404);
    expect((await k.request('DELETE', '/api/v1/notifications/workflows/big-deals', { role: 'member' })).status).toBe(403);
    expect((await k.request('DELETE', '/api/v1/notifications/workflows/big-deals')).status).toBe(204);
    expect((await k.request('GET', '/api/v1/notifications/workflows/big-deals')).status).toBe(404);
  });
});
