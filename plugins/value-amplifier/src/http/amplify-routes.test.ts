/**
 * The amplifier through a real kernel with the real calculation and value-executor plugins (embedded PostgreSQL,
 * real HTTP) and stand-ins for value-committer and value-architect, on constructed cases whose expectations are
 * computed by hand.
 */
import path from 'node:path';
import { createTestKernel, type TestKernel, type TestResponse } from '@valueverse/plugin-testing';
import { benchmarkCommitments, boundedCommitment, boundedModel, commitment, day, linearCommitment, linearModel, surrogateCommitment } from '../__fixtures__/amplifier-commitments';
import { fakeArchitect, fakeCommitter } from '../__fixtures__/fake-providers';

const plugins = path.resolve(__dirname, '../../..');

describe('/api/v1/amplify through the test kernel', () => {
  let k: TestKernel;
  const get = (p: string, tenant?: string): Promise<TestResponse> => k.request('GET', `/api/v1/amplify${p}`, { tenant });
  const post = (p: string, body: unknown, tenant?: string): Promise<TestResponse> => k.request('POST', `/api/v1/amplify${p}`, { body, tenant });
  const pointers = (res: TestResponse): string[] => (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer).sort();
  const measure = async (tenant: string, commitmentId: string, values: Record<string, number>) => {
    const measurements = Object.entries(values).map(([metric, value]) => ({ commitmentId, metric, value, measuredAt: day(-1) }));
    const res = await k.request('POST', '/api/v1/realization/measurements/batch', { body: { measurements }, tenant });
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    k = await createTestKernel({
      plugins: [
        fakeCommitter([linearCommitment, surrogateCommitment, boundedCommitment, commitment('c-unmeasured'), ...benchmarkCommitments]),
        fakeArchitect({ 'acme/model-c-linear@1': linearModel, 'acme/model-c-bounded@1': boundedModel }),
        { dir: path.join(plugins, 'calculation') },
        { dir: path.join(plugins, 'value-executor') },
        { dir: path.join(plugins, 'value-amplifier') },
      ],
      tenants: ['acme', 'globex', 'initech'],
    });
    await measure('acme', 'c-linear', { a: 80, b: 700, c: 60, license: 260 });
    await measure('acme', 'c-surrogate', { a: 90, b: 1200 });
    await measure('initech', 'bm-1', { a: 50 });
    await measure('initech', 'bm-2', { a: 80 });
    await measure('initech', 'bm-3', { a: 110 });
    await measure('initech', 'bm-5', { a: 100 });
    await measure('initech', 'bm-7', { a: 10 });
  }, 60_000);

  afterAll(async () => {
    await k?.close();
  });

  describe('GET /amplify/commitments/:id/recommendations', () => {
    it('ranks under-realized drivers by |gap × sensitivity|, then expansion opportunities (hand-computed)', async () => {
      const res = await get('/commitments/c-linear/recommendations');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ commitmentId: 'c-linear', currency: 'USD', metric: 'npv', modelSource: 'value-model', unmeasured: ['z'], neutral: [] });
      // NPV = 10a + 2b + 5c − license: gaps a −20 → −200, b −300 → −600, license +60 (a cost) → −60, c +10 → +50.
      const ranked = res.body.recommendations.map((r: { rank: number; kind: string; driver: string; valueImpact: number; sensitivity: number }) => [
        r.rank,
        r.kind,
        r.driver,
        Math.round(r.valueImpact * 1e6) / 1e6,
        Math.round(r.sensitivity * 1e6) / 1e6,
      ]);
      expect(ranked).toEqual([
        [1, 'under-realized', 'b', -600, 2],
        [2, 'under-realized', 'a', -200, 10],
        [3, 'under-realized', 'license', -60, -1],
        [4, 'expansion', 'c', 50, 5],
      ]);
      expect(res.body.recommendations[0]).toMatchObject({ committed: 1000, actual: 700, gap: -300, gapRatio: -0.3, sensitivityBasis: 'point value ±10%' });
      expect(res.body.recommendations[0].action).toBe('Move B from 700 to the committed 1000 u: $600 of value at stake');
      // Realization from value-executor: a is the one milestone metric, 80 of 100.
      expect(res.body.realization).toBeCloseTo(0.8, 12);
      // Additive model: together = Σ singles = −200 − 600 + 50 − 60 = −810, no interaction.
      expect(res.body.jointEffect.together).toBeCloseTo(-810, 9);
      expect(res.body.jointEffect.sumOfSingles).toBeCloseTo(-810, 9);
      expect(res.body.jointEffect.interaction).toBeCloseTo(0, 9);
      // The license (a cost) above plan is under-realized, never an expansion opportunity.
      expect(res.body.recommendations[2]).toMatchObject({ driver: 'license', kind: 'under-realized', role: 'cost', direction: 'above-plan' });
    });

    it('falls back to the multiplicative surrogate when the committed model is not available', async () => {
      const res = await get('/commitments/c-surrogate/recommendations');
      expect(res.status).toBe(200);
      expect(res.body.modelSource).toBe('surrogate');
      // 1000 × (a / 100) × (b / 1000): 10 per unit of a, 1 per unit of b at the committed values.
      expect(res.body.recommendations.map((r: { kind: string; driver: string; valueImpact: number }) => [r.kind, r.driver, Math.round(r.valueImpact * 1e6) / 1e6])).toEqual([
        ['under-realized', 'a', -100],
        ['expansion', 'b', 200],
      ]);
      // Hand-computed: alone a = 90 → 900 − 1000 = −100, alone b = 1200 → +200, sum +100; together
      // 1000 × 0.9 × 1.2 − 1000 = +80: an interaction of −20 the single-driver figures do not show.
      expect(res.body.jointEffect.singles).toEqual({ a: expect.closeTo(-100, 9), b: expect.closeTo(200, 9) });
      expect(res.body.jointEffect.sumOfSingles).toBeCloseTo(100, 9);
      expect(res.body.jointEffect.together).toBeCloseTo(80, 9);
      expect(res.body.jointEffect.interaction).toBeCloseTo(-20, 9);
    });

    it("answers an empty list before any measurement, 404 for unknown and other tenants' ids, 400 for unknown query keys", async () => {
      expect((await get('/commitments/c-unmeasured/recommendations')).body).toMatchObject({ recommendations: [], unmeasured: [] });
      expect((await get('/commitments/c-nope/recommendations')).status).toBe(404);
      const foreign = await get('/commitments/c-linear/recommendations', 'globex');
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('VV_NOT_FOUND');
      const bad = await get('/commitments/c-linear/recommendations?top=3');
      expect(bad.status).toBe(400);
      expect(pointers(bad)).toEqual(['/top']);
    });
  });

  describe('GET /amplify/benchmarks', () => {
    it('reports P25/P50/P75 of realization and committed value by industry (hand-computed)', async () => {
      const res = await get('/benchmarks', 'initech');
      expect(res.status).toBe(200);
      expect(res.body.industry).toBeNull();
      // All five current commitments: realization 0, 0.5, 0.8, 1.0, 1.1 → P25 0.5, P50 0.8, P75 1.0.
      expect(res.body.portfolio).toMatchObject({ industry: 'all', count: 5 });
      expect(res.body.portfolio.realization.p25).toBeCloseTo(0.5, 12);
      expect(res.body.portfolio.realization.p50).toBeCloseTo(0.8, 12);
      expect(res.body.portfolio.realization.p75).toBeCloseTo(1.0, 12);
      expect(res.body.industries.map((g: { industry: string; count: number }) => [g.industry, g.count])).toEqual([
        ['manufacturing', 1],
        ['software', 4],
      ]);
      const software = res.body.industries[1];
      // Realization 0, 0.5, 0.8, 1.1: h = 0.75 → 0.375, h = 1.5 → 0.65, h = 2.25 → 0.875.
      expect(software.realization.p25).toBeCloseTo(0.375, 12);
      expect(software.realization.p50).toBeCloseTo(0.65, 12);
      expect(software.realization.p75).toBeCloseTo(0.875, 12);
      // Committed 100, 200, 300, 400 USD (draft bm-6 and superseded bm-7 left out).
      expect(software.committedValue).toEqual({ USD: { count: 4, p25: 175, p50: 250, p75: 325 } });
      expect(res.body.industries[0].committedValue).toEqual({ EUR: { count: 1, p25: 1000, p50: 1000, p75: 1000 } });
    });

    it("filters by industry without regard to case, and sees only the tenant's commitments", async () => {
      const res = await get('/benchmarks?industry=MANUFACTURING', 'initech');
      expect(res.body.industry).toBe('manufacturing');
      expect(res.body.industries).toHaveLength(1);
      expect(res.body.industries[0].realization).toEqual({ p25: 1, p50: 1, p75: 1 });
      expect((await get('/benchmarks?industry=mining', 'initech')).body.industries).toEqual([]);
      const globex = await get('/benchmarks', 'globex');
      expect(globex.body.portfolio).toEqual({ industry: 'all', count: 0, realization: { p25: null, p50: null, p75: null }, committedValue: {} });
    });

    it('validates the query', async () => {
      expect(pointers(await get('/benchmarks?industry=&sort=asc'))).toEqual(['/industry', '/sort']);
    });
  });

  describe('POST /amplify/commitments/:id/what-it-takes', () => {
    it('goal-seeks the driver value that hits the committed value, other drivers at their actuals (hand-computed)', async () => {
      const res = await post('/commitments/c-linear/what-it-takes', { driver: 'b' });
      expect(res.status).toBe(200);
      // Now: 10·80 + 2·700 + 5·60 − 260 = 2240. 2800 needs 800 + 2b + 300 − 260 = 2800 → b = 980.
      expect(res.body).toMatchObject({ driver: 'b', objective: 'npv', targetValue: 2800, currentValue: 700, committedValue: 1000, modelSource: 'value-model' });
      expect(res.body.requiredValue).toBeCloseTo(980, 6);
      expect(res.body.change).toBeCloseTo(280, 6);
      expect(res.body.changeRatio).toBeCloseTo(0.4, 9);
      expect(res.body.current.npv).toBeCloseTo(2240, 9);
      expect(res.body.achieved.npv).toBeCloseTo(2800, 6);
      expect(res.body.summary).toBe('B must reach 980 u (now 700) to hit 2800 USD of NPV (unchecked: the model declares no plausible range for B)');
    });

    it('takes a milestone metric for the driver, an explicit target and the ROI objective', async () => {
      // 10a + 1400 + 300 − 260 = 3050 → a = 161.
      const byMetric = await post('/commitments/c-linear/what-it-takes', { metric: 'a', targetValue: 3050 });
      expect(byMetric.body.requiredValue).toBeCloseTo(161, 6);
      // ROI = (1100 + 2b − 260) / 260 = 10 → b = 880.
      const roi = await post('/commitments/c-linear/what-it-takes', { driver: 'b', objective: 'roi', targetValue: 10 });
      expect(roi.body.requiredValue).toBeCloseTo(880, 6);
      expect(roi.body.summary).toBe('B must reach 880 u (now 700) to hit an ROI of 1000% (unchecked: the model declares no plausible range for B)');
    });

    it('says "outside the range" for an implausible value and never answers an impossible one (issue #11 item 10)', async () => {
      const implausible = await post('/commitments/c-bounded/what-it-takes', { driver: 'rate', targetValue: 78800 });
      expect(implausible.status).toBe(200);
      expect(implausible.body.requiredValue).toBeCloseTo(0.788, 9);
      expect(implausible.body).toMatchObject({ outsideRange: true, impossible: false, range: { low: 0.15, high: 0.32 } });
      expect(implausible.body.summary).toBe('RATE would have to reach 0.79 share (now 0.25) to hit 78800 USD of NPV: outside the range 0.15–0.32 share judged plausible');
      const impossible = await post('/commitments/c-bounded/what-it-takes', { driver: 'rate', targetValue: 105000 });
      expect(impossible.status).toBe(200);
      expect(impossible.body).toMatchObject({ requiredValue: null, change: null, changeRatio: null, outsideRange: true, impossible: true });
      expect(impossible.body.unconstrainedValue).toBeCloseTo(1.05, 9);
      expect(impossible.body.summary).toBe('RATE cannot get 105000 USD of NPV: it would have to reach 1.05 share, outside the range of possible values (0.15–0.32)');
      const plausible = await post('/commitments/c-bounded/what-it-takes', { driver: 'rate', targetValue: 30000 });
      expect(plausible.body).toMatchObject({ outsideRange: false, impossible: false });
      expect(plausible.body.requiredValue).toBeCloseTo(0.3, 9);
    });

    it('answers 422 VV_NO_SOLUTION when no value of the driver reaches the target', async () => {
      const res = await post('/commitments/c-linear/what-it-takes', { driver: 'z' });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('VV_NO_SOLUTION');
    });

    it("validates the body with pointers, and answers 404 for unknown and other tenants' ids", async () => {
      expect(pointers(await post('/commitments/c-linear/what-it-takes', {}))).toEqual(['/driver']);
      expect(pointers(await post('/commitments/c-linear/what-it-takes', { driver: 'a', metric: 'a' }))).toEqual(['/metric']);
      expect(pointers(await post('/commitments/c-linear/what-it-takes', { driver: 'a', objective: 'irr', targetValue: 'x', extra: 1 }))).toEqual([
        '/extra',
        '/objective',
        '/targetValue',
      ]);
      expect(pointers(await post('/commitments/c-linear/what-it-takes', { driver: 'a', objective: 'roi' }))).toEqual(['/targetValue']);
      const unknown = await post('/commitments/c-linear/what-it-takes', { driver: 'users' });
      expect(unknown.status).toBe(400);
      expect(pointers(unknown)).toEqual(['/driver']);
      expect(unknown.body.errors[0].message).toContain('drivers: a, b, c, license, z');
      expect(pointers(await post('/commitments/c-linear/what-it-takes', { metric: 'nps' }))).toEqual(['/metric']);
      expect((await post('/commitments/c-nope/what-it-takes', { driver: 'a' })).status).toBe(404);
      expect((await post('/commitments/c-linear/what-it-takes', { driver: 'a' }, 'globex')).status).toBe(404);
    });
  });
  describe('enablement per tenant', () => {
    it('disabling value-committer for one tenant takes the executor and the amplifier with it, for that tenant only', async () => {
      const off = await k.setPlugin('initech', 'value-committer', { enabled: false }, true);
      expect(off.status).toBe(200);
      for (const p of ['/api/v1/amplify/benchmarks', '/api/v1/amplify/commitments/bm-1/recommendations', '/api/v1/realization/commitments/bm-1']) {
        const res = await k.request('GET', p, { tenant: 'initech' });
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('VV_PLUGIN_NOT_ENABLED');
      }
      expect((await get('/commitments/c-linear/recommendations', 'acme')).status).toBe(200);
      expect((await k.request('GET', '/api/v1/realization/commitments/c-linear', { tenant: 'acme' })).status).toBe(200);
    });
  });
});
