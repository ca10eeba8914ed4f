import type { HttpRouteInfo } from '@valueverse/kernel';
import type { Role } from '@valueverse/plugin-sdk';

/** What fixtures may use: the host, the tenant whose data they create, and its callers. */
export interface FixtureContext {
  readonly url: string;
  readonly tenant: string;
  token(role: Role): string;
}

/** Values for a route's path parameters and a valid body, so checks fail for the right reason. */
export interface RouteFixtures {
  params(route: HttpRouteInfo, name: string): string | undefined;
  body(route: HttpRouteInfo): unknown;
}

/** One plugin's fixtures: creates a resource or two in the tenant and says how to fill its routes. */
interface PluginFixture {
  seed(ctx: FixtureContext, api: Api): Promise<Record<string, string>>;
  /** Valid bodies by `METHOD path` (full path with placeholders). */
  bodies?: Record<string, unknown>;
}

type Api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<T>;

// Plugins whose routes take ids. A plugin that adds a route with a parameter not filled here makes the security
// suite fail with the route's name: add its fixture below.
const lifecycle = { modelId: '', commitmentId: '', measurementId: '', driver: '' };

const pluginFixtures: Record<string, PluginFixture> = {
  // The marketplace registry mounted by the host: its protected routes answer on credentials before they look at
  // ids, so ids that name nothing are enough.
  marketplace: {
    seed: async () => ({ id: 'no-such-package', version: '1.0.0', keyId: '0000000000000000' }),
  },
  'value-architect': {
    async seed(ctx, api) {
      const model = await api<{ id: string; model: { drivers: { name: string }[] } }>('POST', '/api/v1/value-models', {
        name: 'Security suite',
        fromLibrary: { industry: 'software' },
      });
      lifecycle.modelId = model.id;
      lifecycle.driver = model.model.drivers[0]!.name;
      const link = await api<{ id: string }>('POST', `/api/v1/value-models/${model.id}/share-links`, { expiresInDays: 7 });
      return { id: model.id, version: '1', linkId: link.id };
    },
    bodies: {
      'PUT /api/v1/value-models/:id': { name: 'Renamed' },
      'POST /api/v1/value-models/:id/share-links': { expiresInDays: 7 },
      'PUT /api/v1/value-models/:id/presence': { activity: 'viewing' },
      'POST /api/v1/value-models/:id/hypotheses': { count: 1 },
    },
  },
  'value-committer': {
    async seed(ctx, api) {
      const commitment = await api<{ id: string }>('POST', '/api/v1/commitments', {
        modelId: lifecycle.modelId,
        title: 'Security suite',
        trials: 1000,
        milestones: [{ title: 'First', dueDate: '2030-01-01', metric: lifecycle.driver, target: 100 }],
      });
      await api('POST', `/api/v1/commitments/${commitment.id}/transitions`, { to: 'proposed' });
      await api('POST', `/api/v1/commitments/${commitment.id}/transitions`, { to: 'signed' });
      lifecycle.commitmentId = commitment.id;
      return { id: commitment.id };
    },
    bodies: {
      'PUT /api/v1/commitments/:id': { title: 'Renamed' },
      'PUT /api/v1/commitments/:id/presence': { activity: 'viewing' },
      'POST /api/v1/commitments/:id/transitions': { to: 'active' },
      'POST /api/v1/commitments/:id/amendments': { reason: 'security suite' },
    },
  },
  'value-executor': {
    async seed(ctx, api) {
      const measurement = await api<{ id: string }>('POST', '/api/v1/realization/measurements', {
        commitmentId: lifecycle.commitmentId,
        metric: lifecycle.driver,
        value: 10,
        measuredAt: new Date().toISOString().slice(0, 10),
      });
      lifecycle.measurementId = measurement.id;
      return { id: measurement.id, commitmentId: lifecycle.commitmentId };
    },
    bodies: {
      'POST /api/v1/realization/commitments/:commitmentId/evaluate': {},
    },
  },
  'value-amplifier': {
    async seed() {
      return { id: lifecycle.commitmentId };
    },
    bodies: {
      'POST /api/v1/amplify/commitments/:id/what-it-takes': {
        get driver() {
          return lifecycle.driver;
        },
      },
    },
  },
  'value-agent': {
    // A conversation of the tenant admin (the caller); artifact routes take the same id, which names no artifact:
    // they answer on credentials and roles before they look it up, and another tenant's caller gets 404 either way.
    async seed(ctx, api) {
      const conversation = await api<{ id: string }>('POST', '/api/v1/agent/conversations', { title: 'Security suite' });
      return { id: conversation.id };
    },
    bodies: {
      'POST /api/v1/agent/conversations/:id/messages': { content: 'Security suite' },
    },
  },
  billing: {
    async seed(ctx, api) {
      // A subscription from the 1st of last month (UTC), closed: one finalized invoice to read, pay and credit.
      const now = new Date();
      const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
      await api('POST', '/api/v1/billing/metrics', { code: 'security_calls', name: 'Calls', aggregation: 'count' });
      await api('POST', '/api/v1/billing/plans', {
        code: 'security',
        currency: 'USD',
        amount: '10.00',
        charges: [{ metric: 'security_calls', model: 'standard', properties: { unitAmount: '0.01' } }],
      });
      const customer = await api<{ id: string }>('POST', '/api/v1/billing/customers', { externalId: 'security-suite', name: 'Security suite', currency: 'USD' });
      const subscription = await api<{ id: string }>('POST', '/api/v1/billing/subscriptions', { customerId: customer.id, planCode: 'security', startDate: lastMonth });
      await api('POST', '/api/v1/billing/periods/close', {});
      const invoices = await api<{ items: { id: string }[] }>('GET', `/api/v1/billing/invoices?customerId=${customer.id}`);
      return { customerId: customer.id, subscriptionId: subscription.id, invoiceId: invoices.items[0]!.id, metricCode: 'security_calls', planCode: 'security' };
    },
    bodies: {
      'PATCH /api/v1/billing/customers/:customerId': { name: 'Renamed' },
      'PATCH /api/v1/billing/metrics/:metricCode': { name: 'Renamed' },
      'POST /api/v1/billing/subscriptions/:subscriptionId/plan': { planCode: 'security' },
      'POST /api/v1/billing/invoices/:invoiceId/credit-notes': { amountCents: 1, reason: 'security suite' },
      'POST /api/v1/billing/invoices/:invoiceId/pay': { paymentMethod: 'pm_card_visa' },
    },
  },
  notifications: {
    async seed(ctx, api) {
      // An inbox item of the tenant admin (the caller), a delivery, and a workflow and a template only this tenant has.
      const adminId = (JSON.parse(Buffer.from(ctx.token('tenant-admin').split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
      const sent = await api<{ deliveries: { id: string }[] }>('POST', '/api/v1/notifications/send', {
        to: [{ userId: adminId }],
        category: 'security',
        channels: ['inbox'],
        subject: 'Security suite',
        body: 'b',
      });
      await api('POST', '/api/v1/notifications/workflows', { id: `security-${ctx.tenant}`, ...notificationWorkflow() });
      await api('POST', '/api/v1/notifications/templates', { key: `security-${ctx.tenant}`, locale: 'en', subject: 'S', text: 'T' });
      const inbox = await api<{ items: { id: string }[] }>('GET', '/api/v1/notifications/inbox');
      return { id: sent.deliveries[0]!.id, itemId: inbox.items[0]!.id, workflowId: `security-${ctx.tenant}`, key: `security-${ctx.tenant}`, locale: 'en', tenantId: ctx.tenant };
    },
    bodies: {
      'PUT /api/v1/notifications/workflows/:workflowId': notificationWorkflow(),
      'PUT /api/v1/notifications/templates/:key/:locale': { subject: 'S', text: 'T' },
    },
  },
};

function notificationWorkflow() {
  return { name: 'Security suite', eventPattern: 'commitment.signed', recipients: [{ role: 'tenant-admin' }], channels: ['inbox'], template: 'direct', category: 'security' };
}

/** Seeds every plugin fixture in the tenant and answers for the kernel's own parameters. */
export async function routeFixtures(ctx: FixtureContext): Promise<RouteFixtures> {
  const api: Api = async (method, path, body) => {
    const res = await fetch(`${ctx.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ctx.token('tenant-admin')}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`fixture ${method} ${path} failed: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as never;
  };
  const key = await api<{ id: string }>('POST', `/api/v1/admin/tenants/${ctx.tenant}/api-keys`, { name: 'security-suite', role: 'viewer' });
  const tenantExport = await api<{ id: string }>('POST', `/api/v1/admin/tenants/${ctx.tenant}/exports`);
  const kernelParams: Record<string, string> = {
    exportId: tenantExport.id,
    tenantId: ctx.tenant,
    pluginId: 'calculation',
    keyId: key.id,
    userId: `u-${ctx.tenant}-viewer`,
    id: 'no-such-job',
    invitationId: 'no-such-invitation',
  };
  const seeded: Record<string, Record<string, string>> = {};
  for (const [plugin, fixture] of Object.entries(pluginFixtures)) seeded[plugin] = await fixture.seed(ctx, api);
  return {
    params: (route, name) => (route.owner === 'kernel' ? kernelParams[name] : seeded[route.owner]?.[name]),
    body: (route) => pluginFixtures[route.owner]?.bodies?.[`${route.method} ${route.path}`] ?? {},
  };
}
