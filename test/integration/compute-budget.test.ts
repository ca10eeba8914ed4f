import { performance } from 'node:perf_hooks';
import { heavyModel } from '../../plugins/calculation/src/compute/__fixtures__/heavy-model';
import { sampleModel } from '../../plugins/calculation/src/model/__fixtures__/sample-model';
import { bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';
import { describeWithPostgres } from '../support/services';

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
  body: any;
  ms: number;
  contentType: string | null;
}

// Issue #10 finding 1, "one small request freezes the whole host": value-model evaluation ran on the event loop
// with no budget. A real host on PostgreSQL: the request is refused before any work, heavy evaluations run
// on the worker pool under the tenant's budget while /health/live and another tenant's light requests answer.
describeWithPostgres('compute budgets: heavy evaluations never hold the event loop', () => {
  let host: SuiteHost;
  let token: string;

  const call = async (method: string, path: string, body?: unknown, tenant?: string): Promise<Reply> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (tenant) headers['x-tenant-id'] = tenant;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    const res = await fetch(`${host.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started, contentType: res.headers.get('content-type') };
  };
  const setBudget = async (tenant: string, computeBudgetMs?: number) => {
    const res = await call('PUT', `/api/v1/admin/tenants/${tenant}/plugins/calculation`, { enabled: true, config: computeBudgetMs === undefined ? {} : { computeBudgetMs } });
    expect(res.status).toBe(200);
  };
  const live = async () => {
    const started = performance.now();
    const res = await fetch(`${host.url}/health/live`);
    await res.text();
    return { status: res.status, ms: performance.now() - started };
  };

  /**
   * Probes /health/live and a light request of tenant "light" until `heavy` settle; returns the heavy replies and
   * the slowest probe of each kind.
   */
  const whileRunning = async (heavy: Array<Promise<Reply>>) => {
    let settled = false;
    const all = Promise.all(heavy).finally(() => (settled = true));
    const liveMs: number[] = [];
    const lightMs: number[] = [];
    while (!settled) {
      const probe = await live();
      expect(probe.status).toBe(200);
      liveMs.push(probe.ms);
      const light = await call('POST', '/api/v1/calculate/model', { model: sampleModel }, 'light');
      expect(light.status).toBe(200);
      expect(light.body.cashFlows).toEqual([-60000, 15000, 40000, 40000]);
      lightMs.push(light.ms);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { replies: await all, liveMs, lightMs };
  };

  beforeAll(async () => {
    host = await bootSuiteHost('vv_budget');
    token = await signIn(host.url);
    expect((await call('POST', '/api/v1/admin/tenants', { id: 'light', name: 'Light' })).status).toBe(201);
    await setBudget('light');
  }, 120_000);

  afterAll(async () => {
    await host?.dispose();
  }, 60_000);

  it("refuses the issue's sensitivity request with 422 VV_COMPUTE_BUDGET_EXCEEDED before any work", async () => {
    const body = { model: heavyModel() };
    expect(JSON.stringify(body).length).toBeGreaterThan(37_000);
    const res = await call('POST', '/api/v1/calculate/sensitivity', body);
    expect(res.status).toBe(422);
    expect(res.contentType).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'VV_COMPUTE_BUDGET_EXCEEDED', budget: { name: 'calculation.computeBudgetMs', valueMs: 10_000 } });
    expect(res.body.detail).toMatch(/calculation\.computeBudgetMs = 10000 ms: estimated at \d+ ms before starting \(49 evaluations/);
    // The same for the other operations that evaluate a user model many times.
    for (const [route, extra] of [
      ['risk-adjustment', {}],
      ['goal-seek', { driver: 'd0', target: 0 }],
      ['scenario', { scenarios: Array.from({ length: 48 }, (_, i) => ({ name: `s${i}`, overrides: { d0: i } })) }],
      ['simulate', { trials: 1000 }],
    ] as const) {
      const other = await call('POST', `/api/v1/calculate/${route}`, { ...body, ...extra });
      expect(`${route} ${other.status} ${other.body.code}`).toBe(`${route} 422 VV_COMPUTE_BUDGET_EXCEEDED`);
    }
  }, 120_000);

  it('keeps /health/live and another tenant answering while four heavy evaluations run on the pool', async () => {
    // A 2 s budget: each evaluation passes the estimate, runs on a worker thread, and finishes or is stopped there.
    await setBudget('demo', 2000);
    try {
      const heavy = Array.from({ length: 4 }, () => call('POST', '/api/v1/calculate/model', { model: heavyModel() }));
      const { replies, liveMs, lightMs } = await whileRunning(heavy);
      for (const reply of replies) {
        expect(reply.status === 200 ? 'evaluated' : `${reply.status} ${reply.body.code}`).toMatch(/^(evaluated|422 VV_COMPUTE_BUDGET_EXCEEDED)$/);
        if (reply.status === 422) expect(reply.body.detail).toMatch(/ran longer than 2000 ms and was stopped/);
      }
      // On the event loop these evaluations took seconds each and every probe waited for them; generous bounds.
      expect(liveMs.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...liveMs)).toBeLessThan(1000);
      expect(Math.max(...lightMs)).toBeLessThan(2000);
    } finally {
      await setBudget('demo');
    }
  }, 180_000);

  it('evaluates a stored heavy model on the pool, and refuses it once over the tenant budget', async () => {
    const created = await call('POST', '/api/v1/value-models', { name: 'Heavy stored', model: heavyModel({ formulas: 3 }) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const evaluations = Array.from({ length: 4 }, () => call('GET', `/api/v1/value-models/${id}/evaluation`));
    const { replies, liveMs } = await whileRunning(evaluations);
    for (const reply of replies) expect(reply.status === 200 ? 'evaluated' : `${reply.status} ${reply.body.code}`).toMatch(/^(evaluated|422 VV_COMPUTE_BUDGET_EXCEEDED)$/);
    expect(replies.some((r) => r.status === 200 && r.body.modelId === id)).toBe(true);
    expect(Math.max(...liveMs)).toBeLessThan(1000);

    await setBudget('demo', 100);
    try {
      const refused = await call('GET', `/api/v1/value-models/${id}/evaluation`);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'VV_COMPUTE_BUDGET_EXCEEDED', budget: { name: 'calculation.computeBudgetMs', valueMs: 100 } });
      // Saving is an evaluation too.
      const saved = await call('PUT', `/api/v1/value-models/${id}`, { model: heavyModel({ formulas: 3 }) });
      expect(`${saved.status} ${saved.body.code}`).toBe('422 VV_COMPUTE_BUDGET_EXCEEDED');
      // Light work of the same tenant still runs under the small budget.
      expect((await call('POST', '/api/v1/calculate/model', { model: sampleModel })).status).toBe(200);
    } finally {
      await setBudget('demo');
    }
  }, 180_000);

  it('refuses a budget setting outside 100..60000 ms', async () => {
    const res = await call('PUT', '/api/v1/admin/tenants/demo/plugins/calculation', { enabled: true, config: { computeBudgetMs: 3_600_000 } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('VV_CONFIG_INVALID');
  });
});
