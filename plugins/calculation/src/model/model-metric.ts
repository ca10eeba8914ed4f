import type { ModelTotals } from './compiled-model';

/** Metrics that scenarios, goal seek and Monte Carlo can target. */
export type ModelMetricName = 'npv' | 'roi';

export const modelMetricNames: readonly ModelMetricName[] = ['npv', 'roi'];

/** The metric from one evaluation's totals; ROI is NaN when total costs are not positive. */
export function metricOf(totals: ModelTotals, metric: ModelMetricName): number {
  if (metric === 'npv') return totals.npv;
  return totals.totalCosts > 0 ? (totals.totalBenefits - totals.totalCosts) / totals.totalCosts : Number.NaN;
}
