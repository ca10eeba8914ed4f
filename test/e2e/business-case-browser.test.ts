import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { base32Decode, hotp } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { pdfText } from '../../plugins/value-architect/src/__fixtures__/pdf-text';
import { axe, serious } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';

// Issue 19 "a customer-ready business case" and issue 20 item 6 "persona views", in Chromium: a tenant admin brands
// the tenant (logo upload, colours), reads a saved model through the CFO, executive and technical lenses, downloads
// the branded PDF (its text read back), shares a signed link that opens without an account, revokes it, and sees
// another expire; then turns on two-step verification and signs in with a recovery code. Every new page: axe 0
// serious/critical at 1440 and 390 px, and nothing wider than a 390 px screen. Screenshots: test/artifacts/business-case/.

const WAIT = { timeout: 15_000 };
const STEP_MS = 120_000;
const OWNER = 'case.owner@example.com';
const PASSWORD = 'a long owner password';
const MODEL_NAME = 'Helpdesk automation';

/** A solid `r,g,b` PNG of `size`×`size` pixels, made here (the upload must be a real image). */
function png(size: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

describeInBrowser('the business case in a real browser: branding, lenses, PDF, share links, recovery codes', () => {
  const shots = artifactsDir('business-case');
  let host: SuiteHost;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let modelId: string;
  let shareUrl: string;

  const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const api = async (path: string, init: RequestInit = {}, token?: string) => {
    const bearer = token ?? (await signIn(host.url));
    const res = await fetch(`${host.url}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...init.headers } });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  };
  /** What sticks out past the right edge and is not inside a box that scrolls on its own ([] when nothing does). */
  const overflow = (p: Page) =>
    p.evaluate(() => {
      type El = { getBoundingClientRect(): { right: number }; tagName: string; className: unknown; parentElement: El | null };
      const g = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelectorAll(s: string): ArrayLike<El> };
        getComputedStyle(e: El): { overflowX: string };
      };
      const doc = g.document;
      const width = doc.documentElement.clientWidth;
      if (doc.documentElement.scrollWidth <= width) return [];
      const clipped = (el: El) => {
        for (let a = el.parentElement; a; a = a.parentElement) if (g.getComputedStyle(a).overflowX !== 'visible') return a.tagName !== 'HTML' && a.tagName !== 'BODY';
        return false;
      };
      const culprits = Array.from(doc.querySelectorAll('body *'))
        .filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el))
        .map((el) => `${el.tagName.toLowerCase()}.${String(el.className)}`);
      return [`scrollWidth ${doc.documentElement.scrollWidth} > ${width}`, ...culprits.slice(0, 10)];
    });
  /** axe at 1440, then at 390 wide: no overflow, axe again; screenshots at both; back to 1440. */
  const checkPage = async (p: Page, name: string) => {
    expect(serious(await axe(p))).toEqual([]);
    await shot(p, `${name}-1440`);
    await p.setViewportSize({ width: 390, height: 844 });
    expect(await overflow(p)).toEqual([]);
    expect(serious(await axe(p))).toEqual([]);
    await shot(p, `${name}-390`);
    await p.setViewportSize({ width: 1440, height: 900 });
  };
  const signInAs = async (email: string, password: string) => {
    await page.goto(`${host.url}/workspace`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const problemAt = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json().catch(() => ({}))) as { code?: string } };
  };

  beforeAll(async () => {
    ensureAdminUiBuilt();
    host = await bootSuiteHost('vv_case');
    const added = await api('/api/v1/admin/tenants/demo/members', { method: 'POST', body: JSON.stringify({ email: OWNER, role: 'tenant-admin', password: PASSWORD }) });
    expect(added.status).toBe(201);
    const model = await api('/api/v1/value-models', { method: 'POST', body: JSON.stringify({ name: MODEL_NAME, fromLibrary: { industry: 'software' } }) });
    expect(model.status).toBe(201);
    modelId = model.body!['id'] as string;
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
    'brands the tenant: refuses an SVG logo, uploads a PNG, picks colours and saves them to the tenant settings',
    async () => {
      await signInAs(OWNER, PASSWORD);
      await page.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Branding' }).click();
      await page.getByRole('heading', { name: 'Branding', level: 1 }).waitFor(WAIT);
      await page
        .getByLabel('Logo', { exact: true })
        .setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') });
      await page.getByText('The logo must be a PNG or JPEG image').waitFor(WAIT);
      await page.getByLabel('Logo', { exact: true }).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(32, [11, 83, 148]) });
      await page.getByRole('img', { name: 'Logo preview' }).waitFor(WAIT);
      await page.getByLabel('Primary colour').fill('#0b5394');
      await page.getByLabel('Accent colour').fill('#b45f06');
      await page.getByRole('button', { name: 'Save branding' }).click();
      await page.getByTestId('branding-message').filter({ hasText: 'Branding saved.' }).waitFor(WAIT);
      const saved = await api('/api/v1/admin/tenants/demo/branding');
      expect(saved.body).toMatchObject({ primaryColor: '#0b5394', accentColor: '#b45f06', logo: { mediaType: 'image/png' } });
      await checkPage(page, '01-branding');
    },
    STEP_MS,
  );

  it(
    'reads the saved model through three lenses, branded, and downloads the PDF with the model’s name and figures',
    async () => {
      await page.goto(`${host.url}/workspace/value-report?model=${encodeURIComponent(modelId)}`);
      const panel = page.getByTestId('business-case');
      await panel.getByRole('radio', { name: 'CFO', checked: true }).waitFor(WAIT);
      const band = panel.locator('header.band');
      await band.getByText(MODEL_NAME).waitFor(WAIT);
      expect(await band.evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor)).toBe(
        'rgb(11, 83, 148)',
      );
      expect(await band.getByRole('img', { name: 'Demo Company logo' }).count()).toBe(1);

      await panel.getByLabel('Prepared for').fill('Initech');
      await panel.getByLabel('Prepared for').press('Tab');
      await band.getByText('Prepared for Initech by Demo Company').waitFor(WAIT);
      const npv = (await panel.locator('.figures li').filter({ hasText: /^NPV/ }).locator('strong').textContent())!.trim();
      expect(npv).toMatch(/^-?\$[\d,]+$/);
      await panel.getByRole('heading', { name: 'Cash timing' }).waitFor(WAIT);

      await panel.getByRole('radio', { name: 'Executive' }).click();
      await panel.locator('.figures li').filter({ hasText: 'Confidence' }).waitFor(WAIT);
      await panel.getByRole('heading', { name: 'Summary' }).waitFor(WAIT);
      await panel.getByRole('radio', { name: 'Technical' }).click();
      await panel.getByRole('heading', { name: 'Formulas' }).waitFor(WAIT);
      await panel.getByRole('heading', { name: 'Drivers' }).waitFor(WAIT);
      await checkPage(page, '02-report-technical');
      await panel.getByRole('radio', { name: 'CFO' }).click();
      await panel.getByRole('heading', { name: 'Risk range' }).waitFor(WAIT);
      await checkPage(page, '03-report-cfo');

      const download = page.waitForEvent('download');
      await panel.getByRole('button', { name: 'Download PDF' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('Helpdesk-automation-cfo.pdf');
      const bytes = readFileSync((await file.path())!);
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const text = pdfText(bytes);
      expect(text).toContain(MODEL_NAME);
      expect(text).toContain('Prepared for Initech by Demo Company');
      expect(text).toContain(npv);
      expect(text).toContain('Assumptions and sources');
      expect(text).toContain('Methodology');
    },
    STEP_MS,
  );

  it(
    'shares a signed link that opens without an account, refuses a forged one, and stops opening once revoked',
    async () => {
      const panel = page.getByTestId('business-case');
      await panel.getByLabel('Expires after').selectOption('7');
      await panel.getByRole('button', { name: 'Create share link' }).click();
      shareUrl = await panel.getByTestId('share-url').inputValue();
      expect(shareUrl).toMatch(new RegExp(`^${host.url}/api/v1/business-cases/demo\\?token=`));
      await panel.locator('[data-state="active"]').waitFor(WAIT);
      // Not in the list, and the database keeps only a hash of the token.
      expect(JSON.stringify((await api(`/api/v1/value-models/${modelId}/share-links`)).body)).not.toContain(new URL(shareUrl).searchParams.get('token'));

      // No credentials at all: a plain request, and a page that was never signed in.
      const plain = await fetch(shareUrl);
      expect(plain.status).toBe(200);
      expect(plain.headers.get('cache-control')).toBe('no-store');
      const visitor = await context.newPage();
      await visitor.goto(shareUrl);
      await visitor.getByRole('heading', { name: MODEL_NAME, level: 1 }).waitFor(WAIT);
      await visitor.getByText('Prepared for Initech by Demo Company').waitFor(WAIT);
      expect(await visitor.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      await visitor.getByRole('navigation', { name: 'Lens' }).getByRole('link', { name: 'Executive view' }).click();
      await visitor.getByRole('heading', { name: 'Confidence' }).waitFor(WAIT);
      await checkPage(visitor, '04-share-view-executive');
      const download = visitor.waitForEvent('download');
      await visitor.getByRole('link', { name: 'Download as PDF' }).click();
      const pdf = readFileSync((await (await download).path())!);
      expect(pdfText(pdf)).toContain(MODEL_NAME);

      const token = new URL(shareUrl).searchParams.get('token')!;
      const forged = await problemAt(`${host.url}/api/v1/business-cases/demo?token=${encodeURIComponent(`${token.slice(0, -3)}xyz`)}`);
      expect(forged).toMatchObject({ status: 404, type: expect.stringMatching(/application\/problem\+json/), body: { code: 'VV_SHARE_LINK_INVALID' } });

      await panel.getByRole('button', { name: /^Revoke/ }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke link' }).click();
      await panel.getByTestId('case-message').filter({ hasText: 'Share link revoked.' }).waitFor(WAIT);
      await panel.locator('[data-state="revoked"]').waitFor(WAIT);
      expect(await problemAt(shareUrl)).toMatchObject({ status: 410, body: { code: 'VV_SHARE_LINK_REVOKED' } });
      await visitor.reload();
      await visitor.getByText('VV_SHARE_LINK_REVOKED').waitFor(WAIT);
      await visitor.close();
    },
    STEP_MS,
  );

  it(
    'a link stops opening when it expires',
    async () => {
      if (!host.databaseUrl) return; // Moving a link's expiry needs the server database (VV_REQUIRE_SERVICES=1 runs it).
      const panel = page.getByTestId('business-case');
      await panel.getByLabel('Expires after').selectOption('1');
      await panel.getByRole('button', { name: 'Create share link' }).click();
      const url = await panel.getByTestId('share-url').inputValue();
      expect((await fetch(url)).status).toBe(200);
      // A day later: the link's expiry is moved into the past rather than waiting.
      const db = await openDatabase({ url: host.databaseUrl, poolMax: 1 });
      try {
        await db.execute("update value_architect.share_links set expires_at = now() - interval '1 minute' where revoked_at is null");
      } finally {
        await db.close();
      }
      const expired = await problemAt(url);
      expect(expired).toMatchObject({ status: 410, body: { code: 'VV_SHARE_LINK_EXPIRED' } });
      await page.reload();
      await page.getByTestId('business-case').locator('[data-state="expired"]').waitFor(WAIT);
    },
    STEP_MS,
  );

  it(
    'shows recovery codes once when two-step verification is turned on, and signs in with one in place of a code',
    async () => {
      await page.goto(`${host.url}/account/security`);
      await page.getByRole('button', { name: 'Set up two-step verification' }).click();
      const uri = (await page.getByTestId('totp-uri').textContent())!.trim();
      const secret = new URL(uri).searchParams.get('secret')!;
      await page.getByLabel('Verification code').fill(hotp(base32Decode(secret), Math.floor(Date.now() / 30_000)));
      await page.getByRole('button', { name: 'Turn on' }).click();
      const list = page.getByTestId('recovery-codes');
      await list.waitFor(WAIT);
      const codes = (await list.locator('li').allTextContents()).map((c) => c.trim());
      expect(codes).toHaveLength(10);
      await checkPage(page, '05-recovery-codes');
      await page.getByRole('button', { name: 'I saved them' }).click();
      await page.getByTestId('recovery-left').filter({ hasText: '10 recovery codes left.' }).waitFor(WAIT);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInAs(OWNER, PASSWORD);
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor(WAIT);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code').fill('zzzzz-zzzzz');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That recovery code is not valid or was used already.').waitFor(WAIT);
      await checkPage(page, '06-sign-in-recovery-code');
      await page.getByLabel('Recovery code').fill(codes[0]!);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);
      await page.goto(`${host.url}/account/security`);
      await page.getByTestId('recovery-left').filter({ hasText: '9 recovery codes left.' }).waitFor(WAIT);
      const audit = await api('/api/v1/admin/audit?action=auth.recovery-code-used');
      expect((audit.body!['items'] as unknown[]).length).toBe(1);
      // Used once: the same code is refused.
      const again = await fetch(`${host.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: OWNER, password: PASSWORD, recoveryCode: codes[0] }),
      });
      expect(((await again.json()) as { code?: string }).code).toBe('VV_TOTP_RECOVERY_CODE_INVALID');
    },
    STEP_MS,
  );
});
