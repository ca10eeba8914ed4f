import { performance } from 'node:perf_hooks';
import { VvError } from '@valueverse/plugin-sdk';
import type { LoadedModel } from '../model/load-value-model';
import type { ModelMetricName } from '../model/model-metric';
import { VectorModel } from '../model/vector-model';
import { dependenceOf, type Dependence } from './correlation-matrix';
import { createSampler, type Sampler } from './distributions';
import { ImanConover } from './iman-conover';
import { SeededRandom } from './seeded-random';
import { PERCENTILE_RULE, QUANTILE_STANDARD_ERROR_RULE, summaryStatistics, type SummaryStatistics } from './summary-statistics';

export const MAX_TRIALS = 1_000_000;

export interface SimulationOptions {
  readonly trials: number;
  /** Unsigned 32-bit seed; the same seed gives bit-identical results on every machine. */
  readonly seed: number;
  readonly metric: ModelMetricName;
  /** Threshold for `probabilityAboveTarget` (default 0). */
  readonly target: number;
  readonly bins: number;
  /** Extra quantiles to report (fractions 0..1), e.g. 0.2 for the P80 commitment level. */
  readonly quantiles?: readonly number[];
  /** Wall-clock budget; the run stops with VV_VALIDATION once it is exceeded or projected to be. */
  readonly timeBudgetMs: number;
  readonly signal?: AbortSignal;
  /** Trials per slice between budget checks and event-loop yields. */
  readonly chunkSize?: number;
  /** Receives every trial's value (in trial order) before they are summarised, for callers that need more than the summary. */
  readonly onValues?: (values: Float64Array) => void;
}

export interface SimulationResult extends SummaryStatistics {
  readonly metric: ModelMetricName;
  readonly trials: number;
  readonly seed: number;
  readonly stochasticDrivers: string[];
  /** How the drivers were drawn together: independently, or with the model's rank correlations (Iman–Conover). */
  readonly dependence: Dependence;
  readonly elapsedMs: number;
  readonly method: {
    readonly rng: string;
    readonly sampling: string;
    readonly percentiles: string;
    readonly quantileStandardError: string;
  };
}

const DEFAULT_CHUNK = 4096;
/** Budget checks start extrapolating once this much time has passed, so one slow slice cannot reject a run. */
const PROJECTION_AFTER_MS = 50;

/** The errors `overBudget` made, so a caller can tell a run stopped by its time budget without reading its text. */
const overBudgetErrors = new WeakSet<object>();

/** True when `error` is a simulation stopped by its time budget (VV_VALIDATION at `/trials`). */
export function isSimulationOverBudget(error: unknown): boolean {
  return typeof error === 'object' && error !== null && overBudgetErrors.has(error);
}

function overBudget(done: number, trials: number, elapsedMs: number, budgetMs: number, projected: boolean): VvError {
  const detail = projected
    ? `Simulation over budget: ${trials} trials are projected to take ${Math.round((elapsedMs * trials) / done)} ms, more than the ${budgetMs} ms time budget (${done} trials took ${Math.round(elapsedMs)} ms); ask for fewer trials or a larger timeBudgetMs`
    : `Simulation over budget: ${done} of ${trials} trials took ${Math.round(elapsedMs)} ms, more than the ${budgetMs} ms time budget`;
  const error = VvError.validation([{ pointer: '/trials', message: detail }], detail);
  overBudgetErrors.add(error);
  return error;
}

/**
 * Seeded Monte Carlo over a value model. Every stochastic driver draws from its own xoshiro128** stream named after
 * it. Trials run a slice at a time: the samplers fill one typed-array column per driver, then the vectorised model
 * evaluates the whole slice (see `VectorModel`). Between slices the run checks its time budget and yields to the
 * event loop, so a large run neither freezes the instance nor outlives its budget.
 */
export async function simulate(loaded: LoadedModel, options: SimulationOptions): Promise<SimulationResult> {
  const started = performance.now();
  const { compiled } = loaded;
  const stochastic = compiled.drivers.map((d, i) => ({ driver: d, slot: i })).filter((x) => x.driver.distribution !== undefined);
  const samplers: Sampler[] = stochastic.map((x) => createSampler(x.driver.distribution!));
  const streams = stochastic.map((x) => SeededRandom.forStream(options.seed, `driver:${x.driver.name}`));
  const chunk = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK, options.trials));
  const vector = new VectorModel(
    compiled,
    stochastic.map((x) => x.slot),
    chunk,
  );
  const results = new Float64Array(options.trials);
  const metric = options.metric;
  const plan = loaded.correlation;
  const correlated = plan ? plan.drivers.map((slot) => vector.driverColumns[stochastic.findIndex((x) => x.slot === slot)]!) : [];
  const pairing = plan ? new ImanConover(plan, SeededRandom.forStream(options.seed, 'dependence:iman-conover'), chunk) : undefined;

  let done = 0;
  while (done < options.trials) {
    if (options.signal?.aborted) throw new VvError('VV_VALIDATION', { detail: 'Simulation cancelled: the request was aborted' });
    const n = Math.min(chunk, options.trials - done);
    for (let d = 0; d < samplers.length; d++) samplers[d]!(streams[d]!, vector.driverColumns[d]!, n);
    pairing?.reorder(correlated, n);
    const { npv, totalBenefits, totalCosts } = vector.run(n);
    for (let k = 0; k < n; k++) {
      const value = metric === 'npv' ? npv[k]! : (totalBenefits[k]! - totalCosts[k]!) / totalCosts[k]!;
      if (!Number.isFinite(value) || (metric === 'roi' && !(totalCosts[k]! > 0))) {
        const drawn = Object.fromEntries(stochastic.map((x, d) => [x.driver.name, vector.driverColumns[d]![k]]));
        const detail = `Trial ${done + k + 1} gives a non-finite ${metric.toUpperCase()} (${value}) for drivers ${JSON.stringify(drawn)}: check formulas for divisions by zero${metric === 'roi' ? ' and that total costs stay positive' : ''}`;
        throw VvError.validation([{ pointer: '/model', message: detail }], detail);
      }
      results[done + k] = value;
    }
    done += n;
    const elapsed = performance.now() - started;
    if (elapsed > options.timeBudgetMs) throw overBudget(done, options.trials, elapsed, options.timeBudgetMs, false);
    if (done < options.trials) {
      if (elapsed > PROJECTION_AFTER_MS && (elapsed * options.trials) / done > options.timeBudgetMs * 1.25) {
        throw overBudget(done, options.trials, elapsed, options.timeBudgetMs, true);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  options.onValues?.(results);
  const summary = summaryStatistics(results, options.target, options.bins, options.quantiles);
  return {
    metric,
    trials: options.trials,
    seed: options.seed,
    stochasticDrivers: stochastic.map((x) => x.driver.name),
    dependence: dependenceOf(plan),
    ...summary,
    elapsedMs: performance.now() - started,
    method: {
      rng: 'xoshiro128** per driver, seeded by SplitMix64 from (seed, driver name); bit-reproducible',
      sampling: 'inversion for triangular, uniform, normal (AS 241) and lognormal; PERT as Beta(α, β) from Marsaglia-Tsang gamma variates',
      percentiles: PERCENTILE_RULE,
      quantileStandardError: QUANTILE_STANDARD_ERROR_RULE,
    },
  };
}
