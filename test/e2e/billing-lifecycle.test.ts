import path from 'node:path';
import Stripe from 'stripe';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { createBillingPlugin } from '@valueverse/plugin-billing';
import { startFakeStripe, type FakeStripe } from '../../plugins/billing/src/__fixtures__/fake-stripe';
import billingManifest from '../../plugins/billing/plugin.json';

// Issue #17 "Done when": customer, plan, subscription, usage, period close, a finalized invoice with the right
// lines, its PDF, payment through a (loopback, fake) Stripe, the webhook sent twice and out of order marking it
// paid, and the audit entries. Nothing reaches the network: the Stripe SDK is pointed at the fake through the
// kernel's outbound service (the name stripe.test resolves to 127.0.0.1, allowed as an operator would).
//
// Stripe's deliveries arrive over real HTTP at the public route POST /api/v1/billing/webhooks/stripe/:tenantId,
// with no ValueVerse credential: the signature over the exact bytes (checked with constructEvent) is what
// authenticates them.

const WEBHOOK_SECRET = 'whsec_test_secret';
const zone = 'America/New_York';
const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const [year, month] = today.split('-').map(Number) as [number, number];
const lastMonth = month === 1 ? `${year - 1}-12-01` : `${year}-${String(month - 1).padStart(2, '0')}-01`;

describe('billing end to end: meter, close, invoice, PDF, pay through Stripe, webhooks', () => {
  let k: TestKernel;
  let stripe: FakeStripe;
  const post = (p: string, body: unknown, headers?: Record<string, string>) => k.request('POST', `/api/v1/billing${p}`, { body, headers });

  beforeAll(async () => {
    stripe = await startFakeStripe();
    k = await createTestKernel({
      plugins: [
        { manifest: billingManifest, plugin: createBillingPlugin({ closeSchedule: { everyMs: 86_400_000 * 365 } }), dir: path.resolve(__dirname, '../../plugins/billing') },
      ],
      tenants: ['acme', 'globex'],
      allowPrivateDestinations: '127.0.0.1/32',
      resolveHost: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const configured = await k.setPlugin('acme', 'billing', {
      enabled: true,
      config: { usageGraceHours: 2160, stripeApiUrl: stripe.url, stripeSecretKey: 'sk_test_acme', stripeWebhookSecret: WEBHOOK_SECRET, dunningHours: [1] },
    });
    expect(configured.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await stripe?.close();
  });

  const signed = (event: object) => {
    const payload = JSON.stringify(event, null, 2);
    return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }) };
  };
  // As Stripe sends it: JSON, no Authorization header, the signature in Stripe-Signature.
  const deliver = async (event: object, { tamper = false, tenant = 'acme' } = {}) => {
    const { payload, header } = signed(event);
    const res = await fetch(`${k.url}/api/v1/billing/webhooks/stripe/${tenant}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
      body: tamper ? payload.replace('"amount"', '"amount_x"') : payload,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const intentEvent = (id: string, type: string, intent: { id: string; metadata: Record<string, string> }) => ({
    id,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object: { ...intent, object: 'payment_intent', amount: 1 } },
  });

  it('bills a month of usage and takes payment, exactly once', async () => {
    // Secrets are never echoed.
    const settings = await k.request('GET', '/api/v1/admin/tenants/acme/plugins', { role: 'platform-admin' });
    expect(settings.status).toBe(200);
    expect(JSON.stringify(settings.body)).not.toContain('sk_test_acme');

    expect((await post('/customers', { externalId: 'hooli', name: 'Hooli', email: 'ap@hooli.test', currency: 'USD', taxRate: '0.0875', timeZone: zone })).status).toBe(201);
    await post('/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' });
    await post('/metrics', { code: 'payments', name: 'Payment volume', aggregation: 'sum', field: 'amount' });
    const plan = {
      code: 'growth',
      name: 'Growth',
      currency: 'USD',
      amount: '99.00',
      charges: [
        {
          metric: 'api_calls',
          model: 'volume',
          properties: {
            tiers: [
              { upTo: 1000, unitAmount: '0.02' },
              { upTo: null, unitAmount: '0.015', flatAmount: '5' },
            ],
          },
        },
        { metric: 'payments', model: 'percentage', properties: { rate: '0.029', fixedAmount: '0.30', freeUnits: 2 } },
      ],
    };
    expect((await post('/plans', plan)).status).toBe(201);
    expect((await post('/subscriptions', { customerId: 'hooli', planCode: 'growth', startDate: lastMonth })).status).toBe(201);
    const at = `${lastMonth.slice(0, 8)}15T15:00:00Z`;
    const events = [
      ...Array.from({ length: 1500 }, (_, i) => ({ transactionId: `call-${i}`, customerId: 'hooli', metric: 'api_calls', timestamp: at })),
      ...['120.50', '80.25', '999.99', '0.01'].map((amount, i) => ({ transactionId: `pay-${i}`, customerId: 'hooli', metric: 'payments', timestamp: at, properties: { amount } })),
    ];
    expect((await post('/usage', { events: events.slice(0, 1000) })).body.counted).toBe(1000);
    expect((await post('/usage', { events: events.slice(1000) })).body.counted).toBe(504);
    expect((await post('/usage', { events: events.slice(0, 10) })).body.duplicates).toHaveLength(10);

    const closed = await post('/periods/close', {});
    expect(closed.body.finalized).toEqual([expect.stringMatching(/^INV-\d{4}-000001$/)]);
    const [invoice] = (await k.request('GET', '/api/v1/billing/invoices?customerId=hooli')).body.items;
    // Volume: 1,500 calls all at 0.015 plus the tier's 5.00 = 27.50. Percentage: 2.9 % of 1,200.75 = 34.82175
    // plus 0.30 for each of the 2 events past the 2 free ones = 35.42175 → 35.42. Base 99.00.
    expect(invoice.lines.map((l: { kind: string; metric?: string; amountCents: number }) => [l.kind, l.metric ?? null, l.amountCents])).toEqual([
      ['base', null, 9900],
      ['usage', 'api_calls', 2750],
      ['usage', 'payments', 3542],
    ]);
    // 16,192 × 0.0875 = 1,416.8 → 1,417.
    expect(invoice).toMatchObject({ status: 'finalized', subtotalCents: 16192, taxCents: 1417, totalCents: 17609, amountDueCents: 17609 });
    const pdf = await k.request('GET', `/api/v1/billing/invoices/${invoice.id}/pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(String(pdf.body)).toMatch(/^%PDF-1\.\d/);

    // Paying needs an Idempotency-Key; another tenant without Stripe settings is told so.
    expect((await post(`/invoices/${invoice.id}/pay`, { paymentMethod: 'pm_card_visa' })).status).toBe(400);

    // First attempt declined: billing.payment.failed, and a dunning retry is queued.
    const declined = await post(`/invoices/${invoice.id}/pay`, { paymentMethod: 'pm_card_chargeDeclined' }, { 'idempotency-key': 'pay-1' });
    expect(declined.status).toBe(200);
    expect(declined.body.payment).toMatchObject({ status: 'failed', attempt: 1 });
    expect((await k.waitForEvent('billing.payment.failed')).payload).toMatchObject({ invoiceId: invoice.id, attempt: 1, reason: 'card_declined' });

    // Second attempt stays processing; retrying that request replays it, and Stripe saw one key per attempt.
    const processing = await post(`/invoices/${invoice.id}/pay`, { paymentMethod: 'pm_card_processing' }, { 'idempotency-key': 'pay-2' });
    expect(processing.body.payment).toMatchObject({ status: 'processing', attempt: 2 });
    const replay = await post(`/invoices/${invoice.id}/pay`, { paymentMethod: 'pm_card_processing' }, { 'idempotency-key': 'pay-2' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const keys = stripe.requests.filter((r) => r.path === '/v1/payment_intents').map((r) => r.idempotencyKey);
    expect(keys).toEqual([`invoice-${invoice.id}-attempt-1`, `invoice-${invoice.id}-attempt-2`]);
    const [first, second] = [...stripe.intents.values()];
    expect(second!.amount).toBe(17609);

    // Webhooks out of order and twice: the old attempt's failure arrives after the new one's success.
    const succeeded = intentEvent('evt_2', 'payment_intent.succeeded', second!);
    const lateFailure = intentEvent('evt_1', 'payment_intent.payment_failed', first!);
    expect((await deliver(succeeded, { tamper: true })).body.code).toBe('VV_BILLING_WEBHOOK_SIGNATURE_INVALID');
    // A tenant that does not exist, or one that has not enabled billing, is not told apart from a wrong path.
    expect(await deliver(succeeded, { tenant: 'no-such-tenant' })).toMatchObject({ status: 404, body: { code: 'VV_NOT_FOUND' } });
    expect((await deliver(succeeded)).body).toEqual({ received: true, duplicate: false });
    expect((await deliver(succeeded)).body).toEqual({ received: true, duplicate: true });
    expect((await deliver(lateFailure)).body).toEqual({ received: true, duplicate: false });
    // Stripe retrying both at once changes nothing: each event id is applied once.
    const retries = await Promise.all([deliver(lateFailure), deliver(succeeded), deliver(lateFailure), deliver(succeeded)]);
    expect(retries.map((r) => r.body)).toEqual(Array.from({ length: 4 }, () => ({ received: true, duplicate: true })));
    const paid = (await k.request('GET', `/api/v1/billing/invoices/${invoice.id}`)).body;
    expect(paid).toMatchObject({ status: 'paid', paidCents: 17609, amountDueCents: 0, paymentStatus: 'succeeded' });
    expect(k.events.filter((e) => e.name === 'billing.invoice.paid')).toHaveLength(1);
    expect(k.events.filter((e) => e.name === 'billing.payment.failed')).toHaveLength(1);
    expect((await post(`/invoices/${invoice.id}/pay`, {}, { 'idempotency-key': 'pay-3' })).status).toBe(409);

    const audit = await k.request('GET', '/api/v1/admin/audit?limit=200');
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['billing.customer.created', 'billing.plan.created', 'billing.subscription.created', 'billing.payment.failed', 'billing.invoice.paid']),
    );

    // A tenant without Stripe settings meters and invoices, and is told paying is not configured; another
    // tenant's invoice is unknown to it.
    const globex = (method: string, p: string, body?: unknown) => k.request(method, `/api/v1/billing${p}`, { tenant: 'globex', body, headers: { 'idempotency-key': `g-${p}` } });
    await globex('POST', '/customers', { externalId: 'g', name: 'G', currency: 'USD' });
    await globex('POST', '/plans', { code: 'flat', currency: 'USD', amount: '5.00', charges: [] });
    await globex('POST', '/subscriptions', { customerId: 'g', planCode: 'flat', startDate: lastMonth });
    await globex('POST', '/periods/close', {});
    const [own] = (await globex('GET', '/invoices')).body.items;
    expect(own).toMatchObject({ status: 'finalized', totalCents: 500 });
    expect((await globex('POST', `/invoices/${own.id}/pay`, {})).body.code).toBe('VV_BILLING_PAYMENTS_NOT_CONFIGURED');
    expect((await globex('POST', `/invoices/${invoice.id}/pay`, {})).status).toBe(404);
    // Its webhook endpoint has no secret to check a signature with: refused, never applied.
    expect((await deliver(intentEvent('evt_g', 'payment_intent.succeeded', first!), { tenant: 'globex' })).body.code).toBe('VV_BILLING_PAYMENTS_NOT_CONFIGURED');
  });
});
