import { normalQuantile } from './normal-quantile';

export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

export interface SummaryStatistics {
  readonly count: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator). */
  readonly standardDeviation: number;
  readonly min: number;
  readonly max: number;
  readonly percentiles: { readonly p5: number; readonly p10: number; readonly p50: number; readonly p90: number; readonly p95: number };
  /** Share of values strictly above `target`. */
  readonly probabilityAboveTarget: number;
  readonly target: number;
  /** Equal-width bins from min to max; the last bin includes max. */
  readonly histogram: HistogramBin[];
  /**
   * The quantiles asked for (fractions 0..1, same rule as `percentiles`), in the order asked, each with the Monte
   * Carlo standard error of its estimate (see `QUANTILE_STANDARD_ERROR_RULE`).
   */
  readonly quantiles: { readonly p: number; readonly value: number; readonly standardError: number }[];
}

export const PERCENTILE_RULE = 'linear interpolation between order statistics at h = (n−1)·p (Excel PERCENTILE.INC, numpy default)';

export const QUANTILE_STANDARD_ERROR_RULE =
  'SE(x̂_p) = √(p(1−p)/n) / f(x_p), the density estimated from the sample as 2h / (x̂_{p+h} − x̂_{p−h}) (Siddiqui–Bloch–Gastwirth) with the Hall–Sheather bandwidth h';

/** Two-sided 95% normal quantile, for the Hall–Sheather bandwidth. */
const Z_975 = 1.959963984540054;

/**
 * Monte Carlo standard error of the sample p-quantile of `sorted`: asymptotically √(p(1−p)/n)/f(x_p) (the quantile's
 * Bahadur representation). The density at x_p is read off the sample by the Siddiqui–Bloch–Gastwirth difference
 * quotient over p ± h, h the Hall & Sheather (1988) bandwidth n^(−1/3)·z^(2/3)·(1.5·φ(Φ⁻¹(p))²/(2Φ⁻¹(p)²+1))^(1/3).
 */
export function quantileStandardError(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n < 2 || p <= 0 || p >= 1) return 0;
  const z = normalQuantile(p);
  const phi = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  const h = Math.pow(n, -1 / 3) * Math.pow(Z_975, 2 / 3) * Math.cbrt((1.5 * phi * phi) / (2 * z * z + 1));
  const lo = Math.max(0, p - h);
  const hi = Math.min(1, p + h);
  const sparsity = (percentile(sorted, hi) - percentile(sorted, lo)) / (hi - lo);
  return Math.sqrt((p * (1 - p)) / n) * sparsity;
}

/** The p-quantile of ascending `sorted` by linear interpolation (Hyndman & Fan type 7). */
export function percentile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Mean, dispersion, percentiles, exceedance probability and histogram of `values` (at least one). */
export function summaryStatistics(values: Float64Array, target: number, bins: number, quantiles: readonly number[] = []): SummaryStatistics {
  const n = values.length;
  // Neumaier's compensated sum: the mean of a million trials keeps full precision.
  let sum = 0;
  let compensation = 0;
  let above = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
    if (v > target) above++;
  }
  const mean = (sum + compensation) / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  const sorted = Float64Array.from(values).sort();
  const min = sorted[0]!;
  const max = sorted[n - 1]!;

  const histogram: HistogramBin[] = [];
  const width = (max - min) / bins;
  if (width > 0) {
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((values[i]! - min) / width))]!++;
    for (let b = 0; b < bins; b++) histogram.push({ from: min + b * width, to: b === bins - 1 ? max : min + (b + 1) * width, count: counts[b]! });
  } else {
    histogram.push({ from: min, to: max, count: n });
  }

  return {
    count: n,
    mean,
    standardDeviation: n > 1 ? Math.sqrt(squares / (n - 1)) : 0,
    min,
    max,
    percentiles: {
      p5: percentile(sorted, 0.05),
      p10: percentile(sorted, 0.1),
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p95: percentile(sorted, 0.95),
    },
    probabilityAboveTarget: above / n,
    target,
    histogram,
    quantiles: quantiles.map((p) => ({ p, value: percentile(sorted, p), standardError: quantileStandardError(sorted, p) })),
  };
}
