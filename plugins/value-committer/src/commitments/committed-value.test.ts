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
    const result = await committedValueOf(calc, { model, confidence: 0.9, trials: 2000, seed: 3, allowNonPositive: true });
    const sim = await calc.simulate({ model, trials: 2000, seed: 3 });
    expect(result.committedValue).toBe(sim.percentiles.p10);
  });

  it('higher confidence commits less; a model without uncertainty commits its base value', async () => {
    const p70 = await committedValueOf(calc, { model, confidence: 0.7, trials: 2000, seed: 1 });
    const p95 = await committedValueOf(calc, { model, confidence: 0.95, trials: 2000, seed: 1, allowNonPositive: true });
    expect(p95.committedValue).toBeLessThan(p70.committedValue);
    const certain = { ...model, drivers: model.drivers.map((d) => ({ name: d.name, value: d.value })) };
    const flat = await committedValueOf(calc, { model: certain, confidence: 0.8, trials: 500, seed: 1 });
    expect(flat.committedValue).toBeCloseTo(flat.baseValue, 6);
  });

  describe('issue #11 item 10: positive commitments and the error of the committed figure', () => {
    // NPV = x + y, x, y ~ N(100, 10) independent (one period, no discounting, no costs): N(200, 14.1421).
    const normal: ValueModel = {
      horizon: 1,
      discountRate: 0,
      drivers: [
        { name: 'x', value: 100, distribution: { type: 'normal', mean: 100, sd: 10 } },
        { name: 'y', value: 100, distribution: { type: 'normal', mean: 100, sd: 10 } },
      ],
      benefit: 'x + y',
    };

    it('reports the standard error of the committed value, matching the closed form and the spread over seeds', async () => {
      // Worked by hand: SE(x̂_0.2) = √(0.2·0.8/n) · σ / φ(z_0.2) = √(0.16/2000) · 14.1421 / 0.279962 = 0.45181 at n = 2000.
      const runs = await Promise.all(Array.from({ length: 60 }, (_, seed) => committedValueOf(calc, { model: normal, confidence: 0.8, trials: 2000, seed })));
      const reported = runs.reduce((sum, r) => sum + r.simulation.standardError!, 0) / runs.length;
      expect(reported / 0.45181).toBeGreaterThan(0.85);
      expect(reported / 0.45181).toBeLessThan(1.15);
      // Independent of the estimator: the committed values of 60 seeds scatter with that standard deviation.
      const values = runs.map((r) => r.committedValue);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const spread = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
      expect(spread / reported).toBeGreaterThan(0.7);
      expect(spread / reported).toBeLessThan(1.35);
      expect(runs[0]!.simulation.dependence).toMatchObject({ method: 'independent' });
    });

    it('refuses a non-positive committed value with 422 VV_NO_SOLUTION unless explicitly allowed', async () => {
      const losing: ValueModel = { ...normal, costs: { upfront: 205 } }; // NPV ~ N(−5, 14.1): P20 ≈ −16.9
      await expect(committedValueOf(calc, { model: losing, confidence: 0.8, trials: 2000, seed: 1 })).rejects.toMatchObject({
        code: 'VV_NO_SOLUTION',
        status: 422,
        message: expect.stringMatching(/allowNonPositive: true/),
      });
      const allowed = await committedValueOf(calc, { model: losing, confidence: 0.8, trials: 2000, seed: 1, allowNonPositive: true });
      expect(allowed.committedValue).toBeLessThan(0);
      expect(allowed.simulation.allowNonPositive).toBe(true);
    });

    it('commits with the model correlations and says so: ρ = 0.8 lowers the P80 commitment', async () => {
      // σ rises from 14.14 to 10·√(2·(1 + 2·sin(π·0.8/6))) = 19.045, so P20 = 200 − 0.8416·σ falls from 188.1 to 184.0.
      const independent = await committedValueOf(calc, { model: normal, confidence: 0.8, trials: 20_000, seed: 4 });
      const correlated = await committedValueOf(calc, { model: { ...normal, correlations: [{ a: 'x', b: 'y', rho: 0.8 }] }, confidence: 0.8, trials: 20_000, seed: 4 });
      expect(correlated.simulation.dependence).toMatchObject({ method: 'iman-conover', correlations: [{ a: 'x', b: 'y', rho: 0.8 }] });
      expect(Math.abs(independent.committedValue - 188.098)).toBeLessThan(4 * independent.simulation.standardError!);
      expect(Math.abs(correlated.committedValue - 183.971)).toBeLessThan(4 * correlated.simulation.standardError!);
    });
  });
});
