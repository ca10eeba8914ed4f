/**
 * The calculation routes through a real kernel, with the SDK's test harness: authentication, tenant dispatch, the
 * kernel's ajv validation, problem+json errors.
 */
import path from 'node:path';
import { createTestKernel, type TestKernel, type TestResponse } from '@valueverse/plugin-testing';
import { sampleModel } from '../model/__fixtures__/sample-model';

describe('POST /api/v1/calculate/* through the test kernel', () => {
  let k: TestKernel;
  const post = (fn: string, body: unknown): Promise<TestResponse> => k.request('POST', `/api/v1/calculate/${fn}`, { body });
  const pointers = (res: TestResponse): string[] => (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer).sort();

  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ dir: path.resolve(__dirname, '../..') }] });
  }, 60_000);

  afterAll(async () => {
    await k?.close();
  });

  it.each([
    ['npv', { rate: 0.1, cashFlows: [-10000, 3000, 4200, 6800], convention: 'excel' }, 1188.44],
    ['xnpv', { rate: 0.09, cashFlows: [-10000, 2750, 4250, 3250, 2750], dates: ['2008-01-01', '2008-03-01', '2008-10-30', '2009-02-15', '2009-04-01'] }, 2086.65],
    ['irr', { cashFlows: [-70000, 12000, 15000, 18000, 21000, 26000] }, 0.0866],
    ['xirr', { cashFlows: [-10000, 2750, 4250, 3250, 2750], dates: ['2008-01-01', '2008-03-01', '2008-10-30', '2009-02-15', '2009-04-01'] }, 0.3734],
    ['mirr', { cashFlows: [-120000, 39000, 30000, 21000, 37000, 46000], financeRate: 0.1, reinvestRate: 0.12 }, 0.1261],
    ['pmt', { rate: 0.08 / 12, nper: 10, pv: 10000 }, -1037.03],
    ['pv', { rate: 0.08 / 12, nper: 240, pmt: 500, fv: 0, when: 'end' }, -59777.15],
    ['fv', { rate: 0.06 / 12, nper: 10, pmt: -200, pv: -500, when: 'begin' }, 2581.4],
    ['rate', { nper: 48, pmt: -200, pv: 8000 }, 0.0077],
    ['nper', { rate: 0.01, pmt: -100, pv: -1000, fv: 10000, when: 'begin' }, 59.6739],
    ['payback', { cashFlows: [-100, 30, 40, 50] }, 2.6],
    ['roi', { benefits: [0, 60000, 60000], costs: [50000, 10000, 10000] }, 0.7143],
    ['break-even', { fixedCosts: 10000, pricePerUnit: 25, variableCostPerUnit: 15 }, 1000],
    ['tco', { acquisition: 1000, operatingCosts: [100, 100], salvageValue: 200 }, 1000],
  ])('%s answers 200 {"result": …} with the reference value', async (fn, body, expected) => {
    const res = await post(fn, body);
    expect(res.status).toBe(200);
    expect(res.body.result).toBeCloseTo(expected, 2);
  });

  it('irr lists every root; no IRR is 422 VV_NO_SOLUTION as problem+json', async () => {
    expect((await post('irr', { cashFlows: [-5, 10.5, 1, -8, 1] })).body.roots).toHaveLength(3);
    const res = await post('irr', { cashFlows: [1, 2, 3] });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('VV_NO_SOLUTION');
  });

  it('payback that never happens is result null, paysBack false', async () => {
    const res = await post('payback', { cashFlows: [-100, 30, 30] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ result: null, paysBack: false });
  });

  it('bad inputs are 400 VV_VALIDATION with the pointer of each bad field', async () => {
    const nan = await post('npv', { rate: 0.1, cashFlows: [-100, 'NaN', 50], convention: 't0' });
    expect(nan.status).toBe(400);
    expect(nan.body.code).toBe('VV_VALIDATION');
    expect(pointers(nan)).toEqual(['/cashFlows/1']);
    expect(pointers(await post('npv', { rate: 0.1, cashFlows: [-100, 50] }))).toEqual(['/convention']);
    expect(pointers(await post('pmt', { rate: 0.1, nper: 10, presentValue: 100 }))).toEqual(['/presentValue', '/pv']);
    expect(pointers(await post('xirr', { cashFlows: [-1, 1, 1], dates: ['2020-01-01', '2019-01-01', '2021-01-01'] }))).toEqual(['/dates/1']);
  });

  it('model, scenario, sensitivity, goal-seek and risk-adjustment answer for a value model', async () => {
    const model = await post('model', { model: sampleModel });
    expect(model.status).toBe(200);
    expect(model.body.cashFlows).toEqual([-60000, 15000, 40000, 40000]);
    expect((await post('scenario', { model: sampleModel, scenarios: [{ name: 'more', overrides: { users: 150 } }] })).status).toBe(200);
    expect((await post('sensitivity', { model: sampleModel })).body.bars[0].driver).toBe('hoursSaved');
    const seek = await post('goal-seek', { model: sampleModel, driver: 'users', target: 0 });
    expect(seek.body.achieved.npv).toBeCloseTo(0, 4);
    expect((await post('risk-adjustment', { model: sampleModel })).body.weights).toEqual({ conservative: 0.3, probable: 0.4, optimistic: 0.3 });
    const cycle = await post('model', { model: { ...sampleModel, formulas: [{ name: 'savings', expression: 'savings * 2' }] } });
    expect(cycle.status).toBe(400);
    expect(cycle.body.errors[0].message).toContain('savings → savings');
  });

  it('simulate is reproducible and bounded by its trial and time budgets', async () => {
    const body = { model: sampleModel, trials: 10_000, seed: 99 };
    const [a, b] = [await post('simulate', body), await post('simulate', body)];
    expect(a.status).toBe(200);
    expect(a.body.mean).toBe(b.body.mean);
    expect(a.body.percentiles).toEqual(b.body.percentiles);
    const tooMany = await post('simulate', { model: sampleModel, trials: 1_000_001 });
    expect(tooMany.status).toBe(400);
    expect(pointers(tooMany)).toEqual(['/trials']);
    const slow = await post('simulate', { model: sampleModel, trials: 1_000_000, timeBudgetMs: 20 });
    expect(slow.status).toBe(400);
    expect(slow.body.detail).toMatch(/over budget/);
    // The instance still answers afterwards.
    expect((await post('npv', { rate: 0, cashFlows: [1], convention: 't0' })).status).toBe(200);
  });
});
