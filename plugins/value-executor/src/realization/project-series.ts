import { DAY_MS } from './iso-day';
import type { Reading } from './metric-series';
import { MIN_READINGS } from './metric-series';
import { predict, theilSen } from './theil-sen';

/** Shortest span of readings any projection is made from, in days. */
export const MIN_SPAN_DAYS = 14;
/** Share of the window (first reading or commitment start → due date) the readings must span. */
export const MIN_SPAN_SHARE = 0.15;
/** Farthest a projection reaches past the last reading, in multiples of the span observed. */
export const MAX_HORIZON_FACTOR = 2;

export interface Projection {
  /** When the projection is for: the due date, or the horizon cap before it. */
  readonly atMs: number;
  readonly value: number;
  /** About 80% interval (see `theilSen`). */
  readonly low: number;
  readonly high: number;
  /** True when the due date lies beyond `MAX_HORIZON_FACTOR` × the observed span and the projection stops short. */
  readonly capped: boolean;
  /** Theil–Sen slope in metric units per day. */
  readonly perDay: number;
}

export type ProjectionResult = { readonly ok: true; readonly projection: Projection } | { readonly ok: false; readonly reason: string };

export interface ProjectionWindow {
  /** Start of the window: the earlier of the commitment's start and the first reading. */
  readonly startMs: number;
  /** What the projection is for (the due date, 00:00 UTC). */
  readonly targetMs: number;
  /** Keeps projected values physical: bounds of the metric and, for running totals, the latest total. */
  readonly clamp: (value: number) => number;
}

/**
 * Projects readings to the window's target time — or says why it cannot (issue #11, item 1):
 * - at least `MIN_READINGS` readings spanning at least max(14 days, 15% of the window), else no projection;
 * - a Theil–Sen run rate with its interval (robust to one odd reading, unlike least squares);
 * - never more than twice the observed span past the last reading: a line through a fortnight says little about
 *   a year. Beyond that the projection stops at the cap and says so (`capped`); the commitment carries no ramp-up
 *   of its model to follow instead.
 */
export function projectSeries(readings: readonly Reading[], window: ProjectionWindow): ProjectionResult {
  if (readings.length < MIN_READINGS) return { ok: false, reason: `needs at least ${MIN_READINGS} readings; has ${readings.length}` };
  const first = readings[0]!.t;
  const last = readings[readings.length - 1]!.t;
  const spanDays = (last - first) / DAY_MS;
  const requiredDays = Math.max(MIN_SPAN_DAYS, MIN_SPAN_SHARE * ((window.targetMs - Math.min(window.startMs, first)) / DAY_MS));
  if (spanDays < requiredDays) {
    return {
      ok: false,
      reason: `readings span ${round(spanDays)} days; a projection needs at least ${round(requiredDays)} (max of ${MIN_SPAN_DAYS} days and ${MIN_SPAN_SHARE * 100}% of the window)`,
    };
  }
  const fit = theilSen(readings.map((r) => [r.t / DAY_MS, r.value] as const));
  if (!fit) return { ok: false, reason: 'every reading has the same time' };
  const cap = last + MAX_HORIZON_FACTOR * (last - first);
  const atMs = Math.max(last, Math.min(window.targetMs, cap));
  const p = predict(fit, atMs / DAY_MS);
  return {
    ok: true,
    projection: {
      atMs,
      value: window.clamp(p.value),
      low: window.clamp(p.low),
      high: window.clamp(p.high),
      capped: window.targetMs > cap,
      perDay: fit.slope,
    },
  };
}

const round = (days: number): number => Math.round(days * 10) / 10;
