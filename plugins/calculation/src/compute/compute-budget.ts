/** The compute budget of a tenant: `computeBudgetMs` of the calculation plugin's per-tenant config. */
export const COMPUTE_BUDGET_SETTING = 'computeBudgetMs';

/** Default per-request budget: the time budget simulations had before budgets applied to every evaluation. */
export const DEFAULT_COMPUTE_BUDGET_MS = 10_000;
/** Bounds of the setting (also in plugin.json's config schema). */
export const MIN_COMPUTE_BUDGET_MS = 100;
export const MAX_COMPUTE_BUDGET_MS = 60_000;

/**
 * Work estimated under this runs on the calling thread: a thread hop (structured clone both ways, parsing again)
 * would cost more than the work itself, and a request this small is as light as any other.
 */
export const INLINE_BELOW_MS = 2;

/**
 * Work estimated under this is "short": besides every thread, it may use the pool's short-task lane, threads that
 * long work never takes, so a small evaluation (a model with its headline simulation) does not wait behind other
 * tenants' long ones (issue #10, finding 1: "other tenants' light requests keep their latency").
 */
export const SHORT_TASK_BELOW_MS = 100;

/**
 * Models with more expression text than this are parsed for the estimate on a worker thread, not in the request:
 * parsing costs about 0.2 ms per thousand characters, and a 1 MB body of expressions would hold the loop ~200 ms.
 */
export const ESTIMATE_IN_WORKER_ABOVE_CHARS = 4_000;

/** The budget in a plugin config, or the default when it is absent or not a valid number. */
export function computeBudgetOf(config: Readonly<Record<string, unknown>> | undefined): number {
  const value = config?.[COMPUTE_BUDGET_SETTING];
  return typeof value === 'number' && Number.isFinite(value) && value >= MIN_COMPUTE_BUDGET_MS && value <= MAX_COMPUTE_BUDGET_MS ? value : DEFAULT_COMPUTE_BUDGET_MS;
}

/** Nice value of compute worker threads (Linux): below the event loop, which is 0. */
export const WORKER_NICE = 15;

/**
 * The nice value of the short-task lane's threads: below the event loop, above long work (CFS weights 335 against
 * 36), so a small evaluation sharing a core with a long one gets most of it.
 */
export const SHORT_LANE_NICE = 5;
