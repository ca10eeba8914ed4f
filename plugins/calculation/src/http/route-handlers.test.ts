/**
 * The routes' schemas and handlers, exercised the way the kernel runs them (ajv 8 with allErrors and strict: false,
 * then the handler, VvErrors turned into their catalog status) but without a kernel, so the plugin's contract is
 * tested on its own. `calculation-routes.test.ts` runs the same requests through the SDK's test kernel.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { isVvError, type FieldProblem, type PluginRequest, type RouteDefinition } from '@valueverse/plugin-sdk';
import manifest from '../../plugin.json';
import { calculationRef, type CalculationService } from '../calculation-api';
import { sampleModel } from '../model/__fixtures__/sample-model';
import { plugin } from '../plugin';

// The kernel validates with the ajv 8 that the SDK depends on (the hoisted root copy is an older major).
const sdkRequire = createRequire(path.resolve(__dirname, '../../../../plugin-sdk/package.json'));

const Ajv = sdkRequire('ajv').default as new (options: object) => {
  compile(schema: object): ((value: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }> | null };
  addFormat(name: string, format: RegExp): void;
};

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

const routes: RouteDefinition[] = [];
let provided: CalculationService | undefined;
const published: { name: string; tenantId: string; payload: unknown }[] = [];

beforeAll(async () => {
  await plugin.setup(
    {
      http: { route: (definition: RouteDefinition) => routes.push(definition) },
      config: { forTenant: async () => ({}) },
      context: { current: () => undefined },
      metrics: { counter: () => ({ inc: () => undefined }) },
      // Monte Carlo work is reported as calculation.trials (platform metering).
      events: {
        publish: async (name: string, tenantId: string, payload: unknown) => void published.push({ name, tenantId, payload }),
        subscribe: () => () => undefined,
      },
      logger: { warn: () => undefined },
      metadata: { id: 'calculation', version: '0.0.0', platformMetering: true },
    } as never,
    {
      provide: (ref, implementation) => {
        expect(ref).toBe(calculationRef);
        provided = implementation as CalculationService;
      },
      privacy: () => undefined,
      onReseal: () => undefined,
    },
  );
});

afterAll(() => plugin.stop?.());

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });

async function post(route: string, body: unknown, signal = new AbortController().signal): Promise<Reply> {
  const definition = routes.find((r) => r.method === 'POST' && r.path === `/calculate/${route}`);
  if (!definition) return { status: 404, body: {} };
  const validate = ajv.compile(definition.schema!.body as object);
  if (!validate(body)) {
    const errors: FieldProblem[] = (validate.errors ?? []).map((e) => ({
      pointer: e.keyword === 'required' ? `${e.instancePath}/${String(e.params['missingProperty'])}` : e.instancePath,
      message: e.message ?? 'is invalid',
    }));
    return { status: 400, body: { code: 'VV_VALIDATION', errors } };
  }
  try {
    const result = await definition.handler({ body, signal, tenant: { id: 't1', name: 'T1' } } as PluginRequest);
    // What a client receives: JSON. NaN or Infinity would turn into null here, so a test would notice them.
    return { status: 200, body: JSON.parse(JSON.stringify(result)) as Record<string, unknown> };
  } catch (error) {
    if (!isVvError(error)) throw error;
    return { status: error.status, body: { code: error.code, detail: error.message, errors: error.errors } };
  }
}

const pointers = (reply: Reply): string[] => (reply.body['errors'] as FieldProblem[]).map((e) => e.pointer);

describe('calculation routes (schemas + handlers)', () => {
  it('registers one POST route per function inside the manifest prefix, each with a body schema', () => {
    expect(routes.map((r) => r.path).sort()).toEqual(
      [
        'npv',
        'xnpv',
        'irr',
        'xirr',
        'mirr',
        'pmt',
        'pv',
        'fv',
        'rate',
        'nper',
        'payback',
        'roi',
        'break-even',
        'tco',
        'model',
        'scenario',
        'sensitivity',
        'goal-seek',
        'risk-adjustment',
        'simulate',
      ]
        .map((p) => `/calculate/${p}`)
        .sort(),
    );
    for (const r of routes) {
      expect(r.path.startsWith(`${manifest.routes[0]}/`)).toBe(true);
      expect(() => ajv.compile(r.schema!.body as object)).not.toThrow();
    }
    expect(provided).toBeDefined();
  });

  it('provides the same functions in-process through the calculation service ref', () => {
    expect(provided!.irr({ cashFlows: [-100, 39, 59, 55, 20] }).result).toBeCloseTo(0.28095, 5);
  });

  describe('npv', () => {
    it('answers with the named convention', async () => {
      const reply = await post('npv', { rate: 0.1, cashFlows: [-10000, 3000, 4200, 6800], convention: 'excel' });
      expect(reply.status).toBe(200);
      expect(reply.body['result']).toBeCloseTo(1188.44, 2);
      expect(reply.body['convention']).toBe('excel');
    });
    it('refuses to guess a missing convention', async () => {
      const reply = await post('npv', { rate: 0.1, cashFlows: [-100, 110] });
      expect(reply.status).toBe(400);
      expect(pointers(reply)).toEqual(['/convention']);
    });
    it('rejects "NaN" strings and bad rates with the pointer of each bad field', async () => {
      const reply = await post('npv', { rate: -1, cashFlows: [-100, 50, 'NaN', 'Infinity'], convention: 't0' });
      expect(reply.status).toBe(400);
      expect(pointers(reply).sort()).toEqual(['/cashFlows/2', '/cashFlows/3', '/rate']);
    });
    it('in-process callers get the same pointers (the service checks finiteness itself)', () => {
      expect(() => provided!.npv({ rate: 0.1, cashFlows: [1, Number.NaN], convention: 't0' })).toThrow(
        expect.objectContaining({ code: 'VV_VALIDATION', errors: [expect.objectContaining({ pointer: '/cashFlows/1' })] }),
      );
    });
  });

  describe('xnpv and xirr', () => {
    const body = { cashFlows: [-10000, 2750, 4250, 3250, 2750], dates: ['2008-01-01', '2008-03-01', '2008-10-30', '2009-02-15', '2009-04-01'] };
    it("xnpv answers Excel's example", async () => {
      const reply = await post('xnpv', { rate: 0.09, ...body });
      expect(reply.status).toBe(200);
      expect(reply.body['result']).toBeCloseTo(2086.647602, 6);
      expect(reply.body['dayCount']).toBe('Actual/365');
    });
    it('xirr answers with every root', async () => {
      const reply = await post('xirr', body);
      expect(reply.status).toBe(200);
      expect(reply.body['result']).toBeCloseTo(0.373362535, 8);
      expect(reply.body['roots']).toEqual([reply.body['result']]);
    });
    it('rejects dates out of order, impossible dates and a count that differs from the cash flows', async () => {
      const reply = await post('xnpv', { rate: 0.09, cashFlows: [-1, 1, 1], dates: ['2020-01-01', '2020-02-30', '2019-12-31', '2020-03-01'] });
      expect(reply.status).toBe(400);
      expect(pointers(reply)).toEqual(['/dates', '/dates/1', '/dates/2']);
      const shape = await post('xirr', { cashFlows: [-1, 1], dates: ['2020-1-1', '2021-01-01'] });
      expect(pointers(shape)).toEqual(['/dates/0']);
    });
  });

  describe('irr', () => {
    it('reports every root and the rule that picked the result', async () => {
      const reply = await post('irr', { cashFlows: [-5, 10.5, 1, -8, 1] });
      expect(reply.status).toBe(200);
      expect(reply.body['roots']).toHaveLength(3);
      expect(reply.body['result']).toBeCloseTo(0.0886, 4);
      expect(reply.body['rule']).toMatch(/closest to guess/);
    });
    it('honours the guess when picking among roots', async () => {
      const reply = await post('irr', { cashFlows: [-5, 10.5, 1, -8, 1], guess: 0.6 });
      expect(reply.body['result']).toBeCloseTo(0.70956, 4);
    });
    it('answers VV_NO_SOLUTION (422), never NaN, when there is no IRR', async () => {
      const reply = await post('irr', { cashFlows: [100, 200, 300] });
      expect(reply.status).toBe(422);
      expect(reply.body['code']).toBe('VV_NO_SOLUTION');
      expect(String(reply.body['detail'])).toMatch(/positive and one negative/);
    });
    it('refuses cash flows with too many sign changes instead of spending minutes on them', async () => {
      const reply = await post('irr', { cashFlows: Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? -1 : 1)) });
      expect(reply.status).toBe(400);
      expect(pointers(reply)).toEqual(['/cashFlows']);
    });
  });

  it("mirr answers Excel's example and 422 without both signs", async () => {
    const ok = await post('mirr', { cashFlows: [-120000, 39000, 30000, 21000, 37000, 46000], financeRate: 0.1, reinvestRate: 0.12 });
    expect(ok.body['result']).toBeCloseTo(0.126094130365905, 12);
    expect((await post('mirr', { cashFlows: [1, 2], financeRate: 0.1, reinvestRate: 0.1 })).status).toBe(422);
  });

  describe('annuity functions', () => {
    it.each([
      ['pmt', { rate: 0.08 / 12, nper: 10, pv: 10000 }, -1037.03],
      ['pv', { rate: 0.08 / 12, nper: 240, pmt: 500 }, -59777.15],
      ['fv', { rate: 0.06 / 12, nper: 10, pmt: -200, pv: -500, when: 'begin' }, 2581.4],
      ['nper', { rate: 0.01, pmt: -100, pv: -1000, fv: 10000, when: 'begin' }, 59.67],
      ['rate', { nper: 48, pmt: -200, pv: 8000 }, 0.0077],
    ])("%s answers Excel's example", async (route, body, expected) => {
      const reply = await post(route, body);
      expect(reply.status).toBe(200);
      expect(reply.body['result']).toBeCloseTo(expected, 2);
      expect(reply.body['equation']).toMatch(/fv \+ pv/);
    });
    it('rejects a misspelt argument and an unknown timing', async () => {
      const reply = await post('pmt', { rate: 0.01, nper: 10, presentValue: 100, when: 'middle' });
      expect(reply.status).toBe(400);
      expect(pointers(reply).sort()).toEqual(['', '/pv', '/when']);
    });
    it('rate answers 422 when no rate balances the flows', async () => {
      const reply = await post('rate', { nper: 12, pmt: 400, pv: 10000, fv: 5000 });
      expect(reply.status).toBe(422);
    });
  });

  describe('payback', () => {
    it('gives fractional periods', async () => {
      const reply = await post('payback', { cashFlows: [-100, 30, 40, 50] });
      expect(reply.body).toMatchObject({ result: 2.6, paysBack: true, method: 'simple' });
    });
    it('gives result null and paysBack false when it never pays back', async () => {
      const reply = await post('payback', { cashFlows: [-100, 30, 30], method: 'discounted', rate: 0.1 });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ result: null, paysBack: false, method: 'discounted' });
    });
    it('needs a rate for the discounted method', async () => {
      expect(pointers(await post('payback', { cashFlows: [-100, 200], method: 'discounted' }))).toEqual(['/rate']);
    });
  });

  it('roi, break-even and tco answer with their formulas', async () => {
    const roi = await post('roi', { benefits: [0, 60000, 60000], costs: [50000, 10000, 10000] });
    expect(roi.body).toMatchObject({ result: 0.7142857142857143, totalBenefits: 120000, totalCosts: 70000 });
    const breakEven = await post('break-even', { fixedCosts: 10000, pricePerUnit: 25, variableCostPerUnit: 15 });
    expect(breakEven.body).toMatchObject({ result: 1000, revenue: 25000 });
    expect((await post('break-even', { fixedCosts: 1, pricePerUnit: 10, variableCostPerUnit: 10 })).status).toBe(422);
    const tco = await post('tco', { acquisition: 1000, operatingCosts: [100, 100], salvageValue: 200, rate: 0 });
    expect(tco.body).toMatchObject({ result: 1000, presentValue: 1000, equivalentCostPerPeriod: 500 });
  });

  it('tco never answers 200 with result null: an overflowing total is a problem (issue #10 finding 8)', async () => {
    // 1e308 + 1e308 overflows to Infinity, which JSON writes as null.
    for (const body of [
      { acquisition: 1e308, operatingCosts: [1e308] },
      { acquisition: 1e308, operatingCosts: [1e308], salvageValue: 1e308 },
      { acquisition: 1, operatingCosts: Array.from({ length: 600 }, () => 1), salvageValue: 1, rate: -0.9999 },
    ]) {
      const reply = await post('tco', body);
      expect([reply.status, reply.body['code']]).toEqual([422, 'VV_NO_SOLUTION']);
      expect(String(reply.body['detail'])).toMatch(/no finite/);
    }
  });

  describe('value models', () => {
    it('model evaluates cash flows and metrics', async () => {
      const reply = await post('model', { model: sampleModel });
      expect(reply.status).toBe(200);
      expect(reply.body['cashFlows']).toEqual([-60000, 15000, 40000, 40000]);
      expect(reply.body['metrics']).toMatchObject({ payback: { value: 2.125, paysBack: true } });
    });
    it('model rejects a cycle with its chain', async () => {
      const model = { ...sampleModel, formulas: [{ name: 'savings', expression: 'savings + 1' }] };
      const reply = await post('model', { model });
      expect(reply.status).toBe(400);
      expect(reply.body['errors']).toEqual([expect.objectContaining({ pointer: '/model/formulas/0/expression', message: 'formula cycle: savings → savings (used by benefit)' })]);
    });
    it('model rejects schema violations with pointers', async () => {
      const reply = await post('model', { model: { ...sampleModel, horizon: 'ten', drivers: [{ name: 'users', value: '100' }] } });
      expect(reply.status).toBe(400);
      expect(pointers(reply)).toEqual(expect.arrayContaining(['/model/horizon', '/model/drivers/0/value']));
    });
    it('scenario compares overrides with the base case and rejects unknown drivers', async () => {
      const reply = await post('scenario', { model: sampleModel, scenarios: [{ name: 'big', overrides: { users: 200 } }] });
      expect(reply.status).toBe(200);
      expect((reply.body['scenarios'] as Array<{ delta: { npv: number } }>)[0]!.delta.npv).toBeGreaterThan(0);
      const bad = await post('scenario', { model: sampleModel, scenarios: [{ name: 'typo', overrides: { user: 200 } }] });
      expect(bad.status).toBe(400);
      expect(pointers(bad)).toEqual(['/scenarios/0/overrides/user']);
    });
    it('sensitivity sorts the tornado by swing', async () => {
      const reply = await post('sensitivity', { model: sampleModel, metric: 'npv' });
      const bars = reply.body['bars'] as Array<{ driver: string; swing: number }>;
      expect(bars.map((b) => b.driver)).toEqual(['hoursSaved', 'users', 'hourlyRate', 'license']);
    });
    it('goal-seek finds the driver value for a target NPV, and 400 for an unknown driver', async () => {
      const reply = await post('goal-seek', { model: sampleModel, driver: 'hourlyRate', metric: 'npv', target: 10000 });
      expect(reply.status).toBe(200);
      expect((reply.body['achieved'] as { npv: number }).npv).toBeCloseTo(10000, 6);
      expect(pointers(await post('goal-seek', { model: sampleModel, driver: 'nope', target: 0 }))).toEqual(['/driver']);
    });
    it('risk-adjustment weights the three cases, and validates the weights', async () => {
      const reply = await post('risk-adjustment', { model: sampleModel, weights: { conservative: 0.25, probable: 0.5, optimistic: 0.25 } });
      expect(reply.status).toBe(200);
      expect(reply.body['weights']).toEqual({ conservative: 0.25, probable: 0.5, optimistic: 0.25 });
      const bad = await post('risk-adjustment', { model: sampleModel, weights: { conservative: 0.5, probable: 0.5, optimistic: 0.5 } });
      expect(pointers(bad)).toEqual(['/weights']);
    });
  });

  describe('simulate', () => {
    it('is reproducible for a seed and returns the statistics', async () => {
      const body = { model: sampleModel, trials: 5000, seed: 42, target: 20000, bins: 5 };
      published.length = 0;
      const first = await post('simulate', body);
      const second = await post('simulate', body);
      // Each run reported its trials for the tenant (platform metering).
      expect(published).toEqual([
        { name: 'calculation.trials', tenantId: 't1', payload: { trials: 5000 } },
        { name: 'calculation.trials', tenantId: 't1', payload: { trials: 5000 } },
      ]);
      expect(first.status).toBe(200);
      expect(first.body['mean']).toBe(second.body['mean']);
      expect(first.body['percentiles']).toEqual(second.body['percentiles']);
      expect(first.body).toMatchObject({ trials: 5000, seed: 42, metric: 'npv', stochasticDrivers: ['users', 'hoursSaved'] });
      expect((first.body['histogram'] as unknown[]).length).toBe(5);
      expect(typeof first.body['probabilityAboveTarget']).toBe('number');
    });
    it('picks and returns a seed when none is given', async () => {
      const reply = await post('simulate', { model: sampleModel, trials: 10 });
      expect(Number.isInteger(reply.body['seed'])).toBe(true);
    });
    it('rejects more than 1,000,000 trials up front (trial budget)', async () => {
      const reply = await post('simulate', { model: sampleModel, trials: 1_000_001 });
      expect(reply.status).toBe(400);
      expect(pointers(reply)).toEqual(['/trials']);
      expect(pointers(await post('simulate', { model: sampleModel, trials: 0 }))).toEqual(['/trials']);
      await expect(provided!.simulate({ model: sampleModel, trials: 2_000_000 })).rejects.toMatchObject({ code: 'VV_VALIDATION' });
    });
    it('answers VV_VALIDATION "over budget" when the time budget runs out, not a frozen instance', async () => {
      const reply = await post('simulate', { model: sampleModel, trials: 1_000_000, timeBudgetMs: 20 });
      expect(reply.status).toBe(400);
      expect(reply.body['code']).toBe('VV_VALIDATION');
      expect(String(reply.body['detail'])).toMatch(/over budget/);
    });
    it('rejects a time budget above the service maximum', async () => {
      expect(pointers(await post('simulate', { model: sampleModel, trials: 10, timeBudgetMs: 3_600_000 }))).toEqual(['/timeBudgetMs']);
    });
    it('stops when the request is aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const reply = await post('simulate', { model: sampleModel, trials: 100_000 }, controller.signal);
      expect(reply.status).toBe(400);
    });
  });
});

describe('value math of issue #11 through the routes', () => {
  const correlated = { ...sampleModel, correlations: [{ a: 'users', b: 'hoursSaved', rho: 0.7 }], periodsPerYear: 1 };

  // The rest of each route's minimal body; a route that takes a model and is missing here fails the test below.
  const extras: Record<string, Record<string, unknown>> = {
    model: {},
    scenario: { scenarios: [{ name: 's', overrides: { users: 90 } }] },
    sensitivity: {},
    'goal-seek': { driver: 'hourlyRate', target: 10000 },
    'risk-adjustment': { trials: 1000 },
    simulate: { trials: 1000, seed: 1 },
  };

  it('every /calculate/* route that takes a model accepts correlations and periodsPerYear', async () => {
    // Listed from the routes the plugin registers, not by hand: any route whose body has a `model` is checked.
    const takingModel = routes
      .filter((r) => r.path.startsWith('/calculate/') && (r.schema?.body as { properties?: Record<string, unknown> } | undefined)?.properties?.['model'])
      .map((r) => r.path.slice('/calculate/'.length));
    expect(takingModel.sort()).toEqual(Object.keys(extras).sort());
    for (const route of takingModel) {
      expect([route, (await post(route, { model: correlated, ...extras[route] })).status]).toEqual([route, 200]);
      const monthly = await post(route, { model: { ...correlated, periodsPerYear: 12 }, ...extras[route] });
      expect([route, monthly.status]).toEqual([route, 200]);
      // Out of range: refused by every one of them, at the same pointer.
      expect([route, pointers(await post(route, { model: { ...correlated, periodsPerYear: 0 }, ...extras[route] }))]).toEqual([route, ['/model/periodsPerYear']]);
    }
  });

  it('answers that report IRR or payback give them a year beside the per-period figures (monthly model)', async () => {
    // sampleModel's flows read monthly: IRR and payback per month; a year is (1 + r)^12 − 1 and payback / 12.
    const monthly = { ...sampleModel, periodsPerYear: 12 };
    const model = (await post('model', { model: monthly })).body['metrics'] as { irr: { value: number; annual: number }; payback: { value: number; years: number } };
    expect(model.irr.annual).toBeCloseTo(Math.pow(1 + model.irr.value, 12) - 1, 12);
    expect(model.payback.years).toBeCloseTo(model.payback.value / 12, 12);
    const scenario = (await post('scenario', { model: monthly, ...extras['scenario'] })).body as {
      base: { irr: number; irrAnnual: number; payback: number; paybackYears: number; periodsPerYear: number };
      scenarios: Array<{ result: { irr: number; irrAnnual: number; paybackYears: number; payback: number } }>;
    };
    expect(scenario.base).toMatchObject({ irr: model.irr.value, irrAnnual: model.irr.annual, payback: model.payback.value, paybackYears: model.payback.years, periodsPerYear: 12 });
    const s = scenario.scenarios[0]!.result;
    expect(s.irrAnnual).toBeCloseTo(Math.pow(1 + s.irr, 12) - 1, 12);
    expect(s.paybackYears).toBeCloseTo(s.payback / 12, 12);
    // Risk cases are NPV percentiles; the driver-extreme cases beside them carry IRR and payback.
    const risk = (await post('risk-adjustment', { model: monthly, trials: 1000 })).body as {
      driverExtremes: Record<string, { result: { irr: number | null; irrAnnual: number | null; payback: number | null; paybackYears: number | null; periodsPerYear: number } }>;
    };
    for (const name of ['conservative', 'probable', 'optimistic']) {
      const r = risk.driverExtremes[name]!.result;
      expect(r.periodsPerYear).toBe(12);
      expect(r.irrAnnual).toBe(r.irr === null ? null : Math.expm1(12 * Math.log1p(r.irr)));
      expect(r.paybackYears).toBe(r.payback === null ? null : r.payback / 12);
    }
  });

  it('simulate and risk-adjustment state the dependence; a bad matrix is 422 VV_CORRELATION_INVALID on every route', async () => {
    expect((await post('simulate', { model: sampleModel, trials: 500, seed: 1 })).body['dependence']).toMatchObject({ method: 'independent' });
    expect((await post('simulate', { model: correlated, trials: 500, seed: 1 })).body['dependence']).toMatchObject({
      method: 'iman-conover',
      correlations: [{ a: 'users', b: 'hoursSaved', rho: 0.7 }],
    });
    const risk = await post('risk-adjustment', { model: correlated, trials: 1000 });
    expect((risk.body['simulation'] as { dependence: { method: string } }).dependence.method).toBe('iman-conover');
    const bad = { ...sampleModel, correlations: [{ a: 'users', b: 'license', rho: 0.5 }] };
    for (const route of ['model', 'simulate']) {
      const reply = await post(route, { model: bad, trials: 100 });
      expect(reply.status).toBe(422);
      expect(reply.body['code']).toBe('VV_CORRELATION_INVALID');
      expect(String(reply.body['detail'])).toMatch(/"license" has no distribution/);
    }
  });

  it('model evaluation adds the expected NPV and P(NPV > 0) beside the point NPV when drivers are uncertain', async () => {
    const reply = await post('model', { model: sampleModel });
    const headline = reply.body['headline'] as { pointNpv: number; expectedNpv: number; probabilityPositive: number; seed: number; trials: number };
    const metrics = reply.body['metrics'] as { npv: { value: number } };
    expect(headline.pointNpv).toBe(metrics.npv.value);
    expect(headline).toMatchObject({ trials: 10_000, seed: 1 });
    expect(headline.probabilityPositive).toBeGreaterThan(0);
    // Fixed default seed: the same model gives the same headline.
    expect((await post('model', { model: sampleModel })).body['headline']).toEqual(reply.body['headline']);
    const certain = { ...sampleModel, drivers: sampleModel.drivers.map(({ distribution: _d, ...d }) => d) };
    expect((await post('model', { model: certain })).body['headline']).toBeUndefined();
  });
});
