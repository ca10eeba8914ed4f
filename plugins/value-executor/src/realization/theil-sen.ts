/**
 * A robust straight line through (x, y) readings and how far it may be off.
 *
 * Slope: the Theil–Sen estimator (Theil 1950; Sen 1968), the median of the slopes of every pair of points with
 * different x. One wild reading moves a least-squares line as far as it likes; it moves the median of the pairwise
 * slopes by at most one rank (breakdown point ≈ 29%). Intercept: the median of y − slope·x (Conover's choice).
 *
 * Interval (about 80%, two-sided): the slope's rank-based confidence limits of Sen (1968) as Gilbert (1987, §16.5)
 * tabulates them — with N pairwise slopes sorted and C = z·√(n(n−1)(2n+5)/18) (Kendall's S variance, no ties),
 * the lower limit is the slope of rank (N − C)/2 and the upper the one of rank (N + C)/2 + 1, clamped to the
 * smallest and largest slope — pivoted about the median reading time, then widened by the 80th percentile of the
 * absolute residuals so that scatter around the line counts as well as uncertainty in its slope.
 */
export interface TheilSenFit {
  readonly slope: number;
  readonly intercept: number;
  readonly slopeLow: number;
  readonly slopeHigh: number;
  /** Median x and the fitted value there: the interval's lines turn about this point. */
  readonly pivotX: number;
  readonly pivotY: number;
  /** 80th percentile of |y − fitted y| over the readings. */
  readonly residualSpread: number;
  readonly points: number;
}

/** z of the two-sided 80% interval (the 90th percentile of the standard normal). */
const Z80 = 1.2815515655446004;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The q-quantile with linear interpolation between order statistics (Hyndman–Fan type 7, R's default). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** Undefined with no pair of points at different x (no slope can be told). */
export function theilSen(points: readonly (readonly [number, number])[], z: number = Z80): TheilSenFit | undefined {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const [xi, yi] = points[i]!;
      const [xj, yj] = points[j]!;
      if (xi !== xj) slopes.push((yj - yi) / (xj - xi));
    }
  }
  if (slopes.length === 0) return undefined;
  slopes.sort((a, b) => a - b);
  const n = points.length;
  const slope = median(slopes);
  const intercept = median(points.map(([x, y]) => y - slope * x));

  const count = slopes.length;
  const c = z * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const rank = (r: number) => slopes[Math.min(count, Math.max(1, Math.round(r))) - 1]!;
  const pivotX = median(points.map(([x]) => x));
  const residuals = points.map(([x, y]) => Math.abs(y - (intercept + slope * x)));
  return {
    slope,
    intercept,
    slopeLow: rank((count - c) / 2),
    slopeHigh: rank((count + c) / 2 + 1),
    pivotX,
    pivotY: intercept + slope * pivotX,
    residualSpread: quantile(residuals, 0.8),
    points: n,
  };
}

/** The fitted value at x and its interval. */
export function predict(fit: TheilSenFit, x: number): { readonly value: number; readonly low: number; readonly high: number } {
  const a = fit.pivotY + fit.slopeLow * (x - fit.pivotX);
  const b = fit.pivotY + fit.slopeHigh * (x - fit.pivotX);
  return { value: fit.intercept + fit.slope * x, low: Math.min(a, b) - fit.residualSpread, high: Math.max(a, b) + fit.residualSpread };
}
