import type { Commitment, CriterionOperator, SuccessCriterion } from '@valueverse/plugin-value-committer/api';
import { DAY_MS } from './iso-day';
import { metricProfile, type MetricProfile } from './metric-profile';
import { MIN_READINGS, type Reading } from './metric-series';

/** A success criterion as evaluated (issue #11, item 4). */
export interface CriterionReport {
  readonly criterionId: string;
  readonly metric: string;
  readonly operator: CriterionOperator;
  readonly threshold: number;
  readonly windowDays: number;
  /** yyyy-mm-ddThh:mm:ssZ bounds of the window (start exclusive, end inclusive). */
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly status: 'met' | 'not-met' | 'insufficient-data';
  /** The value compared with the threshold, or null without enough readings. */
  readonly value: number | null;
  /** How `value` was made from the window's readings. */
  readonly basis: 'latest-total' | 'period-sum' | 'average';
  readonly readings: number;
}

const compare: Record<CriterionOperator, (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  // Readings are decimals: equal within a part in 10^9 of the threshold.
  '==': (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)),
};

function basisOf(profile: MetricProfile): CriterionReport['basis'] {
  if (profile.kind === 'cumulative') return 'latest-total';
  return profile.accumulates ? 'period-sum' : 'average';
}

/**
 * Evaluates a criterion on the readings of its window (asOf − windowDays, asOf]:
 * - cumulative: the latest running total in the window (at least one reading in it);
 * - flow summed toward a target: the sum of the window's periods (at least one);
 * - level, or flow averaged for a rate: the window's average, from at least `MIN_READINGS` readings (one day's
 *   value never decides a rate).
 * Too few readings → `insufficient-data`, with `value` null.
 */
export function evaluateCriterion(commitment: Commitment, criterion: SuccessCriterion, all: readonly Reading[], asOfMs: number): CriterionReport {
  const profile = metricProfile(commitment, criterion.metric);
  const startMs = asOfMs - criterion.windowDays * DAY_MS;
  const inWindow = all.filter((r) => r.t > startMs && r.t <= asOfMs);
  const basis = basisOf(profile);
  const needed = basis === 'average' ? MIN_READINGS : 1;
  let value: number | null = null;
  if (inWindow.length >= needed) {
    if (basis === 'latest-total') value = inWindow[inWindow.length - 1]!.value;
    else if (basis === 'period-sum') value = inWindow.reduce((s, r) => s + r.value, 0);
    else value = inWindow.reduce((s, r) => s + r.value, 0) / inWindow.length;
  }
  return {
    criterionId: criterion.id,
    metric: criterion.metric,
    operator: criterion.operator,
    threshold: criterion.threshold,
    windowDays: criterion.windowDays,
    windowStart: new Date(startMs).toISOString(),
    windowEnd: new Date(asOfMs).toISOString(),
    status: value === null ? 'insufficient-data' : compare[criterion.operator](value, criterion.threshold) ? 'met' : 'not-met',
    value,
    basis,
    readings: inWindow.length,
  };
}
