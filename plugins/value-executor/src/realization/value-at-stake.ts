import type { MetricKind } from '@valueverse/plugin-value-committer/api';
import type { ValueBasis } from './metric-series';

/** One metric's part in the overall realization figure. */
export interface MetricRealization {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly unit: string;
  /** False when the commitment does not declare the metric and the default profile applies. */
  readonly declared: boolean;
  /** Part of the committed value riding on the metric (declared, or the equal share described in `valueAtStake`). */
  readonly valueAtStake: number;
  /** valueAtStake ÷ the sum over the commitment's metrics. */
  readonly weight: number;
  /** What the metric is measured against: its last-due milestone's target, or the committed driver value. */
  readonly target: number;
  readonly value: number | null;
  readonly basis: ValueBasis;
  /** value ÷ target, or null while unmeasured (an unmeasured metric is not a metric at 0). */
  readonly ratio: number | null;
  /** The time-phased plan as of `asOf` ÷ target: where the metric should stand by now. */
  readonly plannedRatio: number | null;
  readonly measured: boolean;
}

export interface OverallFigure {
  /** Σ weight·ratio ÷ Σ weight over the measured metrics; 0 when none is measured. */
  readonly overall: number;
  /** Share of the value at stake that is measured (0..1). */
  readonly coverage: number;
  /** Σ weight·plannedRatio ÷ Σ weight over the same measured metrics, or null (nothing measured, or no plan). */
  readonly plannedToDate: number | null;
  readonly unmeasured: readonly string[];
}

/**
 * Value at stake per metric, in the commitment's currency (issue #11, item 5). A declared `valueAtStake` is taken
 * as is. The metrics without one share equally what the declarations leave of the committed value
 * (committed − Σ declared); when that is nothing (every euro already assigned, or a committed value ≤ 0) they
 * get the mean declared value, and with no declaration at all every metric gets an equal share (weight 1/n).
 */
export function valueAtStake(keys: readonly string[], declared: ReadonlyMap<string, number | null>, committedValue: number): Map<string, { valueAtStake: number; weight: number }> {
  const given = keys.filter((k) => declared.get(k) !== null && declared.get(k) !== undefined);
  const sumGiven = given.reduce((s, k) => s + declared.get(k)!, 0);
  const others = keys.length - given.length;
  const left = Math.max(committedValue - sumGiven, 0);
  const share = others === 0 ? 0 : left > 0 ? left / others : given.length > 0 ? sumGiven / given.length : Math.max(committedValue, 0) / others;
  const amounts = keys.map((k) => [k, given.includes(k) ? declared.get(k)! : share] as const);
  const total = amounts.reduce((s, [, v]) => s + v, 0);
  return new Map(amounts.map(([k, v]) => [k, { valueAtStake: v, weight: total > 0 ? v / total : 1 / keys.length }]));
}

/** The overall figure over the measured metrics, weighted by value at stake, beside the plan to date. */
export function overallOf(metrics: readonly MetricRealization[]): OverallFigure {
  const measured = metrics.filter((m) => m.measured);
  const weight = measured.reduce((s, m) => s + m.weight, 0);
  const weighted = (pick: (m: MetricRealization) => number) =>
    weight > 0 ? measured.reduce((s, m) => s + m.weight * pick(m), 0) / weight : measured.length > 0 ? measured.reduce((s, m) => s + pick(m), 0) / measured.length : 0;
  const planned = measured.every((m) => m.plannedRatio !== null) && measured.length > 0 ? weighted((m) => m.plannedRatio!) : null;
  return {
    overall: measured.length > 0 ? weighted((m) => m.ratio!) : 0,
    coverage: metrics.length === 0 ? 0 : measured.reduce((s, m) => s + m.weight, 0),
    plannedToDate: planned,
    unmeasured: metrics.filter((m) => !m.measured).map((m) => m.metric),
  };
}
