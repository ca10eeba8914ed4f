import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { startFakeStripe, type FakeStripe } from '../__fixtures__/fake-stripe';
import manifest from '../../plugin.json';
import { createBillingPlugin } from '../plugin';

// A declined payment retries on the tenant's dunning schedule (hours scaled to milliseconds here) with the same
// payment method, each retry a new attempt with its own Stripe idempotency key, and stops when the schedule ends.
describe('billing dunning', () => {
  let k: TestKernel;
  let stripe: FakeStripe;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    k = await createTestKernel({
      plugins: [{ manifest, plugin: createBillingPlugin({ closeSchedule: { everyMs: 86_400_000 * 365 }, dunningDelayMs: (hours) => hours * 50 }) }],
      allowPrivateDestinations: '127.0.0.1/32',
      resolveHost: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    await k.setPlugin('acme', 'billing', { enabled: true, config: { stripeApiUrl: stripe.url, stripeSecretKey: 'sk_test_dunning', dunningHours: [1, 2] } });
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await stripe?.close();
  });

  it('retries a declined card on the schedule, then stops', async () => {
    const post = (p: string, body: unknown, headers?: Record<string, string>) => k.request('POST', `/api/v1/billing${p}`, { body, headers });
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
    await post('/customers', { externalId: 'dunned', name: 'Dunned', currency: 'EUR' });
    await post('/plans', { code: 'flat', currency: 'EUR', amount: '19.99', charges: [] });
    await post('/subscriptions', { customerId: 'dunned', planCode: 'flat', startDate: lastMonth });
    await post('/periods/close', {});
    const [invoice] = (await k.request('GET', '/api/v1/billing/invoices')).body.items;
    const first = await post(`/invoices/${invoice.id}/pay`, { paymentMethod: 'pm_card_chargeDeclined' }, { 'idempotency-key': 'd-1' });
    expect(first.body.payment).toMatchObject({ status: 'failed', attempt: 1 });
    const deadline = Date.now() + 10_000;
    while (k.events.filter((e) => e.name === 'billing.payment.failed').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Give a wrongly scheduled fourth attempt time to show up.
    await new Promise((r) => setTimeout(r, 300));
    const failures = k.events.filter((e) => e.name === 'billing.payment.failed').map((e) => (e.payload as { attempt: number }).attempt);
    expect(failures).toEqual([1, 2, 3]);
    expect(stripe.requests.map((r) => r.idempotencyKey)).toEqual([1, 2, 3].map((n) => `invoice-${invoice.id}-attempt-${n}`));
    expect([...stripe.intents.values()].map((i) => [i.amount, i.currency, i.payment_method])).toEqual(Array(3).fill([1999, 'eur', 'pm_card_chargeDeclined']));
    expect((await k.request('GET', `/api/v1/billing/invoices/${invoice.id}`)).body).toMatchObject({
      status: 'finalized',
      paymentAttempts: 3,
      paymentStatus: 'failed',
      amountDueCents: 1999,
    });
  }, 30_000);
});
