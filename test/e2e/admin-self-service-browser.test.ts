import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import qrcode from 'qrcode-generator';
import { base32Decode, hotp } from '@valueverse/kernel';
import { axe, serious } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';

const WAIT = { timeout: 10_000 };
const STEP_MS = 60_000;
const OWNER = 'owner@example.com';
const VIEWER = 'viewer@example.com';
const PASSWORD = 'a long owner password';
const NEW_PASSWORD = 'an even longer owner password';

/** What would scroll sideways at the current width: the document's scroll width and elements past the right edge. */
async function overflow(page: Page): Promise<{ width: number; scrollWidth: number; wide: string[] }> {
  return page.evaluate(() => {
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
}

/** The SVG path the console's QR component draws for `text` (same library, same error correction). */
function expectedQrPath(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  let path = '';
  const size = qr.getModuleCount();
  for (let row = 0; row < size; row++) for (let col = 0; col < size; col++) if (qr.isDark(row, col)) path += `M${col} ${row}h1v1h-1z`;
  return path;
}

// A tenant administrator runs their tenant alone in Chromium: invites people and changes roles, creates an API key
// (shown once) and revokes it, turns on two-step verification from a QR code; the operator sees failed jobs. Every
// page: axe 0 serious/critical and no sideways scrolling at 390×844. Screenshots in test/artifacts/admin-self-service/.
describeInBrowser('tenant self-service administration in a real browser', () => {
  const shots = artifactsDir('admin-self-service');
  let host: SuiteHost;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const api = async (path: string, init: RequestInit = {}, token?: string) => {
    const bearer = token ?? (await signIn(host.url));
    const res = await fetch(`${host.url}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...init.headers } });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  };
  const members = async () => ((await api('/api/v1/admin/tenants/demo/members')).body!['items'] as { email: string; role: string }[]).map((m) => `${m.email}:${m.role}`);
  const dialog = () => page.getByRole('dialog');
  /** axe at 1440, then the page at 390 wide: no overflow, axe again, a screenshot; back to 1440. */
  const checkPage = async (name: string) => {
    expect(serious(await axe(page))).toEqual([]);
    await shot(`${name}-1440`);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflow(page)).toEqual({ width: 390, scrollWidth: 390, wide: [] });
    expect(serious(await axe(page))).toEqual([]);
    await shot(`${name}-390`);
    await page.setViewportSize({ width: 1440, height: 900 });
  };
  const signInAs = async (email: string, password: string) => {
    await page.goto(`${host.url}/workspace`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);
  };

  beforeAll(async () => {
    ensureAdminUiBuilt();
    host = await bootSuiteHost('vv_selfsvc');
    // The operator adds the tenant's own administrator and a viewer (platform admins add accounts directly).
    for (const [email, role] of [
      [OWNER, 'tenant-admin'],
      [VIEWER, 'viewer'],
    ]) {
      const added = await api('/api/v1/admin/tenants/demo/members', { method: 'POST', body: JSON.stringify({ email, role, password: PASSWORD }) });
      expect(added.status).toBe(201);
    }
    browser = await launchBrowser({ width: 1440, height: 900 });
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await host?.dispose();
    if (browser?.profileDir) rmSync(browser.profileDir, { recursive: true, force: true });
  }, 60_000);

  it(
    'invites a member, changes a role (a demotion asks first), withdraws the invitation and removes a member',
    async () => {
      await signInAs(OWNER, PASSWORD);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor(WAIT);
      const viewerRow = page.locator(`tr[data-member="${VIEWER}"]`);
      await viewerRow.waitFor(WAIT);
      // One's own role is not a control: an admin cannot lock themselves out here.
      expect(await page.locator(`tr[data-member="${OWNER}"] select`).count()).toBe(0);

      // A bad address is caught on the field, nothing is sent.
      await page.getByLabel('Email').fill('not-an-address');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByText('Enter an email address such as name@example.com.').waitFor(WAIT);
      await page.getByLabel('Email').fill('new.hire@example.com');
      await page.getByLabel('Role', { exact: true }).selectOption('member');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByTestId('members-message').filter({ hasText: 'Invitation sent to new.hire@example.com as Member.' }).waitFor(WAIT);
      await page.locator('tr[data-invitation="new.hire@example.com"]').waitFor(WAIT);
      const pending = await api('/api/v1/admin/tenants/demo/invitations');
      expect((pending.body!['items'] as { email: string; role: string }[]).map((i) => `${i.email}:${i.role}`)).toEqual(['new.hire@example.com:member']);

      // A promotion needs no confirmation; a demotion does, and cancelling keeps the role.
      await viewerRow.getByRole('combobox', { name: `Role of ${VIEWER}` }).selectOption('member');
      await page
        .getByTestId('members-message')
        .filter({ hasText: `${VIEWER} is now Member.` })
        .waitFor(WAIT);
      expect(await members()).toContain(`${VIEWER}:member`);
      await viewerRow.getByRole('combobox', { name: `Role of ${VIEWER}` }).selectOption('viewer');
      await dialog().getByText(`Make ${VIEWER} Viewer?`).waitFor(WAIT);
      await dialog().getByRole('button', { name: 'Cancel' }).click();
      await dialog().waitFor({ state: 'detached', ...WAIT });
      expect(await members()).toContain(`${VIEWER}:member`);
      await viewerRow.getByRole('combobox', { name: `Role of ${VIEWER}` }).selectOption('viewer');
      await dialog().getByRole('button', { name: 'Make Viewer' }).click();
      await page
        .getByTestId('members-message')
        .filter({ hasText: `${VIEWER} is now Viewer.` })
        .waitFor(WAIT);
      expect(await members()).toContain(`${VIEWER}:viewer`);

      await checkPage('01-members');

      await page.getByRole('button', { name: 'Withdraw the invitation to new.hire@example.com' }).click();
      await dialog().getByRole('button', { name: 'Withdraw invitation' }).click();
      await page.getByTestId('no-invitations').waitFor(WAIT);
      expect((await api('/api/v1/admin/tenants/demo/invitations')).body!['items']).toEqual([]);

      await viewerRow.getByRole('button', { name: `Remove ${VIEWER}` }).click();
      await dialog().getByRole('button', { name: 'Remove member' }).click();
      await viewerRow.waitFor({ state: 'detached', ...WAIT });
      expect(await members()).not.toContain(`${VIEWER}:viewer`);
      expect((await members()).some((m) => m.startsWith(VIEWER))).toBe(false);
    },
    STEP_MS,
  );

  it(
    'creates an API key that is shown once and works, then revokes it so it stops working',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor(WAIT);
      await page.getByTestId('no-keys').waitFor(WAIT);
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByText('Name the key after what will use it.').waitFor(WAIT);
      await page.getByLabel('Name').fill('CRM sync');
      await page.getByLabel('Role').selectOption('viewer');
      await page.getByRole('button', { name: 'Create key' }).click();
      const shown = page.getByTestId('created-key-value');
      await shown.waitFor(WAIT);
      const key = (await shown.textContent())!.trim();
      expect(key).toMatch(/^vvk_/);
      await page.locator('tr[data-key="CRM sync"]').waitFor(WAIT);
      // The key acts as a viewer of the tenant.
      const me = await api('/api/v1/me', {}, key);
      expect(me.status).toBe(200);
      // The list never carries the key itself.
      expect(JSON.stringify((await api('/api/v1/admin/tenants/demo/api-keys')).body)).not.toContain(key);

      await checkPage('02-api-keys-created');

      await page.getByRole('button', { name: 'I have stored it' }).click();
      await shown.waitFor({ state: 'detached', ...WAIT });
      expect(await page.getByText(key).count()).toBe(0);

      await page.getByRole('button', { name: 'Revoke CRM sync' }).click();
      await dialog().getByText('Revoke "CRM sync"?').waitFor(WAIT);
      await dialog().getByRole('button', { name: 'Revoke key' }).click();
      await page.getByTestId('keys-message').filter({ hasText: '"CRM sync" was revoked.' }).waitFor(WAIT);
      await page.getByTestId('no-keys').waitFor(WAIT);
      expect((await api('/api/v1/me', {}, key)).status).toBe(401);
      await shot('03-api-keys-revoked');
    },
    STEP_MS,
  );

  it(
    'changes the password: the current one is checked, every session ends, and the new one signs in',
    async () => {
      const other = await fetch(`${host.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: OWNER, password: PASSWORD }),
      });
      const otherSession = (await other.json()) as { accessToken: string; refreshToken: string };
      await page.goto(`${host.url}/account/security`);
      await page.getByRole('heading', { name: 'Password' }).waitFor(WAIT);
      await page.getByLabel('Current password').fill('not my password at all');
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('New password again').fill(`${NEW_PASSWORD}!`);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('The two new passwords differ.').waitFor(WAIT);
      await page.getByLabel('New password again').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('This is not your current password.').waitFor(WAIT);
      await checkPage('04-password-error');

      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Your password was changed and every session was signed out.').waitFor(WAIT);
      await shot('05-password-changed-sign-in');
      // The other device's session ended too: its access token and its refresh token are refused.
      expect((await api('/api/v1/me', {}, otherSession.accessToken)).status).toBe(401);
      const refresh = await fetch(`${host.url}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: otherSession.refreshToken }),
      });
      expect(refresh.status).toBe(401);
      await page.getByLabel('Email').fill(OWNER);
      await page.getByLabel('Password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Account security' }).waitFor(WAIT);
      expect(new URL(page.url()).pathname).toBe('/account/security');
    },
    STEP_MS,
  );

  it(
    'turns on two-step verification from a QR code that encodes the setup URI',
    async () => {
      await page.goto(`${host.url}/account/security`);
      await page.getByRole('button', { name: 'Set up two-step verification' }).click();
      const uri = (await page.getByTestId('totp-uri').textContent())!.trim();
      expect(uri).toMatch(/^otpauth:\/\/totp\//);
      const qr = page.getByRole('img', { name: 'QR code to add this account to an authenticator app' });
      await qr.waitFor(WAIT);
      // The code drawn is the QR code of exactly the URI shown (the same library decides every module).
      expect(await qr.locator('path').getAttribute('d')).toBe(expectedQrPath(uri));
      await checkPage('06-totp-qr');

      const secret = new URL(uri).searchParams.get('secret')!;
      const step = Math.floor(Date.now() / 30_000);
      await page.getByLabel('Verification code').fill(hotp(base32Decode(secret), step));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByTestId('totp-state').filter({ hasText: 'Two-step verification is on.' }).waitFor(WAIT);
      // Signing in now needs the second factor.
      const login = await fetch(`${host.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: OWNER, password: NEW_PASSWORD }),
      });
      expect(((await login.json()) as { code?: string }).code).toBe('VV_MFA_REQUIRED');
    },
    STEP_MS,
  );

  it(
    'shows the operator the failed jobs page with its empty state',
    async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInAs(ADMIN_EMAIL, ADMIN_PASSWORD);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Failed jobs' }).click();
      await page.getByRole('heading', { name: 'Failed jobs', level: 1 }).waitFor(WAIT);
      await page.getByTestId('no-failed-jobs').waitFor(WAIT);
      await checkPage('07-failed-jobs');
      await page.goto(`${host.url}/admin/tenants/demo`);
      await page.getByRole('link', { name: 'Members and invitations' }).click();
      await page.locator(`tr[data-member="${OWNER}"]`).waitFor(WAIT);
    },
    STEP_MS,
  );

  it(
    'sets quotas and rate limits for the tenant, keeping its other settings, and the quota is enforced',
    async () => {
      const before = await api('/api/v1/admin/tenants/demo');
      const members = ((await api('/api/v1/admin/tenants/demo/members')).body!['items'] as unknown[]).length;
      await page.goto(`${host.url}/admin/tenants/demo`);
      await page.getByRole('link', { name: 'Quotas and rate limits' }).click();
      await page
        .getByTestId('members-usage')
        .filter({ hasText: String(members) })
        .waitFor(WAIT);
      await page.getByLabel('Most members').fill('many');
      await page.getByRole('button', { name: 'Save limits' }).click();
      await page.getByText('Each limit is a whole number, or empty.').waitFor(WAIT);
      await page.getByLabel('Most members').fill(String(members));
      await page.getByRole('group', { name: 'Each API key' }).getByLabel('Requests per second').fill('5');
      await page.getByRole('group', { name: 'Each API key' }).getByLabel('Burst').fill('10');
      await page.getByRole('button', { name: 'Save limits' }).click();
      await page.getByTestId('limits-message').waitFor(WAIT);
      await page
        .getByTestId('members-usage')
        .filter({ hasText: `${members} of ${members}` })
        .waitFor(WAIT);
      const after = (await api('/api/v1/admin/tenants/demo')).body!['settings'] as Record<string, unknown>;
      expect(after['quotas']).toEqual({ maxUsers: members });
      expect(after['rateLimits']).toEqual({ apiKey: { perSecond: 5, burst: 10 } });
      // Settings the page does not edit are kept.
      for (const [key, value] of Object.entries((before.body!['settings'] ?? {}) as Record<string, unknown>)) {
        if (key !== 'quotas' && key !== 'rateLimits') expect(after[key]).toEqual(value);
      }
      const refused = await api('/api/v1/admin/tenants/demo/members', {
        method: 'POST',
        body: JSON.stringify({ email: 'one.more@example.com', role: 'viewer', password: PASSWORD }),
      });
      expect(refused.body!['code']).toBe('VV_QUOTA_EXCEEDED');
      await checkPage('08-limits');
    },
    STEP_MS,
  );

  it(
    'creates a tenant that starts with the starter plugin set on',
    async () => {
      await page.goto(`${host.url}/admin/tenants`);
      await page.getByRole('textbox', { name: 'Id', exact: true }).fill('starter-co');
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Starter Co');
      expect(await page.getByTestId('starter-set').isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Create tenant' }).click();
      await page.getByText('Tenant “Starter Co” created with Calculation, Value Architect').waitFor(WAIT);
      await shot('09-tenant-with-starter-set');
      const plugins = (await api('/api/v1/admin/tenants/starter-co/plugins')).body!['items'] as { pluginId: string; enabled: boolean }[];
      const on = plugins.filter((p) => p.enabled).map((p) => p.pluginId);
      expect(on).toEqual(expect.arrayContaining(['calculation', 'value-architect', 'value-committer', 'value-executor', 'value-amplifier']));
      // Nothing outside the starter set (and what it requires) is turned on: no AI provider, no billing.
      expect(on).not.toContain('billing');
      expect(on).not.toContain('ai-openai');
    },
    STEP_MS,
  );

  it(
    'publishes, archives and deletes a value model from the list, asking before archiving and deleting',
    async () => {
      const created = await api('/api/v1/value-models', { method: 'POST', body: JSON.stringify({ name: 'Lifecycle model', fromLibrary: { industry: 'software' } }) });
      expect(created.status).toBe(201);
      const id = created.body!['id'] as string;
      const status = async () => (await api(`/api/v1/value-models/${id}`)).body?.['status'];
      await page.goto(`${host.url}/workspace/value-models`);
      await page.getByRole('button', { name: 'Publish Lifecycle model' }).click();
      await page.getByTestId('lifecycle-message').filter({ hasText: 'Lifecycle model was published.' }).waitFor(WAIT);
      expect(await status()).toBe('published');
      await page.getByRole('button', { name: 'Archive Lifecycle model' }).click();
      await dialog().getByRole('button', { name: 'Archive' }).click();
      await page.getByTestId('lifecycle-message').filter({ hasText: 'Lifecycle model was archived.' }).waitFor(WAIT);
      expect(await status()).toBe('archived');
      await page.getByRole('button', { name: 'Delete Lifecycle model' }).click();
      await dialog().getByText('The model and all its versions are deleted for good.').waitFor(WAIT);
      await shot('10-model-delete-confirm');
      await dialog().getByRole('button', { name: 'Cancel' }).click();
      await dialog().waitFor({ state: 'detached', ...WAIT });
      expect(await status()).toBe('archived');
      await page.getByRole('button', { name: 'Delete Lifecycle model' }).click();
      await dialog().getByRole('button', { name: 'Delete model' }).click();
      await page.getByTestId('lifecycle-message').filter({ hasText: 'Lifecycle model was deleted.' }).waitFor(WAIT);
      expect((await api(`/api/v1/value-models/${id}`)).status).toBe(404);
      expect(serious(await axe(page))).toEqual([]);
    },
    STEP_MS,
  );
});
