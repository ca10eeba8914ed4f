import type { LoadedModel } from '../model/load-value-model';
import type { Dependence } from './correlation-matrix';
import { simulate } from './simulate';

/** Trials and seed of a headline's simulation when the request names none: fixed, so a model's headline is stable. */
export const HEADLINE_DEFAULT_TRIALS = 10_000;
export const HEADLINE_DEFAULT_SEED = 1;

/**
 * The NPV a CFO should read beside the point figure when drivers are uncertain (issue #11 item 8): the point NPV
 * (every driver at its most likely value) is not the expected NPV of a non-linear model, and can even have the
 * other sign.
 */
export interface UncertainHeadline {
  /** NPV with every driver at its point value (the same as `metrics.npv.value`). */
  readonly pointNpv: number;
  /** Simulated mean NPV, and its Monte Carlo standard error σ/√n. */
  readonly expectedNpv: number;
  readonly expectedNpvStandardError: number;
  /** Share of trials with NPV > 0. */
  readonly probabilityPositive: number;
  readonly trials: number;
  readonly seed: number;
  readonly stochasticDrivers: string[];
  readonly dependence: Dependence;
  /** False when the point NPV and the expected NPV have different signs; `warning` then says so. */
  readonly signsAgree: boolean;
  readonly warning?: string;
}

export interface HeadlineOptions {
  readonly trials: number;
  readonly seed: number;
  readonly timeBudgetMs: number;
  readonly signal?: AbortSignal;
}

const money = (x: number): string => Math.round(x).toLocaleString('en-US');

/** The headline of a model with uncertain drivers; undefined when no driver has a distribution (the point NPV is certain). */
export async function uncertainHeadline(loaded: LoadedModel, pointNpv: number, options: HeadlineOptions): Promise<UncertainHeadline | undefined> {
  if (!loaded.compiled.drivers.some((d) => d.distribution !== undefined)) return undefined;
  const sim = await simulate(loaded, { ...options, metric: 'npv', target: 0, bins: 1 });
  const expectedNpv = sim.mean;
  const signsAgree = Math.sign(pointNpv) === Math.sign(expectedNpv) || pointNpv === 0 || expectedNpv === 0;
  const warning = signsAgree
    ? undefined
    : `The point NPV (${money(pointNpv)}) and the expected NPV over the drivers' uncertainty (${money(expectedNpv)}) have different signs; P(NPV > 0) is ${(sim.probabilityAboveTarget * 100).toFixed(1)}%. Do not present the point NPV alone.`;
  return {
    pointNpv,
    expectedNpv,
    expectedNpvStandardError: sim.standardDeviation / Math.sqrt(sim.trials),
    probabilityPositive: sim.probabilityAboveTarget,
    trials: sim.trials,
    seed: sim.seed,
    stochasticDrivers: sim.stochasticDrivers,
    dependence: sim.dependence,
    signsAgree,
    ...(warning ? { warning } : {}),
  };
}
