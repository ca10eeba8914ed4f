import type { Commitment, Milestone } from '@valueverse/plugin-value-committer/api';
import type { MilestoneRealization } from '../realization-api';
import { DAY_MS, startOfIsoDate } from './iso-day';
import { metricProfile, withinBounds, type MetricProfile } from './metric-profile';
import { currentValue, DEFAULT_LEVEL_WINDOW_DAYS, towardTarget, trailingAverage, type Reading, type ValueBasis } from './metric-series';
import { projectSeries } from './project-series';
import { timePhasedPlan } from './time-phased-plan';

export type MilestoneStatus = MilestoneRealization['status'];

/** A milestone's realization with what the HTTP API shows besides the service contract. */
export interface MilestoneReport extends MilestoneRealization {
  readonly title: string;
  /** (actual − target) / target, or null without an actual (or with a zero target). */
  readonly variance: number | null;
  /** Readings of the metric up to `asOf`. */
  readonly measurements: number;
  /** The Theil–Sen run rate in metric units per day, or null without a projection. */
  readonly trendPerDay: number | null;
  readonly kind: MetricProfile['kind'];
  /** What `actual` is: the latest running total, or a level's trailing-window average. */
  readonly basis: ValueBasis;
  readonly windowDays: number | null;
  /** The latest reading itself (for a level, `actual` is the trailing average instead). */
  readonly latestReading: number | null;
  /** The projection behind the status, or null (then `insufficientDataReason` says why, unless already decided). */
  readonly projection: {
    /** yyyy-mm-dd: the due date, or the horizon cap before it. */
    readonly at: string;
    readonly value: number;
    readonly low: number;
    readonly high: number;
    readonly capped: boolean;
    /** Why the projection stops short of the due date, when it does. */
    readonly note: string | null;
    /** The time-phased plan at `at`: at-risk when it is above `high`. */
    readonly planned: number;
  } | null;
  /** The time-phased plan as of `asOf`. */
  readonly plannedToDate: number;
  readonly insufficientDataReason: string | null;
}

/** When the commitment started: signature, else creation. */
export const startOf = (c: Commitment): number => Date.parse(c.signedAt ?? c.createdAt);

/** A level's trailing window: its success criterion's window when it has one, else 30 days. */
export function levelWindowDays(commitment: Commitment, metric: string): number {
  return commitment.successCriteria.find((c) => c.metric === metric)?.windowDays ?? DEFAULT_LEVEL_WINDOW_DAYS;
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const ratioOf = (actual: number | null, target: number): number => (actual === null ? 0 : target === 0 ? (actual >= 0 ? 1 : 0) : actual / target);
const relative = (actual: number | null, reference: number): number | null => (actual === null || reference === 0 ? null : (actual - reference) / reference);

/**
 * One milestone as of `asOfMs`, from the metric's readings (issue #11, items 1–2):
 * - achieved: the target was reached by the end of the due date — by a running total, or by a level's
 *   trailing-window average (never by one day's spike);
 * - missed: the due date is over (asOf ≥ the next day, 00:00 UTC) and it was not;
 * - insufficient-data: too few readings, or too short a span, to project (see `projectSeries`);
 * - at-risk: the time-phased plan at the projection's date is above the projection's upper bound;
 * - on-track: otherwise (the plan is inside or below the interval).
 */
export function milestoneRealization(commitment: Commitment, milestone: Milestone, all: readonly Reading[], asOfMs: number): MilestoneReport {
  const profile = metricProfile(commitment, milestone.metric);
  const readings = all.filter((r) => r.t <= asOfMs);
  const dueStart = startOfIsoDate(milestone.dueDate);
  const dueEnd = dueStart + DAY_MS;
  const windowDays = profile.accumulates ? null : levelWindowDays(commitment, milestone.metric);
  const series = towardTarget(profile, readings);
  const startMs = Math.min(startOf(commitment), readings[0]?.t ?? Number.POSITIVE_INFINITY);
  const plan = timePhasedPlan(commitment.milestones, milestone.metric, startMs, profile.accumulates ? 0 : (readings[0]?.value ?? 0));
  const current = currentValue(profile, readings, asOfMs, windowDays ?? DEFAULT_LEVEL_WINDOW_DAYS);

  // Reached by the end of the due date: any running total by then, or a level's trailing average at some reading by then.
  const reachedInTime = profile.accumulates
    ? series.some((r) => r.t < dueEnd && r.value >= milestone.target)
    : readings.some((r) => r.t < dueEnd && (trailingAverage(readings, r.t, windowDays!)?.value ?? Number.NEGATIVE_INFINITY) >= milestone.target);

  const latestTotal = series.length > 0 ? series[series.length - 1]!.value : null;
  const projected = projectSeries(series, {
    startMs,
    targetMs: dueStart,
    // A running total cannot fall below where it is; nothing leaves the metric's physical bounds.
    clamp: (v) => withinBounds(profile, profile.accumulates && latestTotal !== null ? Math.max(v, latestTotal) : v),
  });

  let status: MilestoneStatus;
  if (reachedInTime) status = 'achieved';
  else if (asOfMs >= dueEnd) status = 'missed';
  else if (!projected.ok) status = 'insufficient-data';
  else status = plan(projected.projection.atMs) > projected.projection.high ? 'at-risk' : 'on-track';

  const p = projected.ok ? projected.projection : null;
  return {
    milestoneId: milestone.id,
    title: milestone.title,
    metric: milestone.metric,
    dueDate: milestone.dueDate,
    target: milestone.target,
    actual: current.value,
    ratio: ratioOf(current.value, milestone.target),
    variance: relative(current.value, milestone.target),
    // Only a projection that reaches the due date is a projected value *at* the due date.
    projected: p && !p.capped ? p.value : null,
    status,
    measurements: readings.length,
    trendPerDay: p ? p.perDay : null,
    kind: profile.kind,
    basis: current.basis,
    windowDays,
    latestReading: readings.length > 0 ? readings[readings.length - 1]!.value : null,
    projection: p
      ? {
          at: isoDate(p.atMs),
          value: p.value,
          low: p.low,
          high: p.high,
          capped: p.capped,
          note: p.capped
            ? `projected to ${isoDate(p.atMs)} only: at most twice the observed span past the last reading, and the commitment carries no ramp-up of its model to follow to ${milestone.dueDate}`
            : null,
          planned: plan(p.atMs),
        }
      : null,
    plannedToDate: plan(asOfMs),
    insufficientDataReason: status === 'insufficient-data' && !projected.ok ? projected.reason : null,
  };
}
