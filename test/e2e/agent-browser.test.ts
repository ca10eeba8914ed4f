import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startFakeOpenAi, type FakeOpenAi, type FakeOpenAiReply } from '@valueverse/plugin-testing';
import { draftSupportCase } from '../../plugins/value-agent/src/__fixtures__/support-automation';
import { axe, serious } from '../support/axe';
import { artifactsDir, describeInBrowser, ensureAdminUiBuilt, launchBrowser } from '../support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';

const WAIT = { timeout: 20_000 };

/** What would scroll sideways at the current width. */
async function overflow(page: Page): Promise<{ width: number; scrollWidth: number }> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { clientWidth: number; scrollWidth: number } } }).document.documentElement;
    return { width: root.clientWidth, scrollWidth: root.scrollWidth };
  });
}

// The value agent beside the page, in Debian's Chromium against a real host and a scripted OpenAI-compatible fake:
// asked to "build a support automation case for 400 agents", it calls tools, streams its answer, and proposes a model
// draft the user applies (the model then exists); on the model's page it proposes a P80 commitment, which the user
// applies too. axe 0 serious/critical with the panel open, and no sideways scrolling at 390 px. Then the canvas
// (a slider recomputes NPV), the commitment signed, and the living graph recoloured by a measurement. Screenshots under
// test/artifacts/agent/.
describeInBrowser('the value agent in a real browser', () => {
  const shots = artifactsDir('agent');
  let host: SuiteHost;
  let fake: FakeOpenAi;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  const queue: FakeOpenAiReply[] = [];

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
    fake = await startFakeOpenAi({ reply: () => queue.shift() ?? { content: 'ok' } });
    host = await bootSuiteHost('vv_agent_ui', { VV_OUTBOUND_ALLOW_PRIVATE: '127.0.0.1/32' });
    token = await signIn(host.url);
    const on = await api('PUT', '/api/v1/admin/tenants/demo/plugins/ai-openai', {
      enabled: true,
      config: { baseUrl: fake.url, apiKey: 'sk-agent', model: 'gpt-test', maxRetries: 0, timeoutMs: 10000 },
    });
    expect(on.status).toBe(200);
    browser = await launchBrowser({ width: 1440, height: 900 });
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await host?.dispose();
    await fake?.close();
    if (browser) rmSync(browser.profileDir, { recursive: true, force: true });
  }, 60_000);

  it('builds a support automation case through tool calls; the user applies the model draft and a P80 commitment proposal, moves a driver on the canvas, signs, and sees the living graph recolour on a measurement', async () => {
    await page.goto(`${host.url}/workspace`);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor(WAIT);

    await page.getByTestId('agent-toggle').click();
    const panel = page.getByTestId('agent-panel');
    await panel.waitFor(WAIT);

    // The model looks for an existing case, drafts one, then answers slowly enough to watch the tokens arrive.
    const answer = 'I drafted a support automation case for 400 agents. Review the draft and apply it to save it.';
    queue.push(
      { toolCalls: [{ name: 'find_models', arguments: { q: 'support' } }] },
      { content: 'Drafting the case now.', toolCalls: [{ name: 'draft_model', arguments: draftSupportCase }] },
      { content: answer, chunkDelayMs: 700 },
    );
    await panel.getByLabel('Ask the agent').fill('build a support automation case for 400 agents');
    await panel.getByRole('button', { name: 'Send' }).click();
    const reply = panel.getByTestId('agent-reply').last();
    // Streamed: part of the answer shows while the reply is still being written.
    await panel.locator('[data-testid="agent-reply"][data-status="streaming"]').filter({ hasText: 'I drafted a support' }).waitFor(WAIT);
    await panel.locator('[data-testid="agent-reply"][data-status="complete"]').waitFor(WAIT);
    expect(await reply.textContent()).toContain('apply it to save it.');
    expect(await reply.textContent()).toContain('find_models');
    const draft = panel.getByRole('region', { name: draftSupportCase.name });
    await draft.waitFor(WAIT);
    expect(await draft.getAttribute('data-kind')).toBe('model-draft');
    expect((await api('GET', '/api/v1/value-models?q=Support')).body.items).toEqual([]);
    await page.screenshot({ path: join(shots, 'model-draft-1440.png') });
    expect(serious(await axe(page))).toEqual([]);

    await draft.getByRole('button', { name: 'Apply' }).click();
    await draft.getByRole('status').filter({ hasText: 'Applied.' }).waitFor(WAIT);
    const models = (await api('GET', '/api/v1/value-models?q=Support')).body.items as { id: string; name: string }[];
    expect(models.map((m) => m.name)).toEqual([draftSupportCase.name]);
    const modelId = models[0]!.id;

    // The model's page: the panel stays beside it, now about this model.
    await draft.getByRole('link', { name: 'Open the model' }).click();
    await page.getByRole('heading', { name: draftSupportCase.name, level: 1 }).waitFor(WAIT);
    await panel.getByTestId('agent-context').filter({ hasText: 'About this value model' }).waitFor(WAIT);

    const before = fake.requests.length;
    const dueDate = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    const milestones = [{ title: 'Hours saved', dueDate, metric: 'hours_saved', target: 100 }];
    queue.push({ toolCalls: [{ name: 'propose_commitment', arguments: { modelId, confidence: 0.8, milestones } }] }, { content: 'Here is a P80 commitment for you to apply.' });
    await panel.getByLabel('Ask the agent').fill('commit this at P80');
    await panel.getByRole('button', { name: 'Send' }).click();
    const proposal = panel.locator('[data-kind="commitment-proposal"]');
    await proposal.waitFor(WAIT);
    expect(fake.requests[before]!.body.messages[0].content).toContain(`value model ${modelId}`);
    await panel.getByRole('button', { name: 'Send' }).waitFor(WAIT);
    await proposal.getByRole('button', { name: 'Apply' }).click();
    await proposal.getByRole('status').filter({ hasText: 'Applied.' }).waitFor(WAIT);
    const commitments = (await api('GET', `/api/v1/commitments?modelId=${modelId}`)).body.items as { id: string; confidence: number; status: string }[];
    expect(commitments).toEqual([expect.objectContaining({ confidence: 0.8, status: 'draft' })]);
    expect(serious(await axe(page))).toEqual([]);
    await page.screenshot({ path: join(shots, 'commitment-proposal-1440.png') });

    await page.setViewportSize({ width: 390, height: 844 });
    await panel.waitFor(WAIT);
    expect(await overflow(page)).toEqual({ width: 390, scrollWidth: 390 });
    expect(serious(await axe(page))).toEqual([]);
    await page.screenshot({ path: join(shots, 'panel-390.png') });
    await page.setViewportSize({ width: 1440, height: 900 });

    // The value canvas and the living value graph (issue 20 items 3 and 4): the applied draft drawn as a graph whose
    // NPV recomputes as a slider moves; the applied proposal signed, a measurement posted, and its node recoloured
    // without a reload.
    await page.goto(`${host.url}/workspace/value-canvas?model=${modelId}`);
    await page.getByTestId('value-canvas').waitFor(WAIT);
    await page.locator('[data-node="@npv"]').waitFor(WAIT);
    await page.locator('[data-node="agents"]').click();
    const slider = page.getByTestId('driver-slider');
    await slider.waitFor(WAIT);
    await slider.focus();
    await page.keyboard.press('End');
    const agents = Number(await slider.inputValue());
    expect(agents).not.toBe(400);
    const moved = { ...draftSupportCase.model, drivers: draftSupportCase.model.drivers.map((d) => (d.name === 'agents' ? { ...d, value: agents } : d)) };
    const expected = Math.round((await api('POST', '/api/v1/calculate/model', { model: moved })).body.metrics.npv.value);
    await page.waitForFunction(
      (want) => {
        const text =
          (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-testid="canvas-npv"]')
            ?.textContent ?? '';
        const digits = text.replace(/[^\d]/g, '');
        return digits !== '' && (/^\s*[-−]/.test(text) ? -1 : 1) * Number(digits) === want;
      },
      expected,
      WAIT,
    );
    await page.screenshot({ path: join(shots, 'canvas-1440.png') });

    const commitmentId = commitments[0]!.id;
    await page.goto(`${host.url}/workspace/commitments?commitment=${commitmentId}`);
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: `${draftSupportCase.name} (P80)` }) });
    await card.getByRole('button', { name: 'Mark proposed' }).click();
    await card.getByRole('button', { name: 'Mark signed' }).click();
    await card.getByRole('button', { name: 'Sign commitment' }).click();
    await card.getByTestId('signed').waitFor(WAIT);
    expect((await api('GET', `/api/v1/commitments/${commitmentId}`)).body.status).toBe('signed');

    await page.goto(`${host.url}/workspace/living-graph?commitment=${commitmentId}`);
    await page.getByTestId('living-graph').waitFor(WAIT);
    const measured = page.locator('[data-node="hours_saved"]');
    await page.locator('[data-node="hours_saved"][data-status]').waitFor(WAIT);
    expect(await measured.getAttribute('data-tone')).not.toBe('ok');
    const url = page.url();
    const reading = await api('POST', '/api/v1/realization/measurements', { commitmentId, metric: 'hours_saved', value: 100, measuredAt: new Date().toISOString() });
    expect(reading.status).toBe(201);
    await page.locator('[data-node="hours_saved"][data-tone="ok"]').waitFor(WAIT);
    expect(await measured.getAttribute('data-status')).toBe('achieved');
    expect(page.url()).toBe(url);
    await page.screenshot({ path: join(shots, 'living-graph-1440.png') });
  }, 240_000);
});
