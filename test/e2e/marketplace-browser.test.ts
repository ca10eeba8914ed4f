import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateSigningKeyPair, packPluginDirectory, signPackage } from '@valueverse/plugin-sdk/package';
import { axe, serious, type AxeViolation } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';
import { writeTestPlugin } from '../support/package-fixture';

const PLUGIN = 'acme-hello';
const NAME = `Test ${PLUGIN}`;
/** Outside the plugin's namespace: the install must be approved for it. */
const PERMISSION = 'events.publish:commitment.created';
const WAIT = { timeout: 15_000 };
const STEP_MS = 60_000;

// The console's Marketplace page in Chromium against a real host (PostgreSQL behind it when it answers): a signed
// package published to the host's own registry (publisher, key, two versions), the publisher's key trusted through
// the page, the plugin installed with its permission approved, upgraded, rolled back, and uninstalled with force
// while a tenant has it enabled, each checked against the API; axe finds nothing serious; screenshots at desktop and
// phone sizes go to test/artifacts/marketplace/.
describeInBrowser('the console Marketplace page in a real browser', () => {
  const shots = artifactsDir('marketplace');
  const root = mkdtempSync(join(tmpdir(), 'vv-market-ui-'));
  const key = generateSigningKeyPair();
  const findings: Record<string, AxeViolation[]> = {};
  let host: SuiteHost;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let token: string;

  const shot = async (name: string) => {
    // From the top: a full-page capture of a scrolled page draws the sticky header in the middle.
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field in expectations
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${host.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  };
  const hello = async () => (await api('GET', `/api/v1/${PLUGIN}/hello`)).body?.version as string | undefined;

  /** A signed package of the fixture plugin at `version`, with a readme and a description, as `vv-plugin pack` + `sign` make it. */
  async function signedPackage(version: string): Promise<Buffer> {
    const dir = writeTestPlugin({ id: PLUGIN, version, permissions: [PERMISSION] }, root);
    const manifest = JSON.parse(readFileSync(join(dir, 'plugin.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'plugin.json'), `${JSON.stringify({ ...manifest, description: 'Says hello with its version' }, null, 2)}\n`);
    writeFileSync(join(dir, 'README.md'), `# Acme hello\n\nAnswers GET /api/v1/${PLUGIN}/hello with its version (${version}).\n`);
    return signPackage(await packPluginDirectory(dir), key.privateKeyPem);
  }

  const dialog = () => page.getByRole('dialog');
  const status = (text: string) => page.locator('.feedback .status-msg').filter({ hasText: text }).waitFor(WAIT);
  const card = () => page.locator(`li[data-install="${PLUGIN}"]`);

  beforeAll(async () => {
    ensureAdminUiBuilt();
    host = await bootSuiteHost('vv_ui_market');
    token = await signIn(host.url);
    // Publish 1.0.0 and 1.1.0 to the host's registry as a publisher does (registry admin creates the publisher).
    const publisher = await api('POST', '/api/v1/marketplace/publishers', { name: 'Acme' });
    expect(publisher.status).toBe(201);
    const keyAdded = await fetch(`${host.url}/api/v1/marketplace/publishers/${publisher.body.id}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publisher.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ publicKeyPem: key.publicKeyPem }),
    });
    expect(keyAdded.status).toBe(201);
    for (const version of ['1.0.0', '1.1.0']) {
      const published = await fetch(`${host.url}/api/v1/marketplace/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${publisher.body.token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(await signedPackage(version)),
      });
      expect(published.status).toBe(201);
    }
    browser = await launchBrowser({ width: 1440, height: 900 });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 300_000);

  afterAll(async () => {
    writeFileSync(join(shots, 'accessibility.json'), `${JSON.stringify(findings, null, 2)}\n`);
    await browser?.context.close();
    await host?.dispose();
    for (const dir of [root, browser?.profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'opens from the navigation and lists the published plugin, not installed; its signer is not trusted yet',
    async () => {
      await page.goto(`${host.url}/sign-in`);
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Marketplace' }).click();
      await page.getByRole('heading', { name: 'Marketplace', exact: true }).waitFor(WAIT);
      const row = page.locator(`table.catalog tr[data-plugin="${PLUGIN}"]`);
      await row.waitFor(WAIT);
      const text = await row.textContent();
      expect(text).toContain(NAME);
      expect(text).toContain('Says hello with its version');
      expect(text).toContain('1.1.0');
      expect(text).toContain('Acme');
      expect(text).toContain('compatible');
      expect(await row.locator('[data-label="Installed"]').textContent()).toContain('no');
      await page.getByText('No keys are trusted yet').waitFor(WAIT);

      await page.getByRole('button', { name: `Install ${NAME}` }).click();
      await dialog().getByText('not trusted').waitFor(WAIT);
      expect(await dialog().getByRole('note').textContent()).toContain('the install will be refused');
      await dialog().getByRole('button', { name: 'Cancel' }).click();
      await dialog().waitFor({ state: 'detached', ...WAIT });
      expect((await api('GET', '/api/v1/admin/installs')).body.items).toEqual([]);
    },
    STEP_MS,
  );

  it(
    "trusts the publisher's key through the form and shows the details: versions, permissions, signer trusted, readme",
    async () => {
      await page.getByLabel('Name', { exact: true }).fill('Acme');
      await page.getByLabel('Trust level').selectOption('in-process');
      await page.getByLabel('Public key (PEM)').fill(key.publicKeyPem);
      await page.getByRole('button', { name: 'Trust key' }).click();
      await page.getByText(`Key ${key.keyId} (“Acme”) is trusted.`).waitFor(WAIT);
      await page.locator(`tr[data-key="${key.keyId}"]`).waitFor(WAIT);
      expect((await api('GET', '/api/v1/admin/trusted-keys')).body.items.map((k: { keyId: string }) => k.keyId)).toEqual([key.keyId]);

      await page.getByRole('button', { name: `Details of ${NAME}` }).click();
      const details = page.getByTestId('details');
      await details.locator('tr[data-version="1.0.0"]').waitFor(WAIT);
      const latest = await details.locator('tr[data-version="1.1.0"]').textContent();
      expect(latest).toContain(PERMISSION);
      expect(latest).toContain(key.keyId);
      expect(latest).toContain('trusted');
      expect(latest).not.toContain('not trusted');
      expect(await details.locator('pre.readme').textContent()).toContain(`Answers GET /api/v1/${PLUGIN}/hello with its version (1.1.0).`);
      await shot('01-details-1440');
    },
    STEP_MS,
  );

  it(
    'installs 1.0.0 after the permission is approved, and shows it running on this instance',
    async () => {
      await page.getByRole('button', { name: `Install ${NAME}` }).click();
      await dialog().getByText(PERMISSION).waitFor(WAIT);
      expect(await dialog().getByText('outside its namespace').count()).toBe(1);
      const install = dialog().getByRole('button', { name: 'Install' });
      expect(await install.isDisabled()).toBe(true);
      await dialog().getByLabel('Version').selectOption('1.0.0');
      await dialog()
        .getByRole('checkbox', { name: `I approve these permissions for ${NAME}` })
        .check();
      await shot('02-install-approval-1440');
      await install.click();
      await status(`${PLUGIN} 1.0.0 is installed.`);
      await card().locator('tr[data-instance] .vv-badge').filter({ hasText: 'running' }).waitFor(WAIT);
      expect(await page.locator(`table.catalog tr[data-plugin="${PLUGIN}"] [data-label="Installed"]`).textContent()).toContain('1.0.0');
      await shot('03-installed-1440');

      const installs = (await api('GET', '/api/v1/admin/installs')).body.items;
      expect(installs).toEqual([
        expect.objectContaining({ pluginId: PLUGIN, version: '1.0.0', source: 'registry', signerKeyId: key.keyId, trust: 'in-process', approvedPermissions: [PERMISSION] }),
      ]);
      expect((await api('PUT', `/api/v1/admin/tenants/demo/plugins/${PLUGIN}`, { enabled: true })).status).toBe(200);
      expect(await hello()).toBe('1.0.0');
    },
    STEP_MS,
  );

  it(
    'upgrades to 1.1.0 and rolls back to 1.0.0 from the page',
    async () => {
      await page.getByRole('button', { name: `Change version of ${PLUGIN}` }).click();
      await dialog().getByText('Version 1.1.0').waitFor(WAIT);
      await dialog().getByRole('checkbox').check();
      await dialog().getByRole('button', { name: 'Switch version' }).click();
      await status(`${PLUGIN} 1.1.0 is switched.`);
      expect(await hello()).toBe('1.1.0');

      await page.getByRole('button', { name: `Roll back to 1.0.0: ${PLUGIN}` }).click();
      await dialog().getByText('Version 1.0.0 (previous)').waitFor(WAIT);
      await dialog().getByRole('checkbox').check();
      await dialog().getByRole('button', { name: 'Roll back' }).click();
      await status(`${PLUGIN} 1.0.0 is rolled back.`);
      expect(await hello()).toBe('1.0.0');
      const audit = await api('GET', '/api/v1/admin/audit?action=plugin.rolled-back');
      expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['plugin.rolled-back']);
    },
    STEP_MS,
  );

  it(
    'has no serious or critical WCAG 2.1 AA findings with details and an install shown, at 1440 and 390 wide',
    async () => {
      findings['desktop'] = await axe(page);
      expect(serious(findings['desktop'])).toEqual([]);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('heading', { name: 'Marketplace', exact: true }).scrollIntoViewIfNeeded();
      await shot('04-page-390');
      // Nothing wider than the phone: no sideways scrolling (tables stack into cards; their hidden headers are clipped).
      const overflow = await page.evaluate(() => {
        const document = (
          globalThis as unknown as {
            document: {
              documentElement: { clientWidth: number; scrollWidth: number };
              querySelectorAll(s: string): ArrayLike<{ tagName: string; className: unknown; closest(s: string): unknown; getBoundingClientRect(): { right: number } }>;
            };
          }
        ).document;
        const width = document.documentElement.clientWidth;
        const wide = Array.from(document.querySelectorAll('main *')).filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('thead, .vv-visually-hidden'));
        return { width, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8).map((e) => `${e.tagName.toLowerCase()}.${String(e.className)}`) };
      });
      expect(overflow).toEqual({ width: 390, scrollWidth: 390, wide: [] });
      findings['phone'] = await axe(page);
      expect(serious(findings['phone'])).toEqual([]);
      await page.getByRole('button', { name: `Change version of ${PLUGIN}` }).click();
      await dialog().getByText('Version 1.1.0').waitFor(WAIT);
      await page.screenshot({ path: join(shots, '05-change-version-390.png') });
      findings['dialog-phone'] = await axe(page);
      expect(serious(findings['dialog-phone'])).toEqual([]);
      await dialog().getByRole('button', { name: 'Cancel' }).click();
      await dialog().waitFor({ state: 'detached', ...WAIT });
      await page.setViewportSize({ width: 1440, height: 900 });
    },
    STEP_MS,
  );

  it(
    'uninstall while the demo tenant has it enabled: 409, then forced after the warning naming the tenant',
    async () => {
      await page.getByRole('button', { name: `Uninstall ${PLUGIN}` }).click();
      await dialog().getByRole('button', { name: 'Uninstall' }).click();
      await dialog().getByText(`${PLUGIN} is in use`).waitFor(WAIT);
      expect(await dialog().locator('li').allTextContents()).toEqual(['demo']);
      await shot('06-force-uninstall-1440');
      await dialog().getByRole('button', { name: 'Disable for all and uninstall' }).click();
      await status(`${PLUGIN} is uninstalled; disabled for 1 tenant.`);
      await card().getByText('Data kept until').waitFor(WAIT);
      await page.getByRole('button', { name: `Install again: ${PLUGIN}` }).waitFor(WAIT);
      await shot('07-uninstalled-1440');
      expect((await api('GET', '/api/v1/admin/installs')).body.items).toEqual([expect.objectContaining({ pluginId: PLUGIN, state: 'uninstalled' })]);
      expect((await api('GET', `/api/v1/${PLUGIN}/hello`)).status).toBe(404);
    },
    STEP_MS,
  );
});
