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
  /** The quantiles asked for (fractions 0..1, same rule as `percentiles`), in the order asked. */
  readonly quantiles: { readonly p: number; readonly value: number }[];
}

export const PERCENTILE_RULE = 'linear interpolation between order statistics at h = (n−1)·p (Excel PERCENTILE.INC, numpy default)';

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
    quantiles: quantiles.map((p) => ({ p, value: percentile(sorted, p) })),
  };
}
