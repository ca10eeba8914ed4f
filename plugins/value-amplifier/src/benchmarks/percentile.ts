/**
 * The p-quantile (0 ≤ p ≤ 1) by linear interpolation between closest ranks, h = (n − 1)·p: Hyndman & Fan type 7,
 * the definition of Excel PERCENTILE.INC and NumPy's default. Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface Quartiles {
  readonly p25: number | null;
  readonly p50: number | null;
  readonly p75: number | null;
}

export function quartiles(values: readonly number[]): Quartiles {
  return { p25: percentile(values, 0.25), p50: percentile(values, 0.5), p75: percentile(values, 0.75) };
}
