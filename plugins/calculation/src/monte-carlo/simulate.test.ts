import { isVvError } from '@valueverse/plugin-sdk';
import { loadValueModel } from '../model/load-value-model';
import type { ValueModel } from '../model/value-model';
import { distributionMean, distributionQuantile, distributionStandardDeviation, type Distribution } from './distributions';
import { simulate, type SimulationOptions } from './simulate';

/** A model whose NPV is exactly its one driver: one period, no discounting, no costs. */
function identityModel(distribution: Distribution): ValueModel {
  return { horizon: 1, discountRate: 0, drivers: [{ name: 'x', value: distributionMean(distribution), distribution }], benefit: 'x' };
}

const options = (overrides: Partial<SimulationOptions> = {}): SimulationOptions => ({
  trials: 100_000,
  seed: 20240601,
  metric: 'npv',
  target: 0,
  bins: 20,
  timeBudgetMs: 30_000,
  ...overrides,
});

describe('Monte Carlo', () => {
  it.each<Distribution>([
    { type: 'triangular', min: 100, mode: 250, max: 700 },
    { type: 'pert', min: 100, mode: 250, max: 700 },
  ])('mean and sd of a %j input match the closed forms within 1%% at 100,000 trials', async (d) => {
    const result = await simulate(loadValueModel(identityModel(d)), options());
    expect(Math.abs(result.mean / distributionMean(d) - 1)).toBeLessThan(0.01);
    expect(Math.abs(result.standardDeviation / distributionStandardDeviation(d) - 1)).toBeLessThan(0.01);
    expect(Math.abs(result.percentiles.p10 - distributionQuantile(d, 0.1)) / distributionStandardDeviation(d)).toBeLessThan(0.02);
    expect(Math.abs(result.percentiles.p90 - distributionQuantile(d, 0.9)) / distributionStandardDeviation(d)).toBeLessThan(0.02);
  });

  it('the same seed gives identical results across two runs; another seed does not', async () => {
    const model: ValueModel = {
      horizon: 5,
      discountRate: 0.08,
      drivers: [
        { name: 'a', value: 10, distribution: { type: 'pert', min: 5, mode: 10, max: 20 } },
        { name: 'b', value: 3, distribution: { type: 'lognormal', mean: 3, sd: 1 } },
        { name: 'c', value: 1, distribution: { type: 'normal', mean: 1, sd: 0.2 } },
        { name: 'd', value: 0.5, distribution: { type: 'uniform', min: 0, max: 1 } },
      ],
      formulas: [{ name: 'benefit', expression: 'a * b * c * (1 + d / 10) ^ period' }],
      benefit: 'benefit',
      costs: { upfront: 80 },
    };
    const strip = ({ elapsedMs: _elapsed, ...rest }: Awaited<ReturnType<typeof simulate>>): object => rest;
    const first = await simulate(loadValueModel(model), options({ trials: 20_000, seed: 7 }));
    const second = await simulate(loadValueModel(model), options({ trials: 20_000, seed: 7 }));
    expect(strip(second)).toEqual(strip(first));
    const other = await simulate(loadValueModel(model), options({ trials: 20_000, seed: 8 }));
    expect(other.mean).not.toBe(first.mean);
    // Slices of any size draw the same numbers: each driver has its own stream.
    const smallSlices = await simulate(loadValueModel(model), options({ trials: 20_000, seed: 7, chunkSize: 333 }));
    expect(strip(smallSlices)).toEqual(strip(first));
  });

  it('reports the probability of beating the target and a histogram of every trial', async () => {
    const result = await simulate(loadValueModel(identityModel({ type: 'uniform', min: 0, max: 1 })), options({ target: 0.25, bins: 10 }));
    expect(Math.abs(result.probabilityAboveTarget - 0.75)).toBeLessThan(0.01);
    expect(result.histogram).toHaveLength(10);
    expect(result.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(100_000);
    expect(result.histogram[0]!.from).toBe(result.min);
    expect(result.histogram[9]!.to).toBe(result.max);
    expect(result.percentiles.p50).toBeCloseTo(0.5, 2);
  });

  it('stops with VV_VALIDATION when the time budget is exceeded', async () => {
    let caught: unknown;
    try {
      await simulate(loadValueModel(identityModel({ type: 'pert', min: 0, mode: 1, max: 2 })), options({ trials: 1_000_000, timeBudgetMs: 5 }));
    } catch (error) {
      caught = error;
    }
    expect(isVvError(caught) && caught.code).toBe('VV_VALIDATION');
    expect((caught as Error).message).toMatch(/over budget/);
  });

  it('yields to the event loop between slices instead of freezing the instance', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await simulate(loadValueModel(identityModel({ type: 'pert', min: 0, mode: 1, max: 2 })), options({ trials: 200_000, chunkSize: 2048 }));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it('names the drivers of a trial whose metric is not finite', async () => {
    const model: ValueModel = {
      horizon: 1,
      discountRate: 0,
      drivers: [{ name: 'x', value: 1, distribution: { type: 'uniform', min: -1, max: 1 } }],
      formulas: [{ name: 'f', expression: 'if(x > 0, 1 / 0, 1)' }],
      benefit: 'f',
    };
    await expect(simulate(loadValueModel(model), options({ trials: 1000 }))).rejects.toThrow(/Trial \d+ gives a non-finite NPV .*"x"/);
  });
});
