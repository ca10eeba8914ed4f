import type { Commitment, CommitmentStatus, Milestone } from '@valueverse/plugin-value-committer';
import type { DriverRealization, MilestoneRealization, Realization } from '../realization-api';
import { leastSquares, valueAt } from './least-squares';
import { DAY_MS, startOfIsoDate } from './iso-day';

/** A measured value of one metric. */
export interface SeriesPoint {
  readonly metric: string;
  readonly value: number;
  readonly measuredAt: Date;
}

export type MilestoneStatus = MilestoneRealization['status'];

/** A milestone's realization with what the HTTP API shows besides the service contract. */
export interface MilestoneReport extends MilestoneRealization {
  readonly title: string;
  /** (actual − target) / target, or null without an actual (or with a zero target). */
  readonly variance: number | null;
  /** Measurements of the metric up to `asOf`. */
  readonly measurements: number;
  /** The least-squares trend in metric units per day, or null with fewer than two measurements. */
  readonly trendPerDay: number | null;
}

/** What `GET /realization/commitments/:id` answers; a superset of the `value-realization` contract's `Realization`. */
export interface RealizationReport extends Realization {
  readonly title: string;
  readonly status: CommitmentStatus;
  readonly asOf: string;
  readonly milestones: readonly MilestoneReport[];
  readonly drivers: readonly DriverRealization[];
  /** How `overall` was computed. */
  readonly overallBasis: 'milestone-metrics' | 'drivers' | 'none';
}

const ratioOf = (actual: number | null, target: number): number => {
  if (actual === null) return 0;
  if (target === 0) return actual >= 0 ? 1 : 0;
  return actual / target;
};

const relative = (actual: number | null, reference: number): number | null =>
  actual === null || reference === 0 ? null : (actual - reference) / reference;

/** Points of one metric up to `asOf`, oldest first. */
function seriesOf(points: readonly SeriesPoint[], metric: string, asOfMs: number): SeriesPoint[] {
  return points
    .filter((p) => p.metric === metric && p.measuredAt.getTime() <= asOfMs)
    .sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
}

/**
 * One milestone as of `asOfMs`. Measurements are readings of a cumulative metric, so the actual is the latest one.
 * - achieved: a reading taken by the end of the due date reached the target;
 * - missed: the due date is over (asOf ≥ the next day, 00:00 UTC) and no such reading did;
 * - pending: fewer than two readings, so no trend yet;
 * - at-risk: the least-squares trend, extrapolated to the due date (00:00 UTC), stays below the target;
 * - on-track: otherwise.
 */
export function milestoneRealization(milestone: Milestone, points: readonly SeriesPoint[], asOfMs: number): MilestoneReport {
  const series = seriesOf(points, milestone.metric, asOfMs);
  const dueStart = startOfIsoDate(milestone.dueDate);
  const dueEnd = dueStart + DAY_MS;
  const actual = series.length > 0 ? series[series.length - 1]!.value : null;
  const trend = leastSquares(series.map((p) => [p.measuredAt.getTime() / DAY_MS, p.value] as const));
  const projected = trend ? valueAt(trend, dueStart / DAY_MS) : null;
  const reachedInTime = series.some((p) => p.measuredAt.getTime() < dueEnd && p.value >= milestone.target);
  let status: MilestoneStatus;
  if (reachedInTime) status = 'achieved';
  else if (asOfMs >= dueEnd) status = 'missed';
  else if (projected === null) status = 'pending';
  else status = projected < milestone.target ? 'at-risk' : 'on-track';
  return {
    milestoneId: milestone.id,
    title: milestone.title,
    metric: milestone.metric,
    dueDate: milestone.dueDate,
    target: milestone.target,
    actual,
    ratio: ratioOf(actual, milestone.target),
    variance: relative(actual, milestone.target),
    projected,
    status,
    measurements: series.length,
    trendPerDay: trend ? trend.slope : null,
  };
}

/** The final target of each milestone metric: the target of its last-due milestone (the larger one on a tie). */
function finalTargets(milestones: readonly Milestone[]): Map<string, number> {
  const last = new Map<string, Milestone>();
  for (const m of milestones) {
    const seen = last.get(m.metric);
    if (!seen || m.dueDate > seen.dueDate || (m.dueDate === seen.dueDate && m.target > seen.target)) last.set(m.metric, m);
  }
  return new Map([...last].map(([metric, m]) => [metric, m.target]));
}

/**
 * Realization of a commitment as of `asOf`, from its measurements.
 *
 * `overall` weighs each milestone metric the same: the mean over metrics of latest actual ÷ the metric's final
 * target (its last-due milestone), uncapped, so over-delivery shows as > 1. A commitment without milestones uses
 * its drivers instead (latest actual ÷ committed value); with neither it is 0.
 */
export function computeRealization(commitment: Commitment, points: readonly SeriesPoint[], asOf: Date): RealizationReport {
  const asOfMs = asOf.getTime();
  const latest = (metric: string): number | null => {
    const series = seriesOf(points, metric, asOfMs);
    return series.length > 0 ? series[series.length - 1]!.value : null;
  };
  const milestones = commitment.milestones.map((m) => milestoneRealization(m, points, asOfMs));
  const drivers: DriverRealization[] = commitment.drivers.map((d) => {
    const actual = latest(d.key);
    return { key: d.key, committed: d.value, actual, variance: relative(actual, d.value) };
  });

  let overall = 0;
  let overallBasis: RealizationReport['overallBasis'] = 'none';
  const targets = [...finalTargets(commitment.milestones)];
  if (targets.length > 0) {
    overallBasis = 'milestone-metrics';
    overall = targets.reduce((sum, [metric, target]) => sum + ratioOf(latest(metric), target), 0) / targets.length;
  } else {
    const weighed = drivers.filter((d) => d.committed !== 0);
    if (weighed.length > 0) {
      overallBasis = 'drivers';
      overall = weighed.reduce((sum, d) => sum + ratioOf(d.actual, d.committed), 0) / weighed.length;
    }
  }
  return {
    commitmentId: commitment.id,
    title: commitment.title,
    status: commitment.status,
    asOf: asOf.toISOString(),
    overall,
    overallBasis,
    milestones,
    drivers,
    atRisk: milestones.some((m) => m.status === 'at-risk'),
  };
}
