import { randomInt } from 'node:crypto';
import type {
  GoalSeekRequest,
  HeadlineRequest,
  ModelRequest,
  RangeRequestOptions,
  RiskAdjustmentRequest,
  ScenarioRequest,
  SensitivityRequest,
  SimulateContext,
  SimulateRequest,
} from '../calculation-api';
import { evaluateModel, type ModelEvaluation } from '../model/evaluate-model';
import { loadValueModel, type LoadedModel } from '../model/load-value-model';
import { modelMetricNames } from '../model/model-metric';
import { MAX_TRIALS, simulate, type SimulationResult } from '../monte-carlo/simulate';
import { MAX_SEED } from '../monte-carlo/seeded-random';
import { HEADLINE_DEFAULT_SEED, HEADLINE_DEFAULT_TRIALS, uncertainHeadline, type UncertainHeadline } from '../monte-carlo/uncertain-headline';
import { goalSeek, type GoalSeekResult } from '../scenario/goal-seek';
import { riskAdjust, riskCases, RISK_DEFAULT_SEED, RISK_DEFAULT_TRIALS, type RiskAdjustmentResult, type RiskCase } from '../scenario/risk-adjustment';
import { sensitivity, type SensitivityResult } from '../scenario/sensitivity';
import { runWhatIf, type WhatIfResult, type WhatIfScenario } from '../scenario/what-if';
import { InputChecker, pointerToken } from '../validation/input-checker';

/**
 * The engine's value-model operations, run to the end on the calling thread. The service runs them under a compute
 * budget (`compute/`), in a worker thread unless they are tiny.
 */
export interface ModelOperations {
  evaluateModel(request: ModelRequest): ModelEvaluation;
  headline(request: HeadlineRequest, context?: SimulateContext): Promise<UncertainHeadline | null>;
  scenario(request: ScenarioRequest): WhatIfResult;
  sensitivity(request: SensitivityRequest): SensitivityResult;
  goalSeek(request: GoalSeekRequest): GoalSeekResult;
  riskAdjustment(request: RiskAdjustmentRequest, context?: SimulateContext): Promise<RiskAdjustmentResult>;
  simulate(request: SimulateRequest, context?: SimulateContext): Promise<SimulationResult>;
}

/** Per-request budgets of the service. */
export interface CalculationLimits {
  /** Most Monte Carlo trials per request (at most 1,000,000). */
  readonly maxTrials: number;
  /** Time budget of a simulation that does not ask for one. */
  readonly defaultTimeBudgetMs: number;
  /** Largest time budget a request may ask for. */
  readonly maxTimeBudgetMs: number;
}

export const defaultCalculationLimits: CalculationLimits = { maxTrials: MAX_TRIALS, defaultTimeBudgetMs: 10_000, maxTimeBudgetMs: 60_000 };

const MAX_SCENARIOS = 100;

function request(checker: InputChecker, value: unknown): Record<string, unknown> {
  return checker.object(value, '') ?? {};
}

/** Loads the model of a request, reporting model problems together with the other fields' problems. */
function load(checker: InputChecker, b: Record<string, unknown>): LoadedModel {
  return loadValueModel(b['model'], '/model', checker);
}

function driverName(checker: InputChecker, loaded: LoadedModel, value: unknown, pointer: string): string {
  const name = checker.text(value, pointer);
  if (name && loaded.compiled.driverSlot(name) === undefined) {
    checker.problem(pointer, `"${name}" is not a driver of the model (drivers: ${loaded.compiled.drivers.map((d) => d.name).join(', ') || 'none'})`);
  }
  return name;
}

function percentileOption(checker: InputChecker, b: Record<string, unknown>, key: string, fallback: number): number {
  return checker.optionalNumber(b[key], `/${key}`, fallback, { greaterThan: 0, max: 0.999999 });
}

function rangeOptions(checker: InputChecker, loaded: LoadedModel, b: Record<string, unknown>): RangeRequestOptions & { overrides?: Record<string, { low: number; high: number }> } {
  const lowPercentile = percentileOption(checker, b, 'lowPercentile', 0.1);
  const highPercentile = percentileOption(checker, b, 'highPercentile', 0.9);
  if (lowPercentile >= highPercentile) checker.problem('/highPercentile', `must be greater than lowPercentile (${lowPercentile})`);
  let overrides: Record<string, { low: number; high: number }> | undefined;
  if (b['ranges'] !== undefined) {
    const raw = checker.object(b['ranges'], '/ranges');
    overrides = Object.create(null) as Record<string, { low: number; high: number }>;
    for (const [name, range] of Object.entries(raw ?? {})) {
      const at = `/ranges/${pointerToken(name)}`;
      driverName(checker, loaded, name, at);
      const r = checker.object(range, at);
      if (!r) continue;
      const low = checker.number(r['low'], `${at}/low`);
      const high = checker.number(r['high'], `${at}/high`);
      if (low > high) checker.problem(`${at}/high`, `must be at least low (${low})`);
      overrides[name] = { low, high };
    }
  }
  return { lowPercentile, highPercentile, ...(overrides ? { overrides } : {}) };
}

/** Value-model operations: checks beyond the model itself (driver names, budgets), then the engine. */
export function createModelOperations(limits: CalculationLimits = defaultCalculationLimits): ModelOperations {
  return {
    evaluateModel(input) {
      const checker = new InputChecker();
      const loaded = load(checker, request(checker, input));
      return evaluateModel(loaded.compiled, loaded.parsed);
    },

    async headline(input, context = {}) {
      const checker = new InputChecker();
      const b = request(checker, input);
      const trials = checker.optionalNumber(b['trials'], '/trials', Math.min(HEADLINE_DEFAULT_TRIALS, limits.maxTrials), { integer: true, min: 100, max: limits.maxTrials });
      const seed = checker.optionalNumber(b['seed'], '/seed', HEADLINE_DEFAULT_SEED, { integer: true, min: 0, max: MAX_SEED });
      const loaded = load(checker, b);
      checker.throwIfAny();
      const pointNpv = evaluateModel(loaded.compiled, loaded.parsed).metrics.npv.value;
      const headline = await uncertainHeadline(loaded, pointNpv, {
        trials,
        seed,
        timeBudgetMs: limits.defaultTimeBudgetMs,
        ...(context.signal ? { signal: context.signal } : {}),
      });
      return headline ?? null;
    },

    scenario(input) {
      const checker = new InputChecker();
      const b = request(checker, input);
      const loaded = load(checker, b);
      const scenarios: WhatIfScenario[] = [];
      const raw = b['scenarios'];
      if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_SCENARIOS) {
        checker.problem('/scenarios', `must be an array of 1 to ${MAX_SCENARIOS} scenarios`);
      } else {
        raw.forEach((s, i) => {
          const at = `/scenarios/${i}`;
          const rs = checker.object(s, at);
          if (!rs) return;
          const name = checker.text(rs['name'], `${at}/name`, { maxLength: 200 });
          // No prototype: a driver named "__proto__" must be an ordinary key.
          const overrides: Record<string, number> = Object.create(null) as Record<string, number>;
          for (const [driver, value] of Object.entries(checker.object(rs['overrides'], `${at}/overrides`) ?? {})) {
            const vat = `${at}/overrides/${pointerToken(driver)}`;
            driverName(checker, loaded, driver, vat);
            overrides[driver] = checker.number(value, vat);
          }
          const probability = rs['probability'] === undefined ? undefined : checker.number(rs['probability'], `${at}/probability`, { min: 0, max: 1 });
          scenarios.push({ name, overrides, ...(probability === undefined ? {} : { probability }) });
        });
        const withProbability = scenarios.filter((s) => s.probability !== undefined);
        if (withProbability.length > 0 && withProbability.length < scenarios.length) {
          checker.problem('/scenarios', 'give a probability for every scenario or for none');
        } else if (withProbability.length > 0) {
          const total = withProbability.reduce((sum, s) => sum + s.probability!, 0);
          if (Math.abs(total - 1) > 1e-9) checker.problem('/scenarios', `probabilities must add up to 1, they add up to ${total}`);
        }
      }
      checker.throwIfAny();
      return runWhatIf(loaded, scenarios);
    },

    sensitivity(input) {
      const checker = new InputChecker();
      const b = request(checker, input);
      const loaded = load(checker, b);
      const metric = checker.choice(b['metric'], '/metric', modelMetricNames, 'npv');
      const swing = checker.optionalNumber(b['swing'], '/swing', 0.1, { greaterThan: 0, max: 10 });
      let drivers: string[] | undefined;
      if (b['drivers'] !== undefined) {
        if (!Array.isArray(b['drivers'])) checker.problem('/drivers', 'must be an array of driver names');
        else drivers = b['drivers'].map((d, i) => driverName(checker, loaded, d, `/drivers/${i}`));
      }
      const ranges = rangeOptions(checker, loaded, b);
      checker.throwIfAny();
      return sensitivity(loaded, { metric, swing, ...ranges, ...(drivers ? { drivers } : {}) });
    },

    goalSeek(input) {
      const checker = new InputChecker();
      const b = request(checker, input);
      const loaded = load(checker, b);
      const driver = driverName(checker, loaded, b['driver'], '/driver');
      const metric = checker.choice(b['metric'], '/metric', modelMetricNames, 'npv');
      const target = checker.number(b['target'], '/target');
      const hasMin = b['min'] !== undefined;
      const hasMax = b['max'] !== undefined;
      if (hasMin !== hasMax) checker.problem(hasMin ? '/max' : '/min', 'min and max must be given together');
      const min = hasMin ? checker.number(b['min'], '/min') : undefined;
      const max = hasMax ? checker.number(b['max'], '/max') : undefined;
      if (min !== undefined && max !== undefined && !(min < max)) checker.problem('/max', `must be greater than min (${min})`);
      checker.throwIfAny();
      return goalSeek(loaded, { driver, metric, target, ...(min !== undefined && max !== undefined ? { min, max } : {}) });
    },

    async riskAdjustment(input, context = {}) {
      const checker = new InputChecker();
      const b = request(checker, input);
      const trials = checker.optionalNumber(b['trials'], '/trials', Math.min(RISK_DEFAULT_TRIALS, limits.maxTrials), { integer: true, min: 100, max: limits.maxTrials });
      const seed = checker.optionalNumber(b['seed'], '/seed', RISK_DEFAULT_SEED, { integer: true, min: 0, max: MAX_SEED });
      const loaded = load(checker, b);
      const ranges = rangeOptions(checker, loaded, b);
      let weights: Record<RiskCase, number> | undefined;
      if (b['weights'] !== undefined) {
        const raw = checker.object(b['weights'], '/weights') ?? {};
        weights = { conservative: 0, probable: 0, optimistic: 0 };
        for (const c of riskCases) weights[c] = checker.number(raw[c], `/weights/${c}`, { min: 0, max: 1 });
        const total = riskCases.reduce((sum, c) => sum + weights![c], 0);
        if (checker.ok && Math.abs(total - 1) > 1e-9) checker.problem('/weights', `must add up to 1, they add up to ${total}`);
      }
      checker.throwIfAny();
      return riskAdjust(loaded, {
        ...ranges,
        ...(weights ? { weights } : {}),
        trials,
        seed,
        timeBudgetMs: limits.defaultTimeBudgetMs,
        ...(context.signal ? { signal: context.signal } : {}),
      });
    },

    async simulate(input, context = {}) {
      const checker = new InputChecker();
      const b = request(checker, input);
      // The trial budget is checked before anything else is built.
      const trials = checker.number(b['trials'], '/trials', { integer: true, min: 1, max: limits.maxTrials });
      const seed = b['seed'] === undefined ? randomInt(0, MAX_SEED + 1) : checker.number(b['seed'], '/seed', { integer: true, min: 0, max: MAX_SEED });
      const metric = checker.choice(b['metric'], '/metric', modelMetricNames, 'npv');
      const target = checker.optionalNumber(b['target'], '/target', 0);
      const bins = checker.optionalNumber(b['bins'], '/bins', 20, { integer: true, min: 1, max: 200 });
      const rawQuantiles = b['quantiles'] ?? [];
      const quantiles: number[] = [];
      if (!Array.isArray(rawQuantiles) || rawQuantiles.length > 99) checker.problem('/quantiles', 'must be an array of at most 99 fractions in [0, 1]');
      else rawQuantiles.forEach((q, i) => quantiles.push(checker.number(q, `/quantiles/${i}`, { min: 0, max: 1 })));
      const timeBudgetMs = checker.optionalNumber(b['timeBudgetMs'], '/timeBudgetMs', limits.defaultTimeBudgetMs, {
        greaterThan: 0,
        max: limits.maxTimeBudgetMs,
      });
      const loaded = load(checker, b);
      checker.throwIfAny();
      return simulate(loaded, { trials, seed, metric, target, bins, quantiles, timeBudgetMs, ...(context.signal ? { signal: context.signal } : {}) });
    },
  };
}
