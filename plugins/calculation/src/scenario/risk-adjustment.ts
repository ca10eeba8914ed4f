import { evaluateModel } from '../model/evaluate-model';
import type { ModelTotals } from '../model/compiled-model';
import type { LoadedModel } from '../model/load-value-model';
import type { Dependence } from '../monte-carlo/correlation-matrix';
import { simulate } from '../monte-carlo/simulate';
import { driverRange, type RangeOptions } from './driver-range';
import { summarize, type ScenarioSummary } from './what-if';

export type RiskCase = 'conservative' | 'probable' | 'optimistic';

export const riskCases: readonly RiskCase[] = ['conservative', 'probable', 'optimistic'];

/**
 * Swanson's rule: weights 0.3 / 0.4 / 0.3 on the P10 / P50 / P90 of the *output* (Megill 1977, "An Introduction to
 * Risk Analysis"; Hurst, Brown & Swanson 2000, "Swanson's 30-40-30 Rule", AAPG Bulletin 84(12)): a three-point
 * approximation of the mean of a moderately skewed distribution.
 */
export const DEFAULT_RISK_WEIGHTS: Readonly<Record<RiskCase, number>> = { conservative: 0.3, probable: 0.4, optimistic: 0.3 };

/** Trials and seed of the risk cases' simulation when the request names none (a fixed seed: the same model, the same answer). */
export const RISK_DEFAULT_TRIALS = 10_000;
export const RISK_DEFAULT_SEED = 1;

/** One risk case: a percentile of the simulated NPV, labelled with it. */
export interface SimulatedRiskCase {
  /** e.g. `P10`: the value the NPV falls below 10% of the time. */
  readonly percentile: string;
  readonly p: number;
  readonly npv: number;
  /** Monte Carlo standard error of this percentile. */
  readonly standardError: number;
}

/** The old "every driver at its end at once" cases, kept for explanation: where each lands in the simulated output. */
export interface DriverExtremeCase {
  readonly drivers: Record<string, number>;
  readonly result: ScenarioSummary;
  /** Share of simulated trials with a lower NPV: every driver at its P10 at once lands far below the output's P10. */
  readonly outputPercentile: number;
}

export interface RiskAdjustmentResult {
  readonly cases: Record<RiskCase, SimulatedRiskCase>;
  readonly weights: Readonly<Record<RiskCase, number>>;
  readonly probabilityWeighted: { readonly npv: number; readonly rule: string };
  readonly simulation: {
    readonly trials: number;
    readonly seed: number;
    readonly mean: number;
    readonly standardDeviation: number;
    readonly probabilityPositive: number;
    readonly stochasticDrivers: string[];
    readonly dependence: Dependence;
  };
  readonly driverExtremes: Record<RiskCase, DriverExtremeCase> & { readonly note: string };
  readonly rule: string;
}

export interface RiskAdjustmentOptions extends Omit<RangeOptions, 'swing'> {
  readonly weights?: Readonly<Record<RiskCase, number>>;
  readonly trials?: number;
  readonly seed?: number;
  readonly timeBudgetMs?: number;
  readonly signal?: AbortSignal;
}

const label = (p: number): string => `P${Math.round(p * 1000) / 10}`;

/** Share of `sorted` strictly below x (binary search). */
function shareBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

/**
 * Risk cases from the simulated NPV (issue #11 item 6): conservative / probable / optimistic are the output's
 * low / P50 / high percentiles (default P10 / P50 / P90), with the model's correlations, and the weighted value is
 * Swanson's rule on them. Moving every driver to its P10 at once is not the output's P10 (for independent drivers it
 * is far rarer), so those cases are only reported beside, as `driverExtremes`, with where they land in the output.
 */
export async function riskAdjust(loaded: LoadedModel, options: RiskAdjustmentOptions = {}): Promise<RiskAdjustmentResult> {
  const { compiled, parsed } = loaded;
  const weights = options.weights ?? DEFAULT_RISK_WEIGHTS;
  const lowP = options.lowPercentile ?? 0.1;
  const highP = options.highPercentile ?? 0.9;
  const ps: Record<RiskCase, number> = { conservative: lowP, probable: 0.5, optimistic: highP };
  const trials = options.trials ?? RISK_DEFAULT_TRIALS;
  const seed = options.seed ?? RISK_DEFAULT_SEED;
  let sorted = new Float64Array(0);
  const sim = await simulate(loaded, {
    trials,
    seed,
    metric: 'npv',
    target: 0,
    bins: 1,
    quantiles: riskCases.map((c) => ps[c]),
    timeBudgetMs: options.timeBudgetMs ?? 10_000,
    ...(options.signal ? { signal: options.signal } : {}),
    onValues: (values) => (sorted = Float64Array.from(values).sort()),
  });
  const cases = Object.fromEntries(
    riskCases.map((c, i) => [c, { percentile: label(ps[c]), p: ps[c], npv: sim.quantiles[i]!.value, standardError: sim.quantiles[i]!.standardError }]),
  ) as Record<RiskCase, SimulatedRiskCase>;
  const npv = riskCases.reduce((sum, c) => sum + weights[c] * cases[c].npv, 0);

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
  const extreme = (caseSlots: Float64Array): DriverExtremeCase => {
    const evaluation = evaluateModel(compiled, parsed, caseSlots);
    const result = summarize(evaluation);
    return { drivers: evaluation.drivers, result, outputPercentile: shareBelow(sorted, result.npv) };
  };
  const driverExtremes = {
    conservative: extreme(conservative),
    probable: extreme(compiled.baseSlots()),
    optimistic: extreme(optimistic),
    note: 'every driver with a range at the end that lowers (raises) NPV at once; outputPercentile is where that lands among the simulated NPVs, not a risk case',
  };
  return {
    cases,
    weights,
    probabilityWeighted: {
      npv,
      rule: `Σ weight × case NPV on the simulated output's ${label(lowP)} / P50 / ${label(highP)}; with 0.3 / 0.4 / 0.3 on P10 / P50 / P90 this is Swanson's rule, an estimate of the mean`,
    },
    simulation: {
      trials,
      seed,
      mean: sim.mean,
      standardDeviation: sim.standardDeviation,
      probabilityPositive: sim.probabilityAboveTarget,
      stochasticDrivers: sim.stochasticDrivers,
      dependence: sim.dependence,
    },
    driverExtremes,
    rule: `cases are percentiles of the simulated NPV (${trials} trials, seed ${seed}, ${sim.dependence.method} drivers); percentile rule: ${sim.method.percentiles}`,
  };
}
