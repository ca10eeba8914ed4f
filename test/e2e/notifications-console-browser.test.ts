import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startLoopbackSmtp, type LoopbackSmtp } from '../../plugins/notifications/src/__fixtures__/loopback-smtp';
import { axe, serious } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';

const WAIT = { timeout: 15_000 };
const STEP_MS = 90_000;
const MEMBER = 'member@example.com';
const MEMBER_PASSWORD = 'a long member password';
const TENANT_ADMIN = 'team-lead@example.com';
const TENANT_ADMIN_PASSWORD = 'a long team lead password';

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

// Issue 18, item 7: the notification pages of the console in Debian's Chromium against a real host and a loopback SMTP
// server. A person's preferences take effect (an opted-out category is suppressed in the delivery log); an admin
// configures SMTP (the password write-only, shown as "set") and sends a test that reaches the server; edits a workflow
// and restores its default; creates a workflow whose event then notifies by inbox and email, and deletes it; previews a template with an unknown variable (named, refused on save); retries a dead
// delivery from the delivery log. Every page: axe 0 serious/critical at 1440 and 390 px, nothing scrolls sideways at
// 390. A member sees only their preferences, and the API refuses them the admin routes. Screenshots in
// test/artifacts/notifications-console/.
describeInBrowser('notification preferences and administration in a real browser', () => {
  const shots = artifactsDir('notifications-console');
  let host: SuiteHost;
  let smtp: LoopbackSmtp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let userId: string;

  const api = async (method: string, path: string, body?: unknown, bearer = token) => {
    const res = await fetch(`${host.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined } as { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
  };
  const deliveries = async (query: string) =>
    (await api('GET', `/api/v1/notifications/deliveries?${query}`)).body.items as { id: string; status: string; reason: string | null; subject: string }[];
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  /** axe at 1440, then at 390 wide: no overflow, axe again, screenshots; back to 1440. */
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
  const nav = () => page.getByRole('navigation', { name: 'Main' });
  /** Saves the channels form and waits for the kernel's answer and the page's message. */
  const saveChannels = async () => {
    const saved = page.waitForResponse((r) => r.url().endsWith('/plugins/notifications') && r.request().method() === 'PUT', WAIT);
    await page.getByRole('button', { name: 'Save channels' }).click();
    expect((await saved).status()).toBe(200);
    await page.getByTestId('channels-message').waitFor(WAIT);
  };
  const tab = (name: string) => page.getByRole('navigation', { name: 'Notification settings' }).getByRole('link', { name });

  beforeAll(async () => {
    ensureAdminUiBuilt();
    smtp = await startLoopbackSmtp();
    // The loopback SMTP server is a private address: SMTP goes through the outbound policy, so the operator allows it.
    host = await bootSuiteHost('vv_notify_console', { VV_OUTBOUND_ALLOW_PRIVATE: '127.0.0.1/32' });
    token = await signIn(host.url);
    userId = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
    expect((await api('PUT', '/api/v1/admin/tenants/demo/plugins/notifications', { enabled: true })).status).toBe(200);
    expect((await api('POST', '/api/v1/admin/tenants/demo/members', { email: MEMBER, role: 'member', password: MEMBER_PASSWORD })).status).toBe(201);
    browser = await launchBrowser({ width: 1440, height: 900 });
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await host?.dispose();
    await smtp?.close();
    if (browser?.profileDir) rmSync(browser.profileDir, { recursive: true, force: true });
  }, 60_000);

  it(
    'saves preferences that take effect: an opted-out category is suppressed in the delivery log, a critical one still arrives',
    async () => {
      await signInAs(ADMIN_EMAIL, ADMIN_PASSWORD);
      await nav().getByRole('link', { name: 'Notification preferences' }).click();
      await page.getByRole('heading', { name: 'Notification preferences', level: 1 }).waitFor(WAIT);
      await page.getByTestId('critical-explained').waitFor(WAIT);
      // Billing's "Payment failed" is critical: the page says it is always sent.
      await page.locator('tr[data-category="billing"]').getByText('Always sent: Payment failed (critical)').waitFor(WAIT);
      const inbox = page.getByRole('checkbox', { name: 'Commitments by In-app inbox' });
      expect(await inbox.isChecked()).toBe(true);
      await checkPage('01-preferences');

      await inbox.uncheck();
      await page.getByLabel('Time zone').selectOption('Europe/Berlin');
      await page.getByLabel('Hold non-critical email during quiet hours').check();
      await page.getByLabel('From').fill('22:00');
      await page.getByLabel('Until').fill('07:00');
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await page.getByTestId('preferences-message').filter({ hasText: 'Preferences saved. 1 choice is turned off.' }).waitFor(WAIT);
      const saved = (await api('GET', '/api/v1/notifications/preferences')).body;
      expect(saved).toMatchObject({ timeZone: 'Europe/Berlin', quietHours: { start: '22:00', end: '07:00' } });
      expect(saved.channels).toContainEqual({ category: 'commitments', channel: 'inbox', enabled: false });
      expect(saved.channels).toContainEqual({ category: 'billing', channel: 'inbox', enabled: true });
      // A reload shows what was saved.
      await page.reload();
      await page.getByRole('checkbox', { name: 'Commitments by In-app inbox' }).waitFor(WAIT);
      expect(await page.getByRole('checkbox', { name: 'Commitments by In-app inbox' }).isChecked()).toBe(false);
      expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Berlin');

      // It takes effect: the commitments notification is suppressed; a critical one in the same category is not.
      const quiet = await api('POST', '/api/v1/notifications/send', {
        to: [{ userId }],
        category: 'commitments',
        channels: ['inbox'],
        subject: 'Opted out of this',
        body: 'Should not arrive.',
      });
      expect(quiet.status).toBe(202);
      const loud = await api('POST', '/api/v1/notifications/send', {
        to: [{ userId }],
        category: 'commitments',
        channels: ['inbox'],
        subject: 'Critical anyway',
        body: 'Arrives.',
        critical: true,
      });
      expect(loud.status).toBe(202);
      const titles = ((await api('GET', '/api/v1/notifications/inbox')).body.items as { title: string }[]).map((i) => i.title);
      expect(titles).toContain('Critical anyway');
      expect(titles).not.toContain('Opted out of this');

      await nav().getByRole('link', { name: 'Notifications', exact: true }).click();
      await tab('Delivery log').click();
      await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor(WAIT);
      await page.getByLabel('Status').selectOption('suppressed');
      await page.getByRole('button', { name: 'Filter' }).click();
      const row = page.locator('tr[data-status="suppressed"]', { hasText: 'Opted out of this' });
      await row.waitFor(WAIT);
      await row.getByText('preference: commitments off on inbox').waitFor(WAIT);
      expect(await page.locator('tr[data-delivery]', { hasText: 'Critical anyway' }).count()).toBe(0);
      // Quiet hours off again: the email steps below must not depend on the time of day in Berlin.
      expect((await api('PUT', '/api/v1/notifications/preferences', { quietHours: null })).status).toBe(200);
    },
    STEP_MS,
  );

  it(
    'configures SMTP with a write-only password and sends a test that reaches the loopback server, with the attempt log',
    async () => {
      await tab('Channels').click();
      const email = page.getByTestId('email-channel');
      await email.getByText('Not configured').waitFor(WAIT);
      expect(await page.getByRole('button', { name: 'Send a test email' }).isDisabled()).toBe(true);
      await checkPage('02-channels-empty');

      await page.getByLabel('Sender').fill('ValueVerse <noreply@demo.test>');
      await page.locator('#smtp-host').fill('127.0.0.1');
      await page.locator('#smtp-port').fill(String(smtp.port));
      await page.locator('#smtp-user').fill('mailer');
      await page.locator('#smtp-password').fill('smtp-password');
      await saveChannels();
      await email.getByText('Configured', { exact: true }).waitFor(WAIT);
      // Never echoed: the page shows "set" and an empty field; the API masks it.
      await page.getByTestId('smtp-password-set').waitFor(WAIT);
      expect(await page.locator('#smtp-password').inputValue()).toBe('');
      const listing = JSON.stringify((await api('GET', '/api/v1/admin/tenants/demo/plugins')).body);
      expect(listing).not.toContain('smtp-password');
      expect(await page.locator('input').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).not.toContain('smtp-password');

      await page.getByRole('button', { name: 'Send a test email' }).click();
      const result = page.getByTestId('test-result-email');
      // The page shows the route's answer and nothing updates it: the route answers with the send's outcome even
      // when the delivery's own job sent it first (it once answered `queued` then; notifications-channel-test.test.ts).
      await result.getByTestId('test-status').filter({ hasText: 'sent' }).waitFor(WAIT);
      await result.getByText(`127.0.0.1`).first().waitFor(WAIT);
      await result.getByText('primary server', { exact: false }).waitFor(WAIT);
      const [mail] = await smtp.waitFor(1);
      expect(mail!.subject).toBe('ValueVerse test notification');
      expect(mail!.to).toMatchObject({ text: ADMIN_EMAIL });
      await checkPage('03-channels-tested');

      // Saving again with the password left blank keeps it: the server only accepts the right one.
      await page.locator('#smtp-user').fill('mailer');
      await saveChannels();
      await page.getByTestId('smtp-password-set').waitFor(WAIT);
      await page.getByRole('button', { name: 'Send a test email' }).click();
      await page.getByTestId('test-result-email').getByTestId('test-status').filter({ hasText: 'sent' }).waitFor(WAIT);
      await smtp.waitFor(2);

      // Pointing the kept password at another port needs the password again: the field says so, nothing changes.
      await page.locator('#smtp-port').fill(String(smtp.port + 1));
      await page.getByRole('button', { name: 'Save channels' }).click();
      await page.getByTestId('channels-error').waitFor(WAIT);
      expect(await page.locator('#smtp-password').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#smtp-password-error').textContent()).toContain('send the secret again');
      const plugins = (await api('GET', '/api/v1/admin/tenants/demo/plugins')).body.items as { pluginId: string; config: { email: { smtp: { port: number } } } }[];
      expect(plugins.find((p) => p.pluginId === 'notifications')!.config.email.smtp.port).toBe(smtp.port);
    },
    STEP_MS,
  );

  it(
    'edits a workflow (event pattern and channels) and restores its default',
    async () => {
      await tab('Workflows').click();
      const row = page.locator('tr[data-workflow="commitment-at-risk"]');
      await row.waitFor(WAIT);
      await checkPage('04-workflows');
      await row.getByRole('button', { name: 'Edit Commitment at risk' }).click();
      const editor = page.getByTestId('workflow-editor');
      await editor.waitFor(WAIT);
      await editor.getByLabel('Event pattern').fill('realization.*');
      await editor.getByLabel('Webhook').uncheck();
      await editor.getByLabel('People with a role').selectOption('member');
      await checkPage('05-workflow-editor');
      await editor.getByRole('button', { name: 'Save workflow' }).click();
      await page.getByTestId('workflows-message').filter({ hasText: '"Commitment at risk" saved.' }).waitFor(WAIT);
      expect((await api('GET', '/api/v1/notifications/workflows/commitment-at-risk')).body).toMatchObject({
        eventPattern: 'realization.*',
        channels: ['email', 'inbox'],
        recipients: [{ owner: true }, { role: 'member' }],
      });
      await row.getByText('realization.*').waitFor(WAIT);

      await row.getByRole('button', { name: 'Restore default of Commitment at risk' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Restore default' }).click();
      await page.getByTestId('workflows-message').filter({ hasText: 'restored to its default' }).waitFor(WAIT);
      expect((await api('GET', '/api/v1/notifications/workflows/commitment-at-risk')).body).toMatchObject({
        eventPattern: 'realization.at-risk',
        channels: ['email', 'inbox', 'webhook'],
      });
    },
    STEP_MS,
  );

  it(
    'creates a workflow in the console (a bad event pattern refused with its code), an event matching it notifies by inbox and email, and deletes it',
    async () => {
      // A tenant admin who is not a platform admin invites people (platform admins add members directly): the kernel
      // publishes tenant.member.invited, which the new workflow listens for.
      expect((await api('POST', '/api/v1/admin/tenants/demo/members', { email: TENANT_ADMIN, role: 'tenant-admin', password: TENANT_ADMIN_PASSWORD })).status).toBe(201);
      const tenantAdmin = await signIn(host.url, TENANT_ADMIN, TENANT_ADMIN_PASSWORD);
      const template = {
        key: 'member-joining',
        locale: 'en',
        subject: 'Invited: {{ data.email }} as {{ data.role }}',
        text: '{{ data.email }} was invited.',
        sampleData: { email: 'x@example.com', role: 'member' },
      };
      expect((await api('POST', '/api/v1/notifications/templates', template)).status).toBe(200);
      await page.reload();
      await page.locator('tr[data-workflow="commitment-at-risk"]').waitFor(WAIT);
      // First-party workflows are restored, not deleted, from the console.
      expect(await page.getByRole('button', { name: 'Delete Commitment at risk' }).count()).toBe(0);

      await page.getByRole('button', { name: 'New workflow' }).click();
      const editor = page.getByTestId('workflow-editor');
      await editor.getByRole('heading', { name: 'New workflow' }).waitFor(WAIT);
      await editor.getByLabel('Name').fill('Member invitations');
      await editor.getByLabel('Event pattern').fill('Tenant Member Invited');
      await editor.getByLabel('People with a role').selectOption('tenant-admin');
      await editor.getByLabel('Email', { exact: true }).check();
      await editor.getByLabel('Template').selectOption('member-joining');
      await editor.getByLabel('Category').fill('team');
      await editor.getByRole('button', { name: 'Create workflow' }).click();
      await editor.getByTestId('workflow-problems').getByText('eventPattern is not an event name', { exact: false }).waitFor(WAIT);
      expect((await api('GET', '/api/v1/notifications/workflows/member-invitations')).status).toBe(404);
      await checkPage('05b-workflow-new');

      await editor.getByLabel('Event pattern').fill('tenant.member.invited');
      await editor.getByRole('button', { name: 'Create workflow' }).click();
      await page.getByTestId('workflows-message').filter({ hasText: '"Member invitations" created.' }).waitFor(WAIT);
      const row = page.locator('tr[data-workflow="member-invitations"]');
      await row.getByText('tenant.member.invited').waitFor(WAIT);
      expect((await api('GET', '/api/v1/notifications/workflows/member-invitations')).body).toEqual({
        id: 'member-invitations',
        name: 'Member invitations',
        eventPattern: 'tenant.member.invited',
        recipients: [{ role: 'tenant-admin' }],
        channels: ['email', 'inbox'],
        template: 'member-joining',
        category: 'team',
        critical: false,
        digestMinutes: 0,
        enabled: true,
      });

      // An event matching it: the tenant admins get an inbox item and an email.
      const mailsBefore = smtp.mails.length;
      expect((await api('POST', '/api/v1/admin/tenants/demo/members', { email: 'newcomer@example.com', role: 'member' }, tenantAdmin)).status).toBe(202);
      const subject = 'Invited: newcomer@example.com as member';
      await until('the inbox item', async () => ((await api('GET', '/api/v1/notifications/inbox')).body.items as { title: string }[]).find((i) => i.title === subject), 30_000);
      await until(
        'the email',
        async () => smtp.mails.slice(mailsBefore).find((m) => m.subject === subject && (m.to as { text?: string } | undefined)?.text === ADMIN_EMAIL),
        30_000,
      );

      await row.getByRole('button', { name: 'Delete Member invitations' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete workflow' }).click();
      await page.getByTestId('workflows-message').filter({ hasText: '"Member invitations" deleted.' }).waitFor(WAIT);
      // The list is loaded again after the message shows: the row goes a moment later (CI saw it still there).
      await row.waitFor({ ...WAIT, state: 'detached' });
      expect(await row.count()).toBe(0);
      expect((await api('GET', '/api/v1/notifications/workflows/member-invitations')).status).toBe(404);
    },
    STEP_MS,
  );

  it(
    'previews a template live, names an unknown variable and refuses to save it, then saves a valid one',
    async () => {
      await tab('Templates').click();
      const row = page.locator('tr[data-template="commitment-at-risk/en"]');
      await row.waitFor(WAIT);
      await checkPage('06-templates');
      await row.getByRole('button', { name: 'Edit commitment-at-risk (en)' }).click();
      const preview = page.getByTestId('template-preview');
      // The built-in sample data fills the preview.
      await preview.getByTestId('preview-subject').filter({ hasText: 'At risk: Ticket volume down 20%' }).waitFor(WAIT);

      await page.getByLabel('Subject').fill('Heads up: {{ data.nope }}');
      await preview.getByTestId('preview-problems').getByText('Subject uses unknown variable "data.nope" (not in the sample data)').waitFor(WAIT);
      await page.getByRole('button', { name: 'Save template' }).click();
      await page.getByTestId('template-save-problems').getByText('Subject uses unknown variable "data.nope"', { exact: false }).waitFor(WAIT);
      expect(((await api('GET', '/api/v1/notifications/templates')).body.items as { key: string; source: string }[]).find((t) => t.key === 'commitment-at-risk')!.source).toBe(
        'default',
      );
      await checkPage('07-template-unknown-variable');

      await page.getByLabel('Subject').fill('Heads up: {{ data.title }}');
      await preview.getByTestId('preview-subject').filter({ hasText: 'Heads up: Ticket volume down 20%' }).waitFor(WAIT);
      expect(await preview.getByTestId('preview-problems').count()).toBe(0);
      await page.getByRole('button', { name: 'Save template' }).click();
      await page.getByTestId('templates-message').filter({ hasText: 'Template "commitment-at-risk" (en) saved.' }).waitFor(WAIT);
      await row.getByText('customised').waitFor(WAIT);
      const saved = ((await api('GET', '/api/v1/notifications/templates')).body.items as { key: string; locale: string; subject: string }[]).find(
        (t) => t.key === 'commitment-at-risk' && t.locale === 'en',
      );
      expect(saved!.subject).toBe('Heads up: {{ data.title }}');

      // Per locale: the same key saved as German is a template of its own; English stays.
      await page.getByLabel('Locale').fill('de');
      await page.getByLabel('Subject').fill('Gefährdet: {{ data.title }}');
      await preview.getByTestId('preview-subject').filter({ hasText: 'Gefährdet: Ticket volume down 20%' }).waitFor(WAIT);
      await page.getByRole('button', { name: 'Save template' }).click();
      await page.getByTestId('templates-message').filter({ hasText: 'Template "commitment-at-risk" (de) saved.' }).waitFor(WAIT);
      await page.locator('tr[data-template="commitment-at-risk/de"]').getByText('customised').waitFor(WAIT);
      const locales = ((await api('GET', '/api/v1/notifications/templates')).body.items as { key: string; locale: string; subject: string }[]).filter(
        (t) => t.key === 'commitment-at-risk',
      );
      expect(locales.map((t) => `${t.locale}:${t.subject}`)).toEqual(['de:Gefährdet: {{ data.title }}', 'en:Heads up: {{ data.title }}']);
    },
    STEP_MS,
  );

  it(
    'shows a failed email with the provider answer in the delivery log and retries it from there, which reaches the SMTP server',
    async () => {
      smtp.refusing = true;
      const sent = await api('POST', '/api/v1/notifications/send', {
        to: [{ userId }],
        category: 'billing',
        channels: ['email'],
        subject: 'Invoice refused once',
        body: 'Sent on retry.',
      });
      expect(sent.status).toBe(202);
      const id = sent.body.deliveries[0].id as string;
      await until('the email to fail', async () => ((await deliveries('status=failed')).some((d) => d.id === id) ? true : undefined), 30_000);

      await tab('Delivery log').click();
      await page.getByLabel('Status').selectOption('failed');
      await page.getByRole('button', { name: 'Filter' }).click();
      const row = page.locator(`tr[data-delivery="${id}"]`);
      await row.waitFor(WAIT);
      await row.getByText('Invoice refused once').waitFor(WAIT);
      await row.getByRole('button', { name: /^Attempts/ }).click();
      const attempts = page.locator(`#attempts-${id}`);
      await attempts.getByText('554 5.7.1 refused by test', { exact: false }).first().waitFor(WAIT);
      await attempts.getByText('primary server', { exact: false }).first().waitFor(WAIT);
      await checkPage('08-delivery-log-failed');

      // The server works again; the admin retries at once rather than waiting for the next automatic try.
      const before = smtp.mails.length;
      smtp.refusing = false;
      await row.getByRole('button', { name: `Retry the Email to user:${userId}` }).click();
      await page
        .getByTestId('deliveries-message')
        .filter({ hasText: `The email to user:${userId} is queued again.` })
        .waitFor(WAIT);
      const mails = await smtp.waitFor(before + 1, 30_000);
      expect(mails.map((m) => m.subject)).toContain('Invoice refused once');
      await until('the retried delivery to be sent', async () => ((await deliveries('status=sent')).some((d) => d.id === id) ? true : undefined), 30_000);
      // Once, not twice: the automatic retry finds it sent.
      await new Promise((r) => setTimeout(r, 1000));
      expect(smtp.mails.filter((m) => m.subject === 'Invoice refused once')).toHaveLength(1);
      // Filtered by status and by the recipient's user id, as an admin types it.
      await page.getByLabel('Status').selectOption('sent');
      await page.getByLabel('Recipient').fill(userId);
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator(`tr[data-delivery="${id}"][data-status="sent"]`).waitFor(WAIT);
      expect(await page.locator('tr[data-delivery]', { hasText: 'email:' }).count()).toBe(0);
      await checkPage('09-delivery-log-sent');
    },
    STEP_MS,
  );

  it(
    'saves a profile on the account page (name, BCP 47 locale, IANA zone), refusing a bad locale on its field; notifications then address the person by it',
    async () => {
      await page.goto(`${host.url}/account/security`);
      const card = page.getByTestId('account-profile');
      await card.getByLabel('Name').waitFor(WAIT);
      await card.getByLabel('Name').fill('Ada Admin');
      await card.getByLabel('Language (e.g. en-GB, de-DE)').fill('not a language');
      await card.getByLabel('Time zone').selectOption('Europe/Lisbon');
      await card.getByRole('button', { name: 'Save profile' }).click();
      await card.locator('#profile-locale-error').getByText('is not a BCP 47 language tag', { exact: false }).waitFor(WAIT);
      expect(await card.getByLabel('Language (e.g. en-GB, de-DE)').getAttribute('aria-invalid')).toBe('true');
      await card.getByLabel('Language (e.g. en-GB, de-DE)').fill('de-de');
      await card.getByRole('button', { name: 'Save profile' }).click();
      await card.getByTestId('profile-message').waitFor(WAIT);
      expect(await card.getByLabel('Language (e.g. en-GB, de-DE)').inputValue()).toBe('de-DE');
      expect((await api('GET', '/api/v1/me/profile')).body).toEqual({ displayName: 'Ada Admin', locale: 'de-DE', timeZone: 'Europe/Lisbon' });
      await checkPage('10-account-profile');

      // The directory hands the profile to notifications: a German template with the person's name is chosen for them.
      const german = { key: 'direct', locale: 'de', subject: 'Hallo {{ recipient.name }}: {{ data.subject }}', text: '{{ data.body }}' };
      expect((await api('POST', '/api/v1/notifications/templates', german)).status).toBe(200);
      const sent = await api('POST', '/api/v1/notifications/send', { to: [{ userId }], category: 'team', channels: ['inbox'], subject: 'Profil', body: 'Text' });
      expect(sent.status).toBe(202);
      const titles = ((await api('GET', '/api/v1/notifications/inbox')).body.items as { title: string }[]).map((i) => i.title);
      expect(titles).toContain('Hallo Ada Admin: Profil');
    },
    STEP_MS,
  );

  it(
    'shows a member their preferences but not the administration, and the API refuses them the admin routes',
    async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInAs(MEMBER, MEMBER_PASSWORD);
      await nav().getByRole('link', { name: 'Notification preferences' }).waitFor(WAIT);
      expect(await nav().getByRole('link', { name: 'Notifications', exact: true }).count()).toBe(0);
      await page.goto(`${host.url}/admin/notifications/channels`);
      await page.waitForURL(/\/workspace/, WAIT);
      const member = await signIn(host.url, MEMBER, MEMBER_PASSWORD);
      for (const path of ['/api/v1/notifications/workflows', '/api/v1/notifications/deliveries', '/api/v1/notifications/templates', '/api/v1/notifications/channels']) {
        expect([path, (await api('GET', path, undefined, member)).status]).toEqual([path, 403]);
      }
      expect((await api('POST', '/api/v1/notifications/channels/test', { channel: 'email' }, member)).status).toBe(403);
      expect((await api('GET', '/api/v1/notifications/categories', undefined, member)).status).toBe(200);
    },
    STEP_MS,
  );
});
