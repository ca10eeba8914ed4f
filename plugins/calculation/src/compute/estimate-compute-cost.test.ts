import { sampleModel } from '../model/__fixtures__/sample-model';
import { DEFAULT_COMPUTE_BUDGET_MS } from './compute-budget';
import { heavyModel } from './__fixtures__/heavy-model';
import { COST_UNITS_PER_MS, estimateComputeCost, expressionTextLength, GOAL_SEEK_EVALUATIONS } from './estimate-compute-cost';

const small = {
  horizon: 10,
  discountRate: 0.1,
  drivers: [
    { name: 'a', value: 2, distribution: { type: 'uniform', min: 1, max: 3 } },
    { name: 'b', value: 3 },
  ],
  formulas: [
    { name: 'fixed', expression: 'a * b' }, // 3 nodes, once per evaluation
    { name: 'growing', expression: 'fixed * period' }, // 3 nodes, every period
  ],
  benefit: 'growing', // 1 node per period
  costs: { upfront: 100, recurring: 5 }, // 1 node once, 1 node per period
};
// One evaluation: 3 + 10 × 3 (growing) + 10 × 1 (benefit) + 10 × 1 (recurring) + 1 (upfront) + 10 × 5 (per-period work).
const RUN = 3 + 30 + 10 + 10 + 1 + 50;

describe('estimateComputeCost', () => {
  it('counts node visits: formulas reading period once per period, the others once', () => {
    const one = estimateComputeCost('goalSeek', { model: small })!;
    const compile = one.units - GOAL_SEEK_EVALUATIONS * RUN;
    // Compiling visits every subtree once more per level of depth: small, but counted.
    expect(compile).toBeGreaterThan(0);
    expect(compile).toBeLessThan(50);
    expect(one.evaluations).toBe(GOAL_SEEK_EVALUATIONS);
  });

  it('multiplies by the evaluations each operation needs', () => {
    const compile = estimateComputeCost('goalSeek', { model: small })!.units - GOAL_SEEK_EVALUATIONS * RUN;
    const sensitivity = estimateComputeCost('sensitivity', { model: small })!;
    expect(sensitivity.evaluations).toBe(2 * 2 + 1);
    expect(sensitivity.units).toBe(5 * RUN + compile);
    expect(estimateComputeCost('sensitivity', { model: small, drivers: ['a'] })!.evaluations).toBe(3);
    expect(estimateComputeCost('scenario', { model: small, scenarios: [{}, {}, {}] })!.evaluations).toBe(4);
    // Risk cases are read off a simulation (10,000 trials unless asked) beside each driver at its extremes.
    expect(estimateComputeCost('riskAdjustment', { model: small })!.evaluations).toBe(10_000 + 2 * 2 + 3);
    expect(estimateComputeCost('riskAdjustment', { model: small, trials: 500 })!.evaluations).toBe(500 + 2 * 2 + 3);
    // The headline simulates the model (10,000 trials unless asked) after its point evaluation.
    expect(estimateComputeCost('headline', { model: small })!.evaluations).toBe(10_000 + 1);
    expect(estimateComputeCost('headline', { model: small, trials: 2000 })!.evaluations).toBe(2000 + 1);
    const simulation = estimateComputeCost('simulate', { model: small, trials: 1000 })!;
    expect(simulation.evaluations).toBe(1000);
    // A trial also draws the stochastic driver.
    expect(simulation.units).toBeGreaterThan(1000 * RUN + compile);
    // A full evaluation (period table, IRR) costs more than a bare one.
    expect(estimateComputeCost('evaluateModel', { model: small })!.units).toBeGreaterThan(RUN + compile);
  });

  it('grows linearly with trials and with the horizon', () => {
    const trials = (n: number) => estimateComputeCost('simulate', { model: sampleModel, trials: n })!.units;
    expect(trials(2_000) - trials(1_000)).toBeCloseTo(trials(3_000) - trials(2_000), 6);
    const horizon = (h: number) => estimateComputeCost('sensitivity', { model: { ...small, horizon: h } })!.units;
    expect(horizon(200) - horizon(100)).toBeCloseTo(horizon(300) - horizon(200), 6);
  });

  it('puts the issue #10 sensitivity request far over the default budget, and its single evaluation under it', () => {
    const sensitivity = estimateComputeCost('sensitivity', { model: heavyModel() })!;
    expect(sensitivity.evaluations).toBe(49);
    expect(sensitivity.estimatedMs).toBeGreaterThan(DEFAULT_COMPUTE_BUDGET_MS);
    expect(sensitivity.estimatedMs).toBe(sensitivity.units / COST_UNITS_PER_MS);
    expect(sensitivity.basis).toMatch(/^49 evaluations \(2 × 24 drivers \+ 1\)/);
    const single = estimateComputeCost('evaluateModel', { model: heavyModel() })!;
    expect(single.estimatedMs).toBeLessThan(DEFAULT_COMPUTE_BUDGET_MS);
    expect(single.estimatedMs).toBeGreaterThan(100);
  });

  it('keeps ordinary requests tiny', () => {
    expect(estimateComputeCost('evaluateModel', { model: sampleModel })!.estimatedMs).toBeLessThan(1);
    expect(estimateComputeCost('simulate', { model: sampleModel, trials: 1_000_000 })!.estimatedMs).toBeLessThan(DEFAULT_COMPUTE_BUDGET_MS);
  });

  it('has no estimate for a model that does not parse (its validation error costs nothing)', () => {
    expect(estimateComputeCost('evaluateModel', { model: { horizon: 'x' } })).toBeUndefined();
    expect(estimateComputeCost('evaluateModel', { model: { ...small, benefit: 'nope +' } })).toBeUndefined();
    expect(estimateComputeCost('evaluateModel', { model: { ...small, benefit: 'unknownName' } })).toBeUndefined();
    expect(estimateComputeCost('evaluateModel', null)).toBeUndefined();
  });

  it('measures the expression text of a request without parsing it', () => {
    expect(expressionTextLength({ model: small })).toBe('a * b'.length + 'fixed * period'.length + 'growing'.length);
    expect(expressionTextLength({ model: { ...small, costs: { upfront: 'a + b', recurring: 'b' } } })).toBe(5 + 14 + 7 + 5 + 1);
    expect(expressionTextLength({ model: heavyModel() })).toBe(6 + 10 * 3999 + 'f0+f1+f2+f3+f4+f5+f6+f7+f8+f9+d0'.length + 'd1'.length);
    expect(expressionTextLength({ model: { formulas: [null, { expression: 7 }] } })).toBe(0);
    expect(expressionTextLength(null)).toBe(0);
    expect(expressionTextLength({ model: 'x' })).toBe(0);
  });
});
