import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { axe, serious } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';

const WAIT = { timeout: 15_000 };
const STEP_MS = 90_000;

const now = new Date();
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const lastMonth = isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
const midLastMonth = `${lastMonth.slice(0, 8)}15T12:00:00Z`;

// The billing pages of the console in Debian's Chromium against a real host: the customer page (plan, this
// period's usage chart, the upcoming invoice priced by the API as the invoice will be, invoices with the PDF and pay) and the
// admin page (metrics, plans with a live quote preview, customers), each checked with axe (no serious or critical
// finding). Screenshots under test/artifacts/billing/.
describeInBrowser('billing pages in a real browser', () => {
  const shots = artifactsDir('billing');
  let host: SuiteHost;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let invoiceNumber: string;

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const api = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${host.url}/api/v1/billing${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };

  beforeAll(async () => {
    ensureAdminUiBuilt();
    host = await bootSuiteHost('vv_bill');
    token = await signIn(host.url);
    // Usage of last month is inside the grace window (default 72 hours).
    const configured = await fetch(`${host.url}/api/v1/admin/tenants/demo/plugins/billing`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, config: { usageGraceHours: 2160 } }),
    });
    expect(configured.status).toBe(200);
    // The seeded demo tenant runs billing: a customer on a plan since last month, with usage in both months.
    expect((await api('POST', '/customers', { externalId: 'hooli', name: 'Hooli', currency: 'USD', taxRate: '0.1', timeZone: 'UTC' })).status).toBe(201);
    expect((await api('POST', '/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' })).status).toBe(201);
    const plan = {
      code: 'growth',
      name: 'Growth',
      currency: 'USD',
      amount: '99.00',
      charges: [
        {
          metric: 'api_calls',
          model: 'graduated',
          properties: {
            tiers: [
              { upTo: 1000, unitAmount: '0' },
              { upTo: null, unitAmount: '0.015' },
            ],
          },
        },
      ],
    };
    expect((await api('POST', '/plans', plan)).status).toBe(201);
    expect((await api('POST', '/subscriptions', { customerId: 'hooli', planCode: 'growth', startDate: lastMonth })).status).toBe(201);
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    const events = [
      ...Array.from({ length: 1200 }, (_, i) => ({ transactionId: `old-${i}`, customerId: 'hooli', metric: 'api_calls', timestamp: midLastMonth })),
      ...Array.from({ length: 700 }, (_, i) => ({ transactionId: `new-${i}`, customerId: 'hooli', metric: 'api_calls', timestamp: recent })),
    ];
    for (let i = 0; i < events.length; i += 1000) expect((await api('POST', '/usage', { events: events.slice(i, i + 1000) })).status).toBe(200);
    const closed = await api('POST', '/periods/close', {});
    expect(closed.status).toBe(200);
    invoiceNumber = (closed.body.finalized as string[])[0]!;
    browser = await launchBrowser({ width: 1280, height: 900 });
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await host?.dispose();
    if (browser) rmSync(browser.profileDir, { recursive: true, force: true });
  }, 60_000);

  it(
    "shows a customer's plan, usage, upcoming invoice and invoices, downloads the PDF and reports why paying fails",
    async () => {
      await page.goto(`${host.url}/workspace/billing`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor(WAIT);
      // Reached from the navigation the enabled billing plugin contributes.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing', exact: true }).waitFor(WAIT);
      await page.getByTestId('billing-plan').waitFor(WAIT);
      expect(await page.getByTestId('billing-plan').textContent()).toBe('Growth');
      await page.getByRole('heading', { name: 'Usage this period' }).waitFor(WAIT);
      expect(await page.locator('vv-time-chart svg circle').count()).toBeGreaterThan(0);
      // 700 calls this period, all in the free tier: 99.00 + 0.00, plus 10 % tax.
      expect((await page.getByTestId('upcoming-total').textContent())?.trim()).toBe('$108.90');
      const invoices = page.getByTestId('invoices');
      await invoices.getByRole('cell', { name: invoiceNumber, exact: true }).waitFor(WAIT);
      // Last month: 99.00 prorated from the start date (the 1st: the whole month) + 200 × 0.015 = 3.00, + 10 %.
      expect(await invoices.getByRole('row', { name: new RegExp(invoiceNumber) }).textContent()).toContain('$112.20');
      await shot('01-customer-billing');
      expect(serious(await axe(page))).toEqual([]);

      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: `Download ${invoiceNumber} as PDF` }).click();
      const file = await download;
      expect(file.suggestedFilename()).toBe(`${invoiceNumber}.pdf`);
      const path = await file.path();
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');

      // No Stripe keys in the demo tenant: paying is refused, and the page says why.
      await page.getByRole('button', { name: `Pay ${invoiceNumber}` }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Payment of ${invoiceNumber} failed` })
        .waitFor(WAIT);
      expect(await page.getByRole('status').textContent()).toMatch(/not configured/i);
      await shot('02-customer-pay-refused');
    },
    STEP_MS,
  );

  it(
    'lists metrics and customers, and previews a quote live as quantities are typed',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing admin' }).click();
      await page.getByRole('heading', { name: 'Billing admin', level: 1 }).waitFor(WAIT);
      await page.getByTestId('metrics').getByRole('cell', { name: 'API calls' }).waitFor(WAIT);
      await page.getByTestId('customers').getByRole('cell', { name: 'Hooli', exact: true }).waitFor(WAIT);
      await page.getByTestId('quote-total').waitFor(WAIT);
      expect((await page.getByTestId('quote-total').textContent())?.trim()).toBe('$99.00');
      // 1,500 calls: 500 past the free thousand at 0.015 = 7.50.
      await page.getByLabel(/^api_calls/).fill('1500');
      await page.getByTestId('quote-total').filter({ hasText: '$106.50' }).waitFor(WAIT);
      // "0.015" × 1 more call: 1.5 cents rounds half away from zero to 2 (binary floating point gives 1).
      await page.getByLabel(/^api_calls/).fill('1001');
      await page.getByTestId('quote-total').filter({ hasText: '$99.02' }).waitFor(WAIT);
      await page.getByLabel(/^api_calls/).fill('-3');
      await page.getByRole('alert').waitFor(WAIT);
      await page.getByLabel(/^api_calls/).fill('1500');
      await page.getByTestId('quote-total').filter({ hasText: '$106.50' }).waitFor(WAIT);
      await shot('03-billing-admin');
      expect(serious(await axe(page))).toEqual([]);
    },
    STEP_MS,
  );
});
