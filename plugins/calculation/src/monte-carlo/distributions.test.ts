import { regularizedBeta } from './beta-quantile';
import { createSampler, distributionMean, distributionQuantile, distributionStandardDeviation, type Distribution } from './distributions';
import { normalQuantile } from './normal-quantile';
import { SeededRandom } from './seeded-random';

function sampleMoments(d: Distribution, n: number, seed = 11): { mean: number; sd: number; values: Float64Array } {
  const values = new Float64Array(n);
  createSampler(d)(SeededRandom.forStream(seed, 'test'), values, n);
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (n - 1)), values };
}

describe('normalQuantile (AS 241)', () => {
  it.each([
    // Standard normal quantiles as tabulated to 15+ digits (e.g. Abramowitz & Stegun 26.2; R qnorm).
    [0.975, 1.959963984540054],
    [0.9, 1.2815515655446004],
    [0.999, 3.090232306167813],
    [0.5, 0],
    [0.025, -1.959963984540054],
  ])('Φ⁻¹(%d) = %d', (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-14);
  });
});

describe('distributions', () => {
  const cases: Distribution[] = [
    { type: 'triangular', min: 10, mode: 25, max: 70 },
    { type: 'pert', min: 10, mode: 25, max: 70 },
    { type: 'pert', min: 0, mode: 1, max: 2, lambda: 6 },
    { type: 'normal', mean: 100, sd: 15 },
    { type: 'lognormal', mean: 50, sd: 20 },
    { type: 'uniform', min: -5, max: 5 },
  ];

  it.each(cases)('sampled mean and sd match the closed forms within 1%% (%j, 100,000 draws)', (d) => {
    const { mean, sd } = sampleMoments(d, 100_000);
    const scale = Math.max(Math.abs(distributionMean(d)), distributionStandardDeviation(d));
    expect(Math.abs(mean - distributionMean(d)) / scale).toBeLessThan(0.01);
    expect(Math.abs(sd / distributionStandardDeviation(d) - 1)).toBeLessThan(0.01);
  });

  it.each(cases)('sampled P10/P90 match the quantile function (%j)', (d) => {
    const { values } = sampleMoments(d, 100_000, 3);
    const sorted = Float64Array.from(values).sort();
    for (const p of [0.1, 0.9]) {
      const empirical = sorted[Math.round(p * (sorted.length - 1))]!;
      expect(Math.abs(empirical - distributionQuantile(d, p)) / distributionStandardDeviation(d)).toBeLessThan(0.02);
    }
  });

  it('PERT closed forms: mean (a + 4m + b)/6 and the beta variance', () => {
    const d: Distribution = { type: 'pert', min: 10, mode: 25, max: 70 };
    expect(distributionMean(d)).toBeCloseTo((10 + 4 * 25 + 70) / 6, 12);
    const mu = distributionMean(d);
    expect(distributionStandardDeviation(d)).toBeCloseTo(Math.sqrt(((mu - 10) * (70 - mu)) / 7), 12);
  });

  it('the regularised incomplete beta function matches closed forms', () => {
    // I_x(1, 1) = x; I_x(2, 1) = x²; I_x(1, 3) = 1 − (1−x)³.
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedBeta(0.3, 2, 1)).toBeCloseTo(0.09, 14);
    expect(regularizedBeta(0.3, 1, 3)).toBeCloseTo(1 - 0.7 ** 3, 14);
  });

  it('triangular quantiles are exact: the mode sits at F = (c−a)/(b−a)', () => {
    const d: Distribution = { type: 'triangular', min: 0, mode: 2, max: 10 };
    expect(distributionQuantile(d, 0.2)).toBeCloseTo(2, 12);
  });
});
