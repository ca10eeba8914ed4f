import type { CalculationService, Dependence, SimulationResult, ValueModel } from '@valueverse/plugin-calculation/api';
import { VvError } from '@valueverse/plugin-sdk';

export interface CommittedValueRequest {
  readonly model: ValueModel;
  /** e.g. 0.8 for P80: "80% confident we deliver at least the committed value". */
  readonly confidence: number;
  readonly trials: number;
  readonly seed: number;
  /** Commit a zero or negative value anyway (issue #11 item 10: refused unless explicitly allowed). */
  readonly allowNonPositive?: boolean;
}

/** How a committed value was found, kept with the commitment so anyone can re-run it. */
export interface CommitmentSimulation {
  readonly metric: 'npv';
  readonly trials: number;
  readonly seed: number;
  /** Quantile of the simulated NPV used as the committed value: 1 − confidence. */
  readonly quantile: number;
  readonly mean: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly stochasticDrivers: string[];
  /** Share of trials whose NPV is above the committed value: `confidence`, give or take one trial. */
  readonly shareAbove: number;
  /**
   * Monte Carlo standard error of the committed value (the quantile's √(p(1−p)/n)/f(x_p), density from the sample):
   * how far another seed could move it. Absent on commitments made before it was reported.
   */
  readonly standardError?: number;
  /** How drivers were drawn together (independent, or the model's rank correlations). */
  readonly dependence?: Dependence;
  /** Set when a non-positive committed value was explicitly allowed. */
  readonly allowNonPositive?: boolean;
  readonly rule: string;
}

export interface CommittedValue {
  /** Deterministic NPV of the model at its point values. */
  readonly baseValue: number;
  readonly committedValue: number;
  readonly simulation: CommitmentSimulation;
}

const RULE = 'the (1 − confidence) quantile of the simulated NPV by linear interpolation between order statistics (Excel PERCENTILE.INC), from one seeded run';

/**
 * The risk-adjusted committed value: the (1 − confidence) quantile of the model's simulated NPV, through the
 * calculation plugin's seeded Monte Carlo (P80 → the 20th percentile), in one run; a second run with that value as
 * target measures the share of trials above it, kept with the commitment. Same seed and trials, same sample: anyone
 * can re-run it.
 */
export async function committedValueOf(calc: CalculationService, request: CommittedValueRequest, signal?: AbortSignal): Promise<CommittedValue> {
  const { model, confidence, trials, seed, allowNonPositive = false } = request;
  const context = signal ? { signal } : {};
  const baseValue = (await calc.evaluateModel({ model }, context)).metrics.npv.value;
  const quantile = round(1 - confidence);
  const first: SimulationResult = await calc.simulate({ model, trials, seed, bins: 1, quantiles: [quantile] }, context);
  const flat = first.min === first.max;
  const committedValue = flat ? first.min : first.quantiles[0]!.value;
  if (!(committedValue > 0) && !allowNonPositive) {
    const detail = `At ${Math.round(confidence * 1000) / 10}% confidence the committed value would be ${Math.round(committedValue)} (the ${round(quantile * 100)}th percentile of the simulated NPV): a commitment promises a positive value. Lower the confidence, revise the model, or send allowNonPositive: true to commit it anyway.`;
    throw new VvError('VV_NO_SOLUTION', { detail, params: { reason: detail }, errors: [{ pointer: '/confidence', message: detail }] });
  }
  const shareAbove = flat ? 0 : (await calc.simulate({ model, trials, seed, target: committedValue, bins: 1 }, context)).probabilityAboveTarget;
  return {
    baseValue,
    committedValue,
    simulation: {
      metric: 'npv',
      trials,
      seed,
      quantile,
      mean: first.mean,
      p10: first.percentiles.p10,
      p50: first.percentiles.p50,
      p90: first.percentiles.p90,
      stochasticDrivers: first.stochasticDrivers,
      shareAbove,
      standardError: flat ? 0 : first.quantiles[0]!.standardError,
      dependence: first.dependence,
      ...(allowNonPositive ? { allowNonPositive: true } : {}),
      rule: flat ? 'every trial gives the same NPV' : RULE,
    },
  };
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
