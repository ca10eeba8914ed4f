import type { MetricProfile } from './metric-profile';
import { DAY_MS } from './iso-day';

/** A reading of one metric: time in ms since the epoch, value in the metric's unit. */
export interface Reading {
  readonly t: number;
  readonly value: number;
}

/** Fewest readings a projection or a trailing average is made from (issue #11: never one day's value). */
export const MIN_READINGS = 3;
/** Trailing window of a level metric without a success criterion saying otherwise. */
export const DEFAULT_LEVEL_WINDOW_DAYS = 30;

/** What a metric's current value was computed as. */
export type ValueBasis = 'latest-reading' | 'running-total' | 'trailing-average';

/** Readings of `metric` up to `asOfMs`, oldest first. */
export function readingsOf(points: readonly { readonly metric: string; readonly value: number; readonly measuredAt: Date }[], metric: string, asOfMs: number): Reading[] {
  return points
    .filter((p) => p.metric === metric && p.measuredAt.getTime() <= asOfMs)
    .map((p) => ({ t: p.measuredAt.getTime(), value: p.value }))
    .sort((a, b) => a.t - b.t);
}

/**
 * The series judged against a target: a cumulative metric's readings are running totals already; a flow that sums
 * toward its target becomes the running total of its periods; levels (and flows averaged for a rate) stay readings.
 */
export function towardTarget(profile: MetricProfile, readings: readonly Reading[]): Reading[] {
  if (profile.kind !== 'flow' || !profile.accumulates) return [...readings];
  let total = 0;
  return readings.map((r) => ({ t: r.t, value: (total += r.value) }));
}

/** Mean of the readings in (endMs − windowDays, endMs]; null with fewer than `MIN_READINGS` of them. */
export function trailingAverage(readings: readonly Reading[], endMs: number, windowDays: number): { readonly value: number; readonly readings: number } | null {
  const inWindow = readings.filter((r) => r.t <= endMs && r.t > endMs - windowDays * DAY_MS);
  if (inWindow.length < MIN_READINGS) return null;
  return { value: inWindow.reduce((s, r) => s + r.value, 0) / inWindow.length, readings: inWindow.length };
}

/**
 * The metric's value as of `endMs`, as realization judges it: the latest running total of an accumulating metric;
 * for a level, the trailing-window average (null until the window holds `MIN_READINGS` readings) — never one day.
 */
export function currentValue(
  profile: MetricProfile,
  readings: readonly Reading[],
  endMs: number,
  windowDays: number,
): { readonly value: number | null; readonly basis: ValueBasis } {
  if (profile.accumulates) {
    const series = towardTarget(profile, readings).filter((r) => r.t <= endMs);
    return { value: series.length > 0 ? series[series.length - 1]!.value : null, basis: profile.kind === 'flow' ? 'running-total' : 'latest-reading' };
  }
  return { value: trailingAverage(readings, endMs, windowDays)?.value ?? null, basis: 'trailing-average' };
}
