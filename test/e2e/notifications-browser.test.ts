import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { axe, serious } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';

const WAIT = { timeout: 15_000 };

// The notification bell in the console's header, in Debian's Chromium against a real host: a notification sent
// through the API shows up live (event stream, no reload) with its unread count, the panel lists it, passes axe,
// and "Mark all read" clears the count. Screenshots under test/artifacts/notifications/.
describeInBrowser('the notification bell in a real browser', () => {
  const shots = artifactsDir('notifications');
  let host: SuiteHost;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${host.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined } as { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
  };

  beforeAll(async () => {
    ensureAdminUiBuilt();
    host = await bootSuiteHost('vv_notify_ui');
    token = await signIn(host.url);
    expect((await api('PUT', '/api/v1/admin/tenants/demo/plugins/notifications', { enabled: true })).status).toBe(200);
    browser = await launchBrowser();
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await host?.dispose();
    if (browser) rmSync(browser.profileDir, { recursive: true, force: true });
  }, 60_000);

  it('shows a new notification live in the bell, lists it accessibly, and marks all read', async () => {
    await page.goto(`${host.url}/workspace`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const bell = page.getByTestId('notification-bell');
    await bell.waitFor(WAIT);
    await page.locator('[data-live="live"]').waitFor(WAIT);
    expect(await page.getByTestId('unread-count').count()).toBe(0);

    const userId = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
    const sent = await api('POST', '/api/v1/notifications/send', {
      to: [{ userId }],
      category: 'commitments',
      channels: ['inbox'],
      subject: 'Rollout commitment at risk',
      body: 'Adoption is projected at 900 of 1,000.',
    });
    expect(sent.status).toBe(202);
    // No reload: the event stream tells the bell.
    await page.getByTestId('unread-count').filter({ hasText: '1' }).waitFor(WAIT);
    expect(await bell.getAttribute('aria-expanded')).toBe('false');
    await bell.click();
    await page.getByRole('region', { name: 'Notifications' }).waitFor(WAIT);
    await page.getByText('Rollout commitment at risk').waitFor(WAIT);
    await page.screenshot({ path: join(shots, 'bell-open.png') });
    expect(serious(await axe(page))).toEqual([]);

    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByTestId('unread-count').waitFor({ state: 'detached', ...WAIT });
    expect((await api('GET', '/api/v1/notifications/inbox')).body).toMatchObject({ unreadCount: 0, items: [{ title: 'Rollout commitment at risk', read: true }] });
    await page.keyboard.press('Escape');
    await page.getByRole('region', { name: 'Notifications' }).waitFor({ state: 'detached', ...WAIT });
  }, 120_000);
});
