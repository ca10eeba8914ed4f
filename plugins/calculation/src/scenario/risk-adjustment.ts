import { evaluateModel } from '../model/evaluate-model';
import type { ModelTotals } from '../model/compiled-model';
import type { LoadedModel } from '../model/load-value-model';
import { driverRange, type RangeOptions } from './driver-range';
import { summarize, type ScenarioSummary } from './what-if';

export type RiskCase = 'conservative' | 'probable' | 'optimistic';

export const riskCases: readonly RiskCase[] = ['conservative', 'probable', 'optimistic'];

/** Swanson's rule (weights 0.3 / 0.4 / 0.3 on P10 / P50 / P90), the usual default in decision analysis. */
export const DEFAULT_RISK_WEIGHTS: Readonly<Record<RiskCase, number>> = { conservative: 0.3, probable: 0.4, optimistic: 0.3 };

export interface RiskAdjustmentResult {
  readonly cases: Record<RiskCase, { readonly drivers: Record<string, number>; readonly result: ScenarioSummary }>;
  readonly weights: Readonly<Record<RiskCase, number>>;
  readonly probabilityWeighted: { readonly npv: number; readonly roi: number | null };
  readonly rule: string;
}

export interface RiskAdjustmentOptions extends Omit<RangeOptions, 'swing'> {
  readonly weights?: Readonly<Record<RiskCase, number>>;
}

/**
 * Conservative / probable / optimistic cases and their probability-weighted value. Probable is every driver at its
 * point value. For each driver with a range, the conservative case takes whichever end lowers NPV (for a cost
 * driver that is the high end) and the optimistic case the other; drivers without a range stay at their point value.
 */
export function riskAdjust(loaded: LoadedModel, options: RiskAdjustmentOptions = {}): RiskAdjustmentResult {
  const { compiled, parsed } = loaded;
  const weights = options.weights ?? DEFAULT_RISK_WEIGHTS;
  const slots = compiled.baseSlots();
  const totals: ModelTotals = { npv: 0, totalBenefits: 0, totalCosts: 0 };
  const npvAt = (i: number, value: number): number => {
    slots[i] = value;
    compiled.run(slots, totals);
    return totals.npv;
  };
  const conservative = compiled.baseSlots();
  const optimistic = compiled.baseSlots();
  compiled.drivers.forEach((driver, i) => {
    const range = driverRange(driver, options);
    if (!range) return;
    const atLow = npvAt(i, range.low);
    const atHigh = npvAt(i, range.high);
    slots[i] = driver.value;
    conservative[i] = atLow <= atHigh ? range.low : range.high;
    optimistic[i] = atLow <= atHigh ? range.high : range.low;
  });
  const caseOf = (caseSlots: Float64Array): { drivers: Record<string, number>; result: ScenarioSummary } => {
    const evaluation = evaluateModel(compiled, parsed, caseSlots);
    return { drivers: evaluation.drivers, result: summarize(evaluation) };
  };
  const cases = { conservative: caseOf(conservative), probable: caseOf(compiled.baseSlots()), optimistic: caseOf(optimistic) };
  const npv = riskCases.reduce((sum, c) => sum + weights[c] * cases[c].result.npv, 0);
  const roi = riskCases.some((c) => cases[c].result.roi === null)
    ? null
    : riskCases.reduce((sum, c) => sum + weights[c] * cases[c].result.roi!, 0);
  return {
    cases,
    weights,
    probabilityWeighted: { npv, roi },
    rule: 'conservative/optimistic: each driver with a range at the end that lowers/raises NPV (driver low/high, else distribution P10/P90); probable: point values; weighted = Σ weight × metric',
  };
}
