import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { axe, serious } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';

const WAIT = { timeout: 15_000 };
const STEP_MS = 90_000;
const SECOND_EMAIL = 'second.analyst@example.com';
const SECOND_PASSWORD = 'a long enough second password';

type Json = Record<string, unknown>;

// The callbacks handed to page.evaluate run in the browser; the test program has no DOM types, so the little they
// use is declared here, in this module only.
interface BrowserElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): ArrayLike<BrowserElement> & Iterable<BrowserElement>;
  readonly documentElement: { readonly scrollWidth: number };
};
declare function getComputedStyle(element: unknown): { readonly backgroundColor: string };

/** A support-automation case: drivers → formulas → benefit and costs → NPV. */
const MODEL = {
  horizon: 3,
  discountRate: 0.1,
  drivers: [
    { name: 'agents', value: 400, low: 300, high: 500, unit: 'people' },
    { name: 'hours_saved', value: 100, low: 50, high: 150, unit: 'h/year' },
    { name: 'rate', value: 40, low: 35, high: 45, unit: 'USD/h' },
  ],
  formulas: [
    { name: 'savings', expression: 'agents * hours_saved * rate', unit: 'USD/year' },
    { name: 'quality_bonus', expression: 'savings * 0.1', unit: 'USD/year' },
  ],
  benefit: 'savings + quality_bonus',
  costs: { upfront: 200000, recurring: 50000 },
};

/** "$1,234,567" / "−$300,563" → the number. */
function money(text: string): number {
  const digits = text.replace(/[^\d]/g, '');
  if (!digits) throw new Error(`no amount in "${text}"`);
  return (/^[\s]*[-−]/.test(text) ? -1 : 1) * Number(digits);
}

// The value canvas, the living value graph and presence (issue 20, items 3-5) in Debian's Chromium against a real
// host: a saved model drawn as a graph, a slider recomputing NPV (checked against the calculation API), a formula
// cycle shown on its node, a second user's presence and saves arriving live, a conflicting save refused with a
// clear message, and a signed commitment's graph recoloured when a measurement is posted, without a reload.
describeInBrowser('value canvas and living value graph in a real browser', () => {
  const shots = artifactsDir('value-canvas');
  let host: SuiteHost;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let adminToken: string;
  let secondToken: string;
  let modelId: string;
  let livingUrl: string;

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const api = async <T = Json>(method: string, path: string, body?: unknown, token = adminToken) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${host.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const npvOf = async (model: unknown) => {
    const res = await api<{ metrics: { npv: { value: number } } }>('POST', '/api/v1/calculate/model', { model });
    expect(res.status).toBe(200);
    return Math.round(res.body.metrics.npv.value);
  };
  const npvText = () => page.getByTestId('canvas-npv').innerText();
  const waitForNpv = async (expected: number) => {
    await page.waitForFunction(
      ({ expected }) => {
        const text = document.querySelector('[data-testid="canvas-npv"]')?.textContent ?? '';
        const digits = text.replace(/[^\d]/g, '');
        return digits !== '' && (/^\s*[-−]/.test(text) ? -1 : 1) * Number(digits) === expected;
      },
      { expected },
      WAIT,
    );
  };
  const node = (id: string) => page.locator(`[data-node="${id}"]`);

  beforeAll(async () => {
    ensureAdminUiBuilt();
    host = await bootSuiteHost('vv_canvas');
    adminToken = await signIn(host.url);
    const tenant = (JSON.parse(Buffer.from(adminToken.split('.')[1]!, 'base64url').toString()) as { tid: string }).tid;
    const member = await api('POST', `/api/v1/admin/tenants/${tenant}/members`, { email: SECOND_EMAIL, role: 'member', password: SECOND_PASSWORD });
    expect(member.status).toBe(201);
    secondToken = await signIn(host.url, SECOND_EMAIL, SECOND_PASSWORD);
    const created = await api<{ id: string }>('POST', '/api/v1/value-models', { name: 'Support automation for 400 agents', model: MODEL });
    expect(created.status).toBe(201);
    modelId = created.body.id;
    browser = await launchBrowser();
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await host?.dispose();
    if (browser) rmSync(browser.profileDir, { recursive: true, force: true });
  }, 60_000);

  it(
    'draws a saved model as a graph, from drivers through formulas to NPV, with values from the calculation plugin',
    async () => {
      await page.goto(`${host.url}/workspace/value-canvas?model=${modelId}`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Value canvas', level: 1 }).waitFor(WAIT);
      await page.getByTestId('value-canvas').waitFor(WAIT);
      for (const id of ['agents', 'hours_saved', 'rate', 'savings', 'quality_bonus', '@benefit', '@upfront', '@recurring', '@npv']) await node(id).waitFor(WAIT);
      await waitForNpv(await npvOf(MODEL));
      // Layered left to right: drivers, then the formula reading them, then benefit, then NPV.
      const x = async (id: string) => (await node(id).boundingBox())!.x;
      expect(await x('agents')).toBeLessThan(await x('savings'));
      expect(await x('savings')).toBeLessThan(await x('quality_bonus'));
      expect(await x('quality_bonus')).toBeLessThan(await x('@benefit'));
      expect(await x('@benefit')).toBeLessThan(await x('@npv'));
      // The savings node shows its value (400 × 100 × 40 = 1.6 M a year).
      expect(await node('savings').innerText()).toContain('1.6M');
      // Edge widths come from the sensitivity API: the widest links start at the drivers NPV is most sensitive to.
      await page.waitForFunction(
        () => [...document.querySelectorAll('[data-testid="value-graph"] path[stroke-width]')].some((p) => Number(p.getAttribute('stroke-width')) > 1.5),
        undefined,
        WAIT,
      );
      await shot('01-canvas');
    },
    STEP_MS,
  );

  it(
    'moves a driver with its slider and recomputes NPV live',
    async () => {
      await node('agents').click();
      const slider = page.getByTestId('driver-slider');
      await slider.waitFor(WAIT);
      const before = money(await npvText());
      await slider.focus();
      await page.keyboard.press('End');
      const expected = await npvOf({ ...MODEL, drivers: MODEL.drivers.map((d) => (d.name === 'agents' ? { ...d, value: 500 } : d)) });
      expect(expected).toBeGreaterThan(before);
      await waitForNpv(expected);
      expect(await page.getByTestId('canvas-version').innerText()).toContain('(changed)');
      await shot('02-slider');
    },
    STEP_MS,
  );

  it(
    'shows a formula cycle on the node it is about',
    async () => {
      await node('savings').click();
      const expression = page.getByTestId('formula-expression');
      await expression.waitFor(WAIT);
      await expression.fill('agents * hours_saved * rate + quality_bonus');
      await expression.press('Enter');
      await page.locator('[data-node][data-state="error"]').first().waitFor(WAIT);
      const errored = page.locator('[data-node][data-state="error"]');
      expect(await errored.first().getAttribute('title')).toMatch(/formula cycle: .*savings/);
      expect(await page.getByTestId('canvas-npv').innerText()).toBe('—');
      await shot('03-cycle');
      // Back to a valid model (the slider's change kept).
      await expression.fill('agents * hours_saved * rate');
      await expression.press('Enter');
      await page
        .locator('[data-node][data-state="error"]')
        .first()
        .waitFor({ state: 'detached', ...WAIT });
    },
    STEP_MS,
  );

  it(
    "shows a second user's presence, and a save of theirs that conflicts with this one is refused with a clear message",
    async () => {
      const present = await api<{ present: { email: string }[] }>('PUT', `/api/v1/value-models/${modelId}/presence`, { activity: 'editing' }, secondToken);
      expect(present.status).toBe(200);
      await page.getByTestId('presence-user').filter({ hasText: SECOND_EMAIL }).waitFor(WAIT);
      expect(await page.getByTestId('presence').innerText()).toContain(`${SECOND_EMAIL} (editing)`);
      // The canvas announced its own user too: the second user sees the admin editing.
      expect(present.body.present.map((p) => p.email)).toContain(ADMIN_EMAIL);

      // The second user saves while this page holds unsaved changes: the page says so, and its save is refused.
      const saved = await api<{ version: number }>(
        'PUT',
        `/api/v1/value-models/${modelId}`,
        { version: 1, model: { ...MODEL, costs: { upfront: 150000, recurring: 50000 } } },
        secondToken,
      );
      expect(saved.status).toBe(200);
      await page.getByTestId('canvas-notice').filter({ hasText: 'Someone saved version 2' }).waitFor(WAIT);
      await page.getByTestId('canvas-save').click();
      await page.getByTestId('canvas-conflict').waitFor(WAIT);
      expect(await page.getByTestId('canvas-conflict').innerText()).toMatch(/Not saved: someone else saved this model/);
      await shot('04-conflict');

      // Reloading takes their version; a later save of theirs then appears live on the open model.
      await page.getByTestId('canvas-conflict').getByRole('button', { name: 'Reload' }).click();
      await page.getByTestId('canvas-version').filter({ hasText: /^2$/ }).waitFor(WAIT);
      await waitForNpv(await npvOf({ ...MODEL, costs: { upfront: 150000, recurring: 50000 } }));
      const third = { ...MODEL, costs: { upfront: 100000, recurring: 50000 } };
      expect((await api('PUT', `/api/v1/value-models/${modelId}`, { version: 2, model: third }, secondToken)).status).toBe(200);
      await page.getByTestId('canvas-version').filter({ hasText: /^3$/ }).waitFor(WAIT);
      await waitForNpv(await npvOf(third));

      // A save of this page's own now goes through (version 4).
      await node('agents').click();
      await page.getByTestId('driver-slider').focus();
      await page.keyboard.press('Home');
      await page.getByTestId('canvas-version').filter({ hasText: '(changed)' }).waitFor(WAIT);
      await page.getByTestId('canvas-save').click();
      await page.getByTestId('canvas-version').filter({ hasText: /^4$/ }).waitFor(WAIT);
      const stored = await api<{ model: { drivers: { name: string; value: number }[] } }>('GET', `/api/v1/value-models/${modelId}`);
      expect(stored.body.model.drivers.find((d) => d.name === 'agents')?.value).toBe(300);
    },
    STEP_MS,
  );

  it(
    "recolours a signed commitment's living graph when a measurement is posted, without a reload",
    async () => {
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const created = await api<{ id: string }>('POST', '/api/v1/commitments', {
        modelId,
        title: 'Support automation commitment',
        confidence: 0.8,
        trials: 1000,
        seed: 7,
        milestones: [{ id: 'm1', title: 'Hours saved', dueDate: day(60), metric: 'hours_saved', target: 100 }],
      });
      expect(created).toMatchObject({ status: 201 });
      const commitmentId = created.body.id;
      for (const to of ['proposed', 'signed']) expect((await api('POST', `/api/v1/commitments/${commitmentId}/transitions`, { to })).status).toBe(200);

      await page.goto(`${host.url}/workspace/living-graph?commitment=${commitmentId}`);
      await page.getByRole('heading', { name: 'Living value graph', level: 1 }).waitFor(WAIT);
      await page.getByTestId('living-graph').waitFor(WAIT);
      const measured = node('hours_saved');
      await page.locator('[data-node="hours_saved"][data-status]').waitFor(WAIT);
      const before = await measured.getAttribute('data-tone');
      expect(before).not.toBe('ok');
      const colourBefore = await measured.evaluate((el) => getComputedStyle(el).backgroundColor);
      await shot('05-living-before');
      // Presence works on commitments too: the second user appears.
      expect((await api('PUT', `/api/v1/commitments/${commitmentId}/presence`, { activity: 'viewing' }, secondToken)).status).toBe(200);
      await page.getByTestId('presence-user').filter({ hasText: SECOND_EMAIL }).waitFor(WAIT);

      const url = page.url();
      const reading = await api('POST', '/api/v1/realization/measurements', { commitmentId, metric: 'hours_saved', value: 100, measuredAt: new Date().toISOString() });
      expect(reading.status).toBe(201);
      await page.locator('[data-node="hours_saved"][data-tone="ok"]').waitFor(WAIT);
      expect(await measured.getAttribute('data-status')).toBe('achieved');
      expect(await measured.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe(colourBefore);
      expect(await measured.innerText()).toContain('actual 100');
      expect(page.url()).toBe(url);
      await shot('06-living-after');
      livingUrl = url;
    },
    STEP_MS,
  );

  it(
    'has no serious or critical axe findings on the canvas and the living graph, and neither is wider than a 390 px screen',
    async () => {
      const pages: [string, string, string][] = [
        ['canvas', `/workspace/value-canvas?model=${modelId}`, '[data-node="@npv"]'],
        ['living-graph', livingUrl.slice(host.url.length), '[data-node="@npv"]'],
      ];
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 844 });
        for (const [name, path, ready] of pages) {
          await page.goto(`${host.url}${path}`);
          await page.locator(ready).first().waitFor(WAIT);
          // A node selected, so the editor panel (slider, inputs) is checked too.
          if (name === 'canvas') {
            await node('agents').click();
            await page.getByTestId('driver-slider').waitFor(WAIT);
          }
          if (width === 1280) expect({ name, findings: serious(await axe(page)) }).toEqual({ name, findings: [] });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
          expect({ name, width, overflow: overflow > width }).toEqual({ name, width, overflow: false });
          if (width === 390) await shot(`07-${name}-390`);
        }
      }
    },
    STEP_MS,
  );
});
