import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { axe, serious, type AxeViolation } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bootHost, signIn } from '../support/host-fixture';

// Accessibility of the admin console in Chromium: every page checked with axe-core against WCAG 2.1 A and AA
// (labels, names, contrast, landmarks, ARIA), and sign-in done with the keyboard alone. A finding of impact
// "serious" or "critical" fails the test and is listed; lesser ones are written to test/artifacts for review.

const WAIT = { timeout: 15_000 };
/** A saved value model, so a model's deep link (`{model}` in the page list) has something to show. */
const MODEL_NAME = 'Accessibility check model';

describeInBrowser('admin console accessibility', () => {
  let host: Awaited<ReturnType<typeof bootHost>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let modelId: string;
  const findings: Record<string, AxeViolation[]> = {};

  beforeAll(async () => {
    ensureAdminUiBuilt();
    host = await bootHost();
    const token = await signIn(host.url);
    const created = await fetch(`${host.url}/api/v1/value-models`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: MODEL_NAME, fromLibrary: { industry: 'software' } }),
    });
    if (created.status !== 201) throw new Error(`creating a value model failed: ${created.status} ${await created.text()}`);
    modelId = ((await created.json()) as { id: string }).id;
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 300_000);

  afterAll(async () => {
    await browser?.context.close();
    await host?.stop();
  });

  it('signs in with the keyboard alone, and the sign-in page has no serious findings', async () => {
    await page.goto(`${host.url}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
    findings['sign-in'] = await axe(page);
    expect(serious(findings['sign-in'])).toEqual([]);
    // Tab to the email field, type, tab to the password, type, press Enter: no mouse.
    await page.locator('body').focus();
    for (
      let i = 0;
      i < 10 && !(await page.getByLabel('Email').evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement));
      i++
    )
      await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN_EMAIL);
    await page.keyboard.press('Tab');
    expect(await page.getByLabel('Password').evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor(WAIT);
  }, 60_000);

  const pages: [string, string, string][] = [
    ['workspace', '/workspace', 'main'],
    ['what-if', '/workspace/what-if', 'What-if'],
    ['value-report', '/workspace/value-report', 'Value report'],
    ['value-models', '/workspace/value-models', 'Value models'],
    ['value-model-new', '/workspace/value-models/new', 'New value model'],
    ['value-model', '/workspace/value-models/{model}', MODEL_NAME],
    ['commitments', '/workspace/commitments', 'Commitments'],
    ['realization', '/workspace/realization', 'Realization'],
    ['amplify', '/workspace/amplify', 'Amplify'],
    ['tenants', '/admin/tenants', 'Tenants'],
    ['tenant', '/admin/tenants/demo', 'Demo Company'],
    ['marketplace', '/admin/marketplace', 'Marketplace'],
    ['health', '/admin/health', 'Plugin health'],
    ['audit', '/admin/audit', 'Audit log'],
    ['data', '/admin/tenants/demo/data', 'Data and privacy · demo'],
    ['account-security', '/account/security', 'Account security'],
    ['notification-preferences', '/account/notifications', 'Notification preferences'],
    ['notification-channels', '/admin/notifications/channels', 'Email Not configured'],
    ['notification-workflows', '/admin/notifications/workflows', 'Notifications'],
    ['notification-templates', '/admin/notifications/templates', 'Notifications'],
    ['notification-deliveries', '/admin/notifications/deliveries', 'Notifications'],
    ['select-tenant', '/select-tenant', 'Choose a tenant'],
  ];

  it.each(pages)(
    'has no serious or critical WCAG 2.1 AA findings on %s',
    async (name, path, heading) => {
      await page.goto(`${host.url}${path.replace('{model}', encodeURIComponent(modelId))}`);
      if (heading === 'main') await page.getByRole('main').waitFor(WAIT);
      else await page.getByRole('heading', { name: heading, exact: true }).first().waitFor(WAIT);
      // Let requests the page makes on arrival settle, so the check sees the loaded page, not a spinner.
      await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
      findings[name] = await axe(page);
      expect(serious(findings[name])).toEqual([]);
    },
    60_000,
  );

  afterAll(() => {
    const dir = artifactsDir('admin-ui');
    writeFileSync(join(dir, 'accessibility.json'), `${JSON.stringify(findings, null, 2)}\n`);
  });
});
