/**
 * POST /api/v1/value-models/:id/hypotheses through a real kernel: the ai-openai provider against a loopback fake of
 * the OpenAI API for tenant acme, no provider for globex (library fallback), and a failing provider.
 */
import path from 'node:path';
import { createTestKernel, startFakeOpenAi, type FakeOpenAi, type FakeOpenAiReply, type TestKernel } from '@valueverse/plugin-testing';
import { helpdeskModel } from '../__fixtures__/helpdesk-model';

const plugins = [{ dir: path.resolve(__dirname, '../../../calculation') }, { dir: path.resolve(__dirname, '../..') }, { dir: path.resolve(__dirname, '../../../ai-openai') }];

const goodHypothesis = {
  title: 'Faster ticket triage',
  statement: 'Auto-triage saves each agent about 20 hours a year.',
  driver: { key: 'triage_hours_saved', label: 'Triage hours saved', unit: 'h/person-year', min: 10, typical: 20, max: 40 },
  formula: 'triage_hours_saved * users * loaded_hourly_rate',
  rationale: 'Agents spend time routing tickets by hand today.',
  confidence: 'medium',
};

describe('value hypotheses', () => {
  let k: TestKernel;
  let fake: FakeOpenAi;
  let reply: () => FakeOpenAiReply = () => ({ json: { hypotheses: [goodHypothesis] } });

  beforeAll(async () => {
    fake = await startFakeOpenAi({ reply: () => reply() });
    k = await createTestKernel({
      plugins,
      tenants: ['acme', 'globex'],
      allowPrivateDestinations: '127.0.0.1/32', // the fake listens on loopback
      config: { 'ai-openai': { baseUrl: fake.url, apiKey: 'sk-test', model: 'gpt-test', maxRetries: 0, timeoutMs: 5000 } },
    });
    const off = await k.setPlugin('globex', 'ai-openai', { enabled: false });
    expect(off.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await fake?.close();
  });

  const createModel = async (tenant: string, body: Record<string, unknown> = { name: 'Helpdesk', industry: 'software', model: helpdeskModel }) => {
    const res = await k.request('POST', '/api/v1/value-models', { tenant, body });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const hypotheses = (tenant: string, id: string, body: unknown = {}) => k.request('POST', `/api/v1/value-models/${id}/hypotheses`, { tenant, body });

  it('asks the tenant AI provider for structured hypotheses and values each through the calculation engine', async () => {
    const id = await createModel('acme');
    const before = fake.requests.length;
    const res = await hypotheses('acme', id, { count: 3, focus: 'support' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ modelId: id, version: 1, source: 'ai', provider: 'ai-openai' });
    expect(res.body.fallbackReason).toBeUndefined();
    expect(res.body.hypotheses).toEqual([
      {
        title: 'Faster ticket triage',
        statement: goodHypothesis.statement,
        driver: { key: 'triage_hours_saved', label: 'Triage hours saved', unit: 'h/person-year', range: { min: 10, typical: 20, max: 40 } },
        formula: goodHypothesis.formula,
        rationale: goodHypothesis.rationale,
        confidence: 'medium',
        estimatedAnnualValue: 20 * 100 * 50,
      },
    ]);
    // One call, with the model's drivers in the prompt and the hypotheses schema as structured output.
    expect(fake.requests.length).toBe(before + 1);
    const sent = fake.requests[fake.requests.length - 1]!.body;
    expect(JSON.stringify(sent.messages)).toContain('loaded_hourly_rate');
    expect(JSON.stringify(sent.messages)).toContain('support');
    expect(JSON.stringify(sent)).toContain('value_hypotheses');
    const event = await k.waitForEvent('value-model.hypotheses-generated');
    expect(event.payload).toMatchObject({ modelId: id, source: 'ai', provider: 'ai-openai', count: 1 });
  });

  it('drops AI hypotheses that fail the checks and reports how many', async () => {
    const id = await createModel('acme');
    reply = () => ({
      json: {
        hypotheses: [
          goodHypothesis,
          { ...goodHypothesis, title: 'Unknown name', driver: { ...goodHypothesis.driver, key: 'x_saved' }, formula: 'x_saved * nobody_knows' },
          { ...goodHypothesis, title: 'Existing driver', driver: { ...goodHypothesis.driver, key: 'users' } },
          { ...goodHypothesis, title: 'Range out of order', driver: { ...goodHypothesis.driver, key: 'y_saved', min: 50 }, formula: 'y_saved' },
        ],
      },
    });
    try {
      const res = await hypotheses('acme', id);
      expect(res.body).toMatchObject({ source: 'ai', discarded: 3 });
      expect(res.body.hypotheses.map((h: { title: string }) => h.title)).toEqual(['Faster ticket triage']);
    } finally {
      reply = () => ({ json: { hypotheses: [goodHypothesis] } });
    }
  });

  it('falls back to the library, saying why by a stable code, never with what the provider answered', async () => {
    const id = await createModel('acme');
    const failures: [FakeOpenAiReply, string][] = [
      [{ status: 500, error: 'upstream down: planted-body-0001' }, 'ai-openai failed: VV_UPSTREAM_FAILED'],
      [{ json: { hypotheses: [] } }, 'ai-openai failed: the answer has no hypotheses'],
      [{ content: 'not json at all: planted-body-0002' }, 'ai-openai failed: VV_UPSTREAM_FAILED'],
    ];
    for (const [failure, reason] of failures) {
      reply = () => failure;
      try {
        const res = await hypotheses('acme', id, { count: 2 });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ source: 'library', provider: null, fallbackReason: reason });
        expect(JSON.stringify(res.body)).not.toContain('planted-body');
        expect(res.body.hypotheses).toHaveLength(2);
      } finally {
        reply = () => ({ json: { hypotheses: [goodHypothesis] } });
      }
    }
  });

  it('answers 502 VV_UPSTREAM_FAILED without the upstream body when there is no library industry to fall back to', async () => {
    const id = await createModel('acme', { name: 'No industry', model: helpdeskModel });
    reply = () => ({ status: 500, error: 'upstream down: planted-body-0003' });
    try {
      const res = await hypotheses('acme', id, { count: 2 });
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ code: 'VV_UPSTREAM_FAILED' });
      expect(JSON.stringify(res.body)).not.toContain('planted-body');
    } finally {
      reply = () => ({ json: { hypotheses: [goodHypothesis] } });
    }
  });

  it('uses the driver library when the tenant has no AI provider: drivers the model lacks, most valuable first', async () => {
    const id = await createModel('globex');
    const before = fake.requests.length;
    const res = await hypotheses('globex', id, { count: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ modelId: id, version: 1, source: 'library', provider: null, fallbackReason: 'no AI provider is enabled for this tenant' });
    expect(fake.requests.length).toBe(before);
    const list = res.body.hypotheses as Array<{ driver: { key: string; range: { typical: number } }; estimatedAnnualValue: number; confidence: string; formula: string }>;
    expect(list).toHaveLength(3);
    const values = list.map((h) => h.estimatedAnnualValue);
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    // The model's own hourly rate (50) wins over the library's (75): engineering hours are valued at 3,000 × 50.
    const library = (await k.request('GET', '/api/v1/value-models/library?industry=software', { tenant: 'globex' })).body.industries[0];
    const allValues = library.drivers.map((d: { key: string }) => d.key);
    for (const h of list) expect(allValues).toContain(h.driver.key);
    const all = await hypotheses('globex', id, { count: 10 });
    expect(all.body.hypotheses).toHaveLength(8);
    const engineering = all.body.hypotheses.find((h: { driver: { key: string } }) => h.driver.key === 'engineering_hours_saved');
    expect(engineering.estimatedAnnualValue).toBe(3000 * 50);
    expect(engineering).toMatchObject({ title: 'Engineering hours saved', formula: 'engineering_hours_saved * loaded_hourly_rate', confidence: 'medium' });
    expect(engineering.statement).toContain('150,000');
  });

  it('library hypotheses skip drivers already in the model, honour focus and an industry override', async () => {
    const id = await createModel('globex', { fromLibrary: { industry: 'retail', drivers: ['markdown_reduction', 'returns_avoided'] } });
    const res = await hypotheses('globex', id, { count: 10 });
    const keys = res.body.hypotheses.map((h: { driver: { key: string } }) => h.driver.key);
    expect(keys).toHaveLength(6);
    expect(keys).not.toContain('markdown_reduction');
    const focused = await hypotheses('globex', id, { count: 2, focus: 'shrink at the register' });
    expect(focused.body.hypotheses[0].driver.key).toBe('shrink_reduction');
    const other = await hypotheses('globex', id, { count: 1, industry: 'logistics' });
    expect(other.body.hypotheses[0].driver.key).toBe('fuel_cost_reduction');
    expect(other.body.hypotheses[0].estimatedAnnualValue).toBeCloseTo(0.06 * 18_000_000, 6);
  });
});
