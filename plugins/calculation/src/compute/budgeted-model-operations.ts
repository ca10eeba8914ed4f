import type { CalculationService, ComputeContext } from '../calculation-api';
import type { CalculationLimits } from '../service/model-operations';
import { DEFAULT_COMPUTE_BUDGET_MS, ESTIMATE_IN_WORKER_ABOVE_CHARS, INLINE_BELOW_MS } from './compute-budget';
import type { ComputePool } from './compute-pool';
import { checkComputeEstimate, runComputeTask, type ComputeOperation, type ComputeTask } from './compute-task';
import { expressionTextLength } from './estimate-compute-cost';

type BudgetedOperations = Pick<CalculationService, ComputeOperation>;

export interface ComputeOptions {
  /** Where heavy work runs; without one every evaluation runs on the calling thread (estimate still checked). */
  readonly pool?: ComputePool;
  /** The budget in ms for a call (the plugin reads the tenant's config); default `DEFAULT_COMPUTE_BUDGET_MS`. */
  readonly budgetFor?: (context: ComputeContext) => number | Promise<number>;
  /** The tenant a call is for when its context names none (the plugin reads the current request). */
  readonly tenantOf?: (context: ComputeContext) => string | undefined;
  /** Told the Monte Carlo trials an operation ran, after it succeeded (platform metering). */
  readonly onTrials?: (tenantId: string, trials: number) => void;
}

/** The Monte Carlo trials a result reports: its own `trials`, or those of a part (a headline's or risk cases' simulation). */
export function trialsIn(result: unknown): number {
  if (typeof result !== 'object' || result === null) return 0;
  const own = (result as { trials?: unknown }).trials;
  if (typeof own === 'number') return own;
  for (const value of Object.values(result)) {
    const nested = typeof value === 'object' && value !== null ? (value as { trials?: unknown }).trials : undefined;
    if (typeof nested === 'number') return nested;
  }
  return 0;
}

/**
 * The value-model operations of the service under a compute budget, one mechanism for all of them:
 * 1. the budget of the caller's tenant;
 * 2. the cost estimate (`estimateComputeCost`), refused with 422 `VV_COMPUTE_BUDGET_EXCEEDED` before any work when
 *    it is over the budget (made here, or for models with much expression text first thing on the worker);
 * 3. the work: tiny requests on the calling thread, the rest on the worker pool, where a task that runs past the
 *    budget is stopped and answered with the same error.
 */
export function createBudgetedModelOperations(limits: CalculationLimits, options: ComputeOptions = {}): BudgetedOperations {
  const run = async (operation: ComputeOperation, input: unknown, context: ComputeContext = {}): Promise<unknown> => {
    const result = await compute(operation, input, context);
    if (options.onTrials && (operation === 'simulate' || operation === 'riskAdjustment' || operation === 'headline')) {
      const tenant = context.tenantId ?? options.tenantOf?.(context);
      const trials = trialsIn(result);
      if (tenant !== undefined && trials > 0) options.onTrials(tenant, trials);
    }
    return result;
  };
  const compute = async (operation: ComputeOperation, input: unknown, context: ComputeContext): Promise<unknown> => {
    const tenant = context.tenantId ?? options.tenantOf?.(context);
    const scoped: ComputeContext = { ...context, ...(tenant === undefined ? {} : { tenantId: tenant }) };
    const budgetMs = options.budgetFor ? await options.budgetFor(scoped) : DEFAULT_COMPUTE_BUDGET_MS;
    const onPool = (task: ComputeTask) => options.pool!.run(task, { tenant: tenant ?? '', ...(context.signal ? { signal: context.signal } : {}) });
    // Parsing a model of many long expressions takes tens of milliseconds: then the worker makes the estimate
    // (and refuses before any evaluation), so this thread never parses more than a small model.
    if (options.pool && expressionTextLength(input) > ESTIMATE_IN_WORKER_ABOVE_CHARS) return onPool({ operation, input, limits, budgetMs });
    const cost = checkComputeEstimate(operation, input, budgetMs);
    const task: ComputeTask = { operation, input, limits, budgetMs, estimated: true, ...(cost ? { estimatedMs: cost.estimatedMs } : {}) };
    if (!options.pool || !cost || cost.estimatedMs < INLINE_BELOW_MS) return runComputeTask(task, context.signal);
    return onPool(task);
  };
  return {
    evaluateModel: (request, context) => run('evaluateModel', request, context) as never,
    headline: (request, context) => run('headline', request, context) as never,
    scenario: (request, context) => run('scenario', request, context) as never,
    sensitivity: (request, context) => run('sensitivity', request, context) as never,
    goalSeek: (request, context) => run('goalSeek', request, context) as never,
    riskAdjustment: (request, context) => run('riskAdjustment', request, context) as never,
    simulate: (request, context) => run('simulate', request, context) as never,
  };
}
