import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { createBillingPlugin } from '../plugin';
import manifest from '../../plugin.json';

// Subscriptions through their periods on a test kernel (embedded database), with the real clock: each subscription
// starts on the 1st of last month in Berlin, so last month's period has ended and this month's is open.

const zone = 'Europe/Berlin';
const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const [year, month, day] = today.split('-').map(Number) as [number, number, number];
const lastMonth = month === 1 ? `${year - 1}-12-01` : `${year}-${String(month - 1).padStart(2, '0')}-01`;
const thisMonth = `${year}-${String(month).padStart(2, '0')}-01`;
const daysIn = (firstOfMonth: string) => new Date(Date.UTC(Number(firstOfMonth.slice(0, 4)), Number(firstOfMonth.slice(5, 7)), 0)).getUTCDate();
// Noon on the 10th of last month in Berlin (10:00 or 11:00 UTC): inside last month's period whatever the DST.
const inLastMonth = (hour = 10) => `${lastMonth.slice(0, 8)}10T${String(hour).padStart(2, '0')}:00:00Z`;

describe('billing cycle: plans, subscriptions, period close, invoices', () => {
  let k: TestKernel;
  const post = (p: string, body: unknown) => k.request('POST', `/api/v1/billing${p}`, { body });
  const get = (p: string) => k.request('GET', `/api/v1/billing${p}`);

  beforeAll(async () => {
    k = await createTestKernel({
      // No schedule in the test: periods are closed through the route the job also calls.
      plugins: [{ manifest, plugin: createBillingPlugin({ closeSchedule: { everyMs: 86_400_000 * 365 } }) }],
      tenants: ['acme', 'globex'],
      config: { billing: { usageGraceHours: 2160 } },
    });
    await post('/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' });
    await post('/metrics', { code: 'storage_gb', name: 'Storage', aggregation: 'sum', field: 'gb' });
    const tiers = [
      { upTo: 100, unitAmount: '1' },
      { upTo: 200, unitAmount: '0.50', flatAmount: '2' },
      { upTo: null, unitAmount: '0.10' },
    ];
    const charges = [
      { metric: 'api_calls', model: 'graduated', properties: { tiers } },
      { metric: 'storage_gb', model: 'standard', properties: { unitAmount: '0.335' } },
    ];
    expect((await post('/plans', { code: 'pro', name: 'Pro', currency: 'USD', amount: '49.00', charges })).status).toBe(201);
    expect((await post('/plans', { code: 'basic', name: 'Basic', currency: 'USD', amount: '10.00', charges: [] })).status).toBe(201);
    expect((await post('/plans', { code: 'advance', name: 'Advance', currency: 'USD', amount: '30.00', payInAdvance: true, trialDays: 10, charges: [] })).status).toBe(201);
    for (const externalId of ['c-pro', 'c-adv', 'c-up', 'c-cancel', 'c-late']) {
      expect((await post('/customers', { externalId, name: externalId, currency: 'USD', taxRate: '0.2', timeZone: zone })).status).toBe(201);
    }
  }, 60_000);
  afterAll(() => k.close());

  it('refuses plans on unknown metrics, and percentage charges on non-sum metrics', async () => {
    const unknown = await post('/plans', { code: 'x', currency: 'USD', amount: '1', charges: [{ metric: 'nope', model: 'standard', properties: { unitAmount: '1' } }] });
    expect(unknown.body.errors[0].pointer).toBe('/charges/0/metric');
    const percentage = await post('/plans', { code: 'x', currency: 'USD', amount: '1', charges: [{ metric: 'api_calls', model: 'percentage', properties: { rate: '0.01' } }] });
    expect(percentage.body.errors[0].pointer).toBe('/charges/0/model');
  });

  it('closes last month in the customer’s time zone into a finalized, numbered invoice whose lines match the quote to the cent', async () => {
    const sub = await post('/subscriptions', { customerId: 'c-pro', planCode: 'pro', startDate: lastMonth });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ status: 'active', currentPeriodStart: lastMonth, currentPeriodEnd: thisMonth, trialEndDate: null });
    const events = [
      ...Array.from({ length: 250 }, (_, i) => ({ transactionId: `call-${i}`, customerId: 'c-pro', metric: 'api_calls', timestamp: inLastMonth() })),
      ...[1, 2, 3].map((i) => ({ transactionId: `gb-${i}`, customerId: 'c-pro', metric: 'storage_gb', timestamp: inLastMonth(), properties: { gb: '1' } })),
    ];
    expect((await post('/usage', { events })).body.counted).toBe(253);

    const closed = await post('/periods/close', {});
    expect(closed.status).toBe(200);
    expect(closed.body.finalized).toHaveLength(1);
    const number = closed.body.finalized[0] as string;
    expect(number).toMatch(/^INV-\d{4}-000001$/);
    const event = await k.waitForEvent('billing.invoice.finalized');
    expect(event.payload).toMatchObject({ number, totalCents: 24841, currency: 'USD' });

    const list = await get('/invoices?customerId=c-pro');
    const invoice = list.body.items[0];
    expect(invoice).toMatchObject({
      number,
      status: 'finalized',
      kind: 'period',
      periodStart: lastMonth,
      periodEnd: thisMonth,
      subtotalCents: 20701,
      taxCents: 4140,
      totalCents: 24841,
      amountDueCents: 24841,
    });
    expect(invoice.lines.map((l: { kind: string; metric?: string; amountCents: number }) => [l.kind, l.metric, l.amountCents])).toEqual([
      ['base', undefined, 4900],
      ['usage', 'api_calls', 15700],
      ['usage', 'storage_gb', 101],
    ]);
    expect(invoice.lines[1].tiers.map((t: { units: string; amountCents: number }) => [t.units, t.amountCents])).toEqual([
      ['100', 10000],
      ['100', 5200],
      ['50', 500],
    ]);
    const quote = await post('/quote', { planCode: 'pro', usage: { api_calls: 250, storage_gb: '3' }, taxRate: '0.2' });
    expect(quote.body).toMatchObject({ subtotalCents: invoice.subtotalCents, taxCents: invoice.taxCents, totalCents: invoice.totalCents });
    expect(quote.body.lines.map((l: { amountCents: number }) => l.amountCents)).toEqual(invoice.lines.map((l: { amountCents: number }) => l.amountCents));

    // Closing again bills nothing twice; the subscription has moved to this month.
    expect((await post('/periods/close', {})).body).toEqual({ closed: 0, finalized: [] });
    expect((await get(`/subscriptions/${sub.body.id}`)).body).toMatchObject({ currentPeriodStart: thisMonth });
    expect((await get('/invoices?customerId=c-pro')).body.items).toHaveLength(1);

    const pdf = await k.request('GET', `/api/v1/billing/invoices/${invoice.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(String(pdf.body).startsWith('%PDF-')).toBe(true);
    expect((await k.request('GET', `/api/v1/billing/invoices/${invoice.id}`, { tenant: 'globex' })).status).toBe(404);
  });

  it('credit notes lower what is due; a void invoice takes no more; numbers stay gapless', async () => {
    const [invoice] = (await get('/invoices?customerId=c-pro')).body.items;
    const note = await post(`/invoices/${invoice.id}/credit-notes`, { amountCents: 841, reason: 'Goodwill' });
    expect(note.status).toBe(201);
    expect(note.body.number).toMatch(/^CN-\d{4}-000001$/);
    expect((await get(`/invoices/${invoice.id}`)).body).toMatchObject({ creditedCents: 841, amountDueCents: 24000, creditNotes: [{ amountCents: 841, reason: 'Goodwill' }] });
    expect((await post(`/invoices/${invoice.id}/credit-notes`, { amountCents: 30000, reason: 'Too much' })).status).toBe(400);
    expect((await post(`/invoices/${invoice.id}/void`, {})).body).toMatchObject({ status: 'void', amountDueCents: 0 });
    expect((await post(`/invoices/${invoice.id}/void`, {})).status).toBe(409);
  });

  it('trials and fees in advance: the start invoice bills the days after the trial; closing bills next month in advance', async () => {
    const sub = await post('/subscriptions', { customerId: 'c-adv', planCode: 'advance', startDate: lastMonth });
    expect(sub.body.trialEndDate).toBe(`${lastMonth.slice(0, 8)}11`);
    const started = (await get('/invoices?customerId=c-adv')).body.items;
    expect(started).toHaveLength(1);
    const lastDays = daysIn(lastMonth);
    // 30.00 × (days after the 10 trial days) / days in the month, rounded half away from zero.
    expect(started[0]).toMatchObject({ kind: 'start', status: 'finalized', subtotalCents: Math.round((3000 * (lastDays - 10)) / lastDays) });
    await post('/periods/close', {});
    const kinds = (await get('/invoices?customerId=c-adv')).body.items.map((i: { kind: string; subtotalCents: number; periodStart: string }) => [
      i.kind,
      i.periodStart,
      i.subtotalCents,
    ]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['period', lastMonth, 0],
        ['start', thisMonth, 3000],
      ]),
    );
  });

  it('an upgrade applies today: the old plan’s days are invoiced at once; a downgrade waits for the period end', async () => {
    const sub = await post('/subscriptions', { customerId: 'c-up', planCode: 'basic', startDate: lastMonth });
    await post('/periods/close', {});
    const up = await post(`/subscriptions/${sub.body.id}/plan`, { planCode: 'pro' });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ kind: 'upgrade', effectiveDate: today, subscription: { planCode: 'pro', previousId: sub.body.id, currentPeriodStart: today } });
    expect((await get(`/subscriptions/${sub.body.id}`)).body).toMatchObject({ status: 'canceled', endedOn: today });
    const termination = await get(`/invoices/${up.body.terminationInvoiceId}`);
    // Basic's 10.00 for the days of this month before today, in arrears.
    const used = Math.round((1000 * (day - 1)) / daysIn(thisMonth));
    expect(termination.body).toMatchObject({ kind: 'termination', status: 'finalized', subtotalCents: used, periodStart: thisMonth, periodEnd: today });

    const down = await post(`/subscriptions/${up.body.subscription.id}/plan`, { planCode: 'basic' });
    expect(down.body).toMatchObject({ kind: 'downgrade', subscription: { planCode: 'pro', pendingPlanCode: 'basic' } });
    expect(down.body.effectiveDate > today).toBe(true);
  });

  it('cancels at the period end or now; a fee paid in advance is credited for the unused days', async () => {
    const sub = await post('/subscriptions', { customerId: 'c-cancel', planCode: 'advance', startDate: thisMonth });
    const later = await post(`/subscriptions/${sub.body.id}/cancel`, { when: 'period_end' });
    expect(later.body).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    const now = await post(`/subscriptions/${sub.body.id}/cancel`, { when: 'now' });
    expect(now.body).toMatchObject({ status: 'canceled', endedOn: today > thisMonth ? today : thisMonth });
    const invoices = (await get('/invoices?customerId=c-cancel')).body.items;
    const start = invoices.find((i: { kind: string }) => i.kind === 'start');
    const days = daysIn(thisMonth);
    const trialEnd = 11;
    const unusedFrom = Math.max(day, trialEnd);
    const expected = Math.round((3000 * (days + 1 - unusedFrom)) / days);
    expect(start.creditNotes).toEqual([expect.objectContaining({ amountCents: expected })]);
    expect((await post(`/subscriptions/${sub.body.id}/cancel`, { when: 'now' })).status).toBe(409);
  });

  it('carries usage that arrives after an invoice was finalized to the next invoice as an adjustment', async () => {
    const sub = await post('/subscriptions', { customerId: 'c-late', planCode: 'pro', startDate: lastMonth });
    const calls = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ transactionId: `late-${from + i}`, customerId: 'c-late', metric: 'api_calls', timestamp: inLastMonth() }));
    await post('/usage', { events: calls(0, 100) });
    await post('/periods/close', {});
    const [issued] = (await get('/invoices?customerId=c-late')).body.items;
    expect(issued.lines[1]).toMatchObject({ metric: 'api_calls', quantity: '100', amountCents: 10000 });
    // 150 more calls of last month arrive after its invoice was issued (inside the 90-day grace); it stays as issued.
    await post('/usage', { events: calls(100, 150) });
    expect((await get(`/invoices/${issued.id}`)).body.lines[1].amountCents).toBe(10000);
    // Ending the subscription today invoices this month's days, with last month's difference: 250 calls cost
    // 157.00 by the graduated tiers, 100.00 was billed, so 57.00 more.
    await post(`/subscriptions/${sub.body.id}/cancel`, { when: 'now' });
    const termination = (await get('/invoices?customerId=c-late')).body.items.find((i: { kind: string }) => i.kind === 'termination');
    const adjustment = termination.lines.find((l: { kind: string }) => l.kind === 'adjustment');
    expect(adjustment).toMatchObject({ metric: 'api_calls', quantity: '250', amountCents: 5700, adjusts: issued.id });
    expect(termination.subtotalCents).toBe(termination.lines.reduce((sum: number, l: { amountCents: number }) => sum + l.amountCents, 0));
  });
});
