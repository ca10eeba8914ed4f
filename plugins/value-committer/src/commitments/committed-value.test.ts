import { createCalculationService, type ValueModel } from '@valueverse/plugin-calculation';
import { committedValueOf } from './committed-value';

const calc = createCalculationService();

/** Uncertain adoption with more room below the plan than above it: the base case sits at the modes. */
const model: ValueModel = {
  horizon: 3,
  discountRate: 0.1,
  drivers: [
    { name: 'users', value: 100, distribution: { type: 'pert', min: 40, mode: 100, max: 120 } },
    { name: 'hours', value: 10, distribution: { type: 'triangular', min: 5, mode: 10, max: 13 } },
    { name: 'rate', value: 50 },
  ],
  formulas: [{ name: 'savings', expression: 'users * hours * rate' }],
  benefit: 'savings',
  costs: { upfront: 60000, recurring: 10000 },
};

describe('committedValueOf', () => {
  it('P80 is the 20th percentile of the simulated NPV, from one run plus one to count the trials above it', async () => {
    const trials = 4000;
    const seed = 7;
    let runs = 0;
    const counting = { ...calc, simulate: (...args: Parameters<typeof calc.simulate>) => (runs++, calc.simulate(...args)) };
    const result = await committedValueOf(counting, { model, confidence: 0.8, trials, seed });
    expect(result.baseValue).toBeCloseTo((await calc.evaluateModel({ model })).metrics.npv.value, 6);
    // PERCENTILE.INC at h = (n − 1)·0.2 = 799.8: between the 800th and 801st smallest trials, so 3200 lie above.
    const sorted = await calc.simulate({ model, trials, seed, target: result.committedValue, quantiles: [0.2] });
    expect(result.committedValue).toBe(sorted.quantiles[0]!.value);
    expect(Math.round(sorted.probabilityAboveTarget * trials)).toBe(3200);
    expect(result.simulation.shareAbove).toBe(0.8);
    expect(result.committedValue).toBeGreaterThan(sorted.percentiles.p10);
    expect(result.committedValue).toBeLessThan(sorted.percentiles.p50);
    expect(result.committedValue).toBeLessThan(result.baseValue);
    expect(result.simulation).toMatchObject({ metric: 'npv', trials, seed, quantile: 0.2, stochasticDrivers: ['users', 'hours'] });
    expect(runs).toBe(2);
  });

  it('is deterministic for a seed at any level', async () => {
    const a = await committedValueOf(calc, { model, confidence: 0.75, trials: 3000, seed: 5 });
    const b = await committedValueOf(calc, { model, confidence: 0.75, trials: 3000, seed: 5 });
    expect(b.committedValue).toBe(a.committedValue);
    expect(a.simulation.shareAbove).toBeCloseTo(0.75, 3);
  });

  it('P90 is exactly the p10 the calculation plugin reports', async () => {
    const result = await committedValueOf(calc, { model, confidence: 0.9, trials: 2000, seed: 3 });
    const sim = await calc.simulate({ model, trials: 2000, seed: 3 });
    expect(result.committedValue).toBe(sim.percentiles.p10);
  });

  it('higher confidence commits less; a model without uncertainty commits its base value', async () => {
    const p70 = await committedValueOf(calc, { model, confidence: 0.7, trials: 2000, seed: 1 });
    const p95 = await committedValueOf(calc, { model, confidence: 0.95, trials: 2000, seed: 1 });
    expect(p95.committedValue).toBeLessThan(p70.committedValue);
    const certain = { ...model, drivers: model.drivers.map((d) => ({ name: d.name, value: d.value })) };
    const flat = await committedValueOf(calc, { model: certain, confidence: 0.8, trials: 500, seed: 1 });
    expect(flat.committedValue).toBeCloseTo(flat.baseValue, 6);
  });
});
