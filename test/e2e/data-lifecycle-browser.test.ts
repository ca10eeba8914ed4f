import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { axe, serious } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bootHost, signIn } from '../support/host-fixture';

// The console's data and privacy page in Chromium (issue #22): export the tenant and see the archive ready to
// download, set a retention policy, erase a person and read what each store did; no serious axe findings.

const WAIT = { timeout: 20_000 };
const PERSON = 'fox.mulder@example.org';

describeInBrowser('console: data and privacy page', () => {
  let host: Awaited<ReturnType<typeof bootHost>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  beforeAll(async () => {
    ensureAdminUiBuilt();
    host = await bootHost();
    const token = await signIn(host.url);
    const member = await fetch(`${host.url}/api/v1/admin/tenants/demo/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: PERSON, role: 'member', password: 'a long and correct password' }),
    });
    if (member.status !== 201) throw new Error(`adding a member failed: ${member.status} ${await member.text()}`);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${host.url}/sign-in`);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor(WAIT);
  }, 300_000);

  afterAll(async () => {
    await browser?.context.close();
    await host?.stop();
  });

  it('exports the tenant, sets retention and erases a person, with no serious findings', async () => {
    await page.getByRole('link', { name: 'Data and privacy' }).click();
    await page.getByRole('heading', { name: 'Data and privacy · demo' }).waitFor(WAIT);

    await page.getByRole('button', { name: 'Export all data' }).click();
    await page.getByRole('button', { name: 'Download' }).waitFor(WAIT);
    const row = page.getByRole('table', { name: 'Exports' }).getByRole('row').nth(1);
    expect(await row.textContent()).toContain('ready');
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^demo-export-.*\.tar\.gz$/);

    await page.getByLabel('measurements (days)').fill('30');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await page.getByText('Saved.').waitFor(WAIT);
    const retention = await fetch(`${host.url}/api/v1/admin/tenants/demo/retention`, { headers: { authorization: `Bearer ${await signIn(host.url)}` } });
    expect(((await retention.json()) as { policies: Record<string, number> }).policies).toEqual({ measurements: 30 });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByLabel('Email', { exact: true }).fill(PERSON);
    await page.getByRole('button', { name: 'Erase', exact: true }).click();
    const report = page.getByRole('table', { name: 'What each store did' });
    await report.waitFor(WAIT);
    expect(await report.getByRole('row', { name: /kernel/ }).textContent()).toContain('users: 1');
    await page.screenshot({ path: join(artifactsDir('admin-ui'), 'data-privacy.png'), fullPage: true });

    expect(serious(await axe(page))).toEqual([]);
  }, 120_000);
});
