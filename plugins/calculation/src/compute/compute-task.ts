import { isVvError, VvError, type ErrorCode, type FieldProblem } from '@valueverse/plugin-sdk';
import { isSimulationOverBudget } from '../monte-carlo/simulate';
import { createModelOperations, type CalculationLimits } from '../service/model-operations';
import type { ComputeOperation } from './compute-operation';
import { estimateComputeCost, type ComputeCost } from './estimate-compute-cost';

export { computeOperations, type ComputeOperation } from './compute-operation';

/** One budgeted evaluation, as it crosses to a worker thread (structured clone: plain data only). */
export interface ComputeTask {
  readonly operation: ComputeOperation;
  /** The request as the service received it; validated again where it runs. */
  readonly input: unknown;
  readonly limits: CalculationLimits;
  readonly budgetMs: number;
  /** True when the caller already checked the cost estimate against the budget. */
  readonly estimated?: boolean;
  /** The estimate in ms, when the caller made it (the pool's short-task lane takes only estimated short work). */
  readonly estimatedMs?: number;
}

/** A VvError as plain data, to cross the thread boundary and be rebuilt with the same code, detail and fields. */
export interface SerializedError {
  readonly code?: ErrorCode;
  readonly message: string;
  readonly params?: Record<string, unknown>;
  readonly errors?: readonly FieldProblem[];
  readonly extensions?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

export function serializeError(error: unknown): SerializedError {
  if (isVvError(error)) {
    const { code, message, params, errors, extensions, headers } = error;
    return { code, message, params, errors, extensions, headers };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

export function deserializeError(data: SerializedError): Error {
  if (!data.code) return new Error(data.message);
  return new VvError(data.code, {
    detail: data.message,
    ...(data.params ? { params: data.params } : {}),
    ...(data.errors ? { errors: data.errors } : {}),
    ...(data.extensions ? { extensions: data.extensions } : {}),
    ...(data.headers ? { headers: data.headers } : {}),
  });
}

/** `VV_COMPUTE_BUDGET_EXCEEDED`, naming the budget and why it was exceeded. */
export function computeBudgetExceeded(budgetMs: number, reason: string): VvError {
  return new VvError('VV_COMPUTE_BUDGET_EXCEEDED', {
    params: { budget: `calculation.computeBudgetMs = ${budgetMs} ms`, reason },
    extensions: { budget: { name: 'calculation.computeBudgetMs', valueMs: budgetMs } },
  });
}

/**
 * Refuses work whose estimated cost (`estimateComputeCost`) is over the budget, before any of it starts; returns
 * the estimate (undefined for a model that does not parse, whose validation error costs nothing).
 */
export function checkComputeEstimate(operation: ComputeOperation, input: unknown, budgetMs: number): ComputeCost | undefined {
  const cost = estimateComputeCost(operation, input);
  if (cost && cost.estimatedMs > budgetMs) {
    throw computeBudgetExceeded(budgetMs, `estimated at ${Math.round(cost.estimatedMs)} ms before starting (${cost.basis})`);
  }
  return cost;
}

/** A client that went away before its evaluation finished (as simulate.ts says it). */
export function evaluationCancelled(): VvError {
  return new VvError('VV_VALIDATION', { detail: 'Evaluation cancelled: the request was aborted' });
}

/**
 * Runs one task to the end on the current thread: the worker threads call it, and so does the service for work
 * too small to be worth a thread hop. A simulation's own time budget defaults to the compute budget, so its
 * projection (after the first slices) stops a run that cannot finish in time well before the worker is killed.
 */
export async function runComputeTask(task: ComputeTask, signal?: AbortSignal): Promise<unknown> {
  if (signal?.aborted) throw evaluationCancelled();
  if (!task.estimated) checkComputeEstimate(task.operation, task.input, task.budgetMs);
  const request = (task.input ?? {}) as Record<string, unknown>;
  const operations = createModelOperations({ ...task.limits, defaultTimeBudgetMs: Math.min(task.limits.defaultTimeBudgetMs, task.budgetMs) });
  // A simulation's time budget is the compute budget unless a simulate request asked for a smaller one of its own;
  // the headline and risk cases simulate with no say in it. When the compute budget is what stops the run, the
  // answer is the budget error, not the simulation's own 400.
  const asked = request['timeBudgetMs'];
  const budgetBinds = task.operation !== 'simulate' || typeof asked !== 'number' || (asked >= task.budgetMs && asked <= task.limits.maxTimeBudgetMs);
  const context = signal ? { signal } : {};
  try {
    switch (task.operation) {
      case 'simulate':
        return await operations.simulate((budgetBinds && typeof asked === 'number' ? { ...request, timeBudgetMs: task.budgetMs } : task.input) as never, context);
      case 'headline':
      case 'riskAdjustment':
        return await operations[task.operation](task.input as never, context);
      default:
        return operations[task.operation](task.input as never);
    }
  } catch (error) {
    if (budgetBinds && isSimulationOverBudget(error)) throw computeBudgetExceeded(task.budgetMs, (error as Error).message);
    throw error;
  }
}
