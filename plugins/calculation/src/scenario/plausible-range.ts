import { distributionQuantile } from '../monte-carlo/distributions';
import type { Driver } from '../model/value-model';

/** Where a driver can plausibly be, and where it physically cannot go. */
export interface PlausibleRange {
  /** Plausible low / high (null: unbounded on that side). */
  readonly low: number | null;
  readonly high: number | null;
  readonly basis: string;
}

/** Tail share left out of an unbounded distribution's plausible range on each side. */
const TAIL = 0.001;

const clamp = (x: number | null, bounds: Driver['bounds'], side: 'low' | 'high'): number | null => {
  const { min, max } = bounds ?? {};
  if (side === 'low') return x === null ? (min ?? null) : min === undefined ? x : Math.max(x, min);
  return x === null ? (max ?? null) : max === undefined ? x : Math.min(x, max);
};

/**
 * A driver's plausible range (issue #11 item 10), by precedence: its own low/high; the support of a bounded
 * distribution (triangular, PERT, uniform: min..max); P0.1..P99.9 of an unbounded one (normal; lognormal from 0);
 * always narrowed to its physical `bounds`. Null when nothing bounds the driver at all.
 */
export function plausibleRange(driver: Driver): PlausibleRange | null {
  let low: number | null = null;
  let high: number | null = null;
  let basis: string;
  const d = driver.distribution;
  if (driver.low !== undefined && driver.high !== undefined) {
    [low, high, basis] = [driver.low, driver.high, 'driver low/high'];
  } else if (d && (d.type === 'triangular' || d.type === 'pert' || d.type === 'uniform')) {
    [low, high, basis] = [d.min, d.max, `${d.type} support`];
  } else if (d) {
    [low, high, basis] = [distributionQuantile(d, TAIL), distributionQuantile(d, 1 - TAIL), `${d.type} P0.1/P99.9`];
  } else {
    basis = 'physical bounds';
  }
  const bounded = driver.bounds?.min !== undefined || driver.bounds?.max !== undefined;
  if (bounded && basis !== 'physical bounds') basis += ', within physical bounds';
  low = clamp(low, driver.bounds, 'low');
  high = clamp(high, driver.bounds, 'high');
  if (low === null && high === null) return null;
  return { low, high, basis };
}

/** True when x lies within the range (ends included; a missing end is open). */
export function withinRange(x: number, range: { readonly low: number | null; readonly high: number | null }): boolean {
  return (range.low === null || x >= range.low) && (range.high === null || x <= range.high);
}
