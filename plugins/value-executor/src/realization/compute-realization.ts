import type { Commitment, CommitmentStatus, Milestone } from '@valueverse/plugin-value-committer/api';
import type { DriverRealization, Realization } from '../realization-api';
import { levelWindowDays, milestoneRealization, startOf, type MilestoneReport } from './milestone-realization';
import { metricProfile } from './metric-profile';
import { currentValue, readingsOf, type Reading } from './metric-series';
import { evaluateCriterion, type CriterionReport } from './success-criteria';
import { timePhasedPlan } from './time-phased-plan';
import { realizationOutlook } from './realization-outlook';
import { overallOf, valueAtStake, type MetricRealization } from './value-at-stake';

export type { MilestoneReport, MilestoneStatus } from './milestone-realization';

/** A measured value of one metric (corrected readings are left out by the store). */
export interface SeriesPoint {
  readonly metric: string;
  readonly value: number;
  readonly measuredAt: Date;
}

/** What `GET /realization/commitments/:id` answers; a superset of the `value-realization` contract's `Realization`. */
export interface RealizationReport extends Realization {
  readonly title: string;
  readonly status: CommitmentStatus;
  readonly asOf: string;
  readonly milestones: readonly MilestoneReport[];
  readonly drivers: readonly DriverRealization[];
  /** How `overall` was computed: over the milestone metrics, else the committed drivers, else nothing. */
  readonly overallBasis: 'milestone-metrics' | 'drivers' | 'none';
  /** `overall` weighs each metric by its value at stake (see `valueAtStake`). */
  readonly weighting: 'value-at-stake';
  /** Each metric behind `overall`, measured or not. */
  readonly metrics: readonly MetricRealization[];
  /** Share of the value at stake that has measurements (0..1). */
  readonly coverage: number;
  /** Metrics behind `overall` without a value yet: shown as unmeasured, not counted as 0. */
  readonly unmeasured: readonly string[];
  /** Where the time-phased plan says the measured metrics should stand by now, on the scale of `overall`. */
  readonly plannedToDate: number | null;
  readonly successCriteria: readonly CriterionReport[];
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
 * Realization of a commitment as of `asOf`, from its measurements (issue #11, items 1–5).
 *
 * Each milestone is judged as `milestoneRealization` describes; each success criterion as `evaluateCriterion`
 * does. `overall` is the value-at-stake-weighted mean of value ÷ target over the *measured* metrics — the milestone
 * metrics against their last-due targets, or, without milestones, the committed drivers against their committed
 * values — uncapped, so over-delivery shows as > 1; unmeasured metrics are listed (`unmeasured`, `coverage`), not
 * counted as 0. `plannedToDate` puts the time-phased plan on the same scale, for realized-vs-planned.
 */
export function computeRealization(commitment: Commitment, points: readonly SeriesPoint[], asOf: Date): RealizationReport {
  const asOfMs = asOf.getTime();
  const series = new Map<string, Reading[]>();
  const readings = (metric: string): Reading[] => {
    let found = series.get(metric);
    if (!found) series.set(metric, (found = readingsOf(points, metric, asOfMs)));
    return found;
  };
  const valueOf = (metric: string) => currentValue(metricProfile(commitment, metric), readings(metric), asOfMs, levelWindowDays(commitment, metric));

  const milestones = commitment.milestones.map((m) => milestoneRealization(commitment, m, readings(m.metric), asOfMs));
  const drivers: DriverRealization[] = commitment.drivers.map((d) => {
    const actual = valueOf(d.key).value;
    return { key: d.key, committed: d.value, actual, variance: actual === null || d.value === 0 ? null : (actual - d.value) / d.value };
  });
  const successCriteria = commitment.successCriteria.map((c) => evaluateCriterion(commitment, c, readings(c.metric), asOfMs));

  const targets = finalTargets(commitment.milestones);
  const overallBasis: RealizationReport['overallBasis'] = targets.size > 0 ? 'milestone-metrics' : commitment.drivers.some((d) => d.value !== 0) ? 'drivers' : 'none';
  const against: [string, number][] = overallBasis === 'milestone-metrics' ? [...targets] : commitment.drivers.filter((d) => d.value !== 0).map((d) => [d.key, d.value]);
  const stakes = valueAtStake(
    against.map(([k]) => k),
    new Map(against.map(([k]) => [k, metricProfile(commitment, k).valueAtStake])),
    commitment.committedValue,
  );
  const metrics: MetricRealization[] = against.map(([metric, target]) => {
    const profile = metricProfile(commitment, metric);
    const current = valueOf(metric);
    const own = readings(metric);
    // Drivers carry no dates: only milestone metrics have a time-phased plan.
    const plan =
      overallBasis === 'milestone-metrics'
        ? timePhasedPlan(commitment.milestones, metric, Math.min(startOf(commitment), own[0]?.t ?? Number.POSITIVE_INFINITY), profile.accumulates ? 0 : (own[0]?.value ?? 0))
        : undefined;
    const ratio = (v: number) => (target === 0 ? (v >= 0 ? 1 : 0) : v / target);
    return {
      metric,
      kind: profile.kind,
      unit: profile.unit,
      declared: profile.declared,
      ...stakes.get(metric)!,
      target,
      value: current.value,
      basis: current.basis,
      ratio: current.value === null ? null : ratio(current.value),
      plannedRatio: plan ? ratio(plan(asOfMs)) : null,
      measured: current.value !== null,
    };
  });
  const figure = overallOf(metrics);

  return {
    commitmentId: commitment.id,
    title: commitment.title,
    status: commitment.status,
    asOf: asOf.toISOString(),
    overall: figure.overall,
    overallBasis,
    weighting: 'value-at-stake',
    metrics,
    coverage: figure.coverage,
    unmeasured: figure.unmeasured,
    plannedToDate: figure.plannedToDate,
    milestones,
    drivers,
    successCriteria,
    atRisk: milestones.some((m) => m.status === 'at-risk'),
    outlook: realizationOutlook(milestones),
  };
}
