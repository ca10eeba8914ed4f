/** A straight line fitted to points, y = intercept + slope × x. */
export interface LinearTrend {
  readonly slope: number;
  readonly intercept: number;
  readonly points: number;
}

/**
 * Ordinary least squares over (x, y): slope = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)², intercept = ȳ − slope × x̄. Undefined with
 * fewer than two points or when every x is the same (no line through them is better than another).
 */
export function leastSquares(points: readonly (readonly [number, number])[]): LinearTrend | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  let sumX = 0;
  let sumY = 0;
  for (const [x, y] of points) {
    sumX += x;
    sumY += y;
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  // Centred sums: far more accurate than Σxy − n·x̄·ȳ when x are epoch days (~20,000) and the spread is small.
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX, points: n };
}

/** The trend's value at `x`. */
export function valueAt(trend: LinearTrend, x: number): number {
  return trend.intercept + trend.slope * x;
}
