import { sampleModel } from '../model/__fixtures__/sample-model';
import { defaultCalculationLimits } from '../service/model-operations';
import { createBudgetedModelOperations } from './budgeted-model-operations';
import { DEFAULT_COMPUTE_BUDGET_MS, computeBudgetOf } from './compute-budget';
import type { ComputePool, RunOptions } from './compute-pool';
import { runComputeTask, type ComputeTask } from './compute-task';
import { heavyModel } from './__fixtures__/heavy-model';

/** Records what reaches the pool; answers with a marker so the test sees where the work ran. */
function recordingPool() {
  const runs: Array<{ task: ComputeTask; options: RunOptions }> = [];
  const pool = { run: async (task: ComputeTask, options: RunOptions) => (runs.push({ task, options }), 'from the pool') } as unknown as ComputePool;
  return { pool, runs };
}

describe('createBudgetedModelOperations', () => {
  it('refuses the issue #10 sensitivity request before any work, naming the budget and the estimate', async () => {
    const ops = createBudgetedModelOperations(defaultCalculationLimits);
    const started = Date.now();
    const error = await ops.sensitivity({ model: heavyModel() }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'VV_COMPUTE_BUDGET_EXCEEDED',
      status: 422,
      extensions: { budget: { name: 'calculation.computeBudgetMs', valueMs: DEFAULT_COMPUTE_BUDGET_MS } },
    });
    expect((error as Error).message).toMatch(
      /^This evaluation exceeds the compute budget calculation\.computeBudgetMs = 10000 ms: estimated at \d+ ms before starting \(49 evaluations/,
    );
    expect(Date.now() - started).toBeLessThan(5_000); // refused, not computed (the work takes 20 s or more)
  });

  it('leaves parsing a model of much expression text to the worker, which refuses it before evaluating', async () => {
    const { pool, runs } = recordingPool();
    const ops = createBudgetedModelOperations(defaultCalculationLimits, { pool });
    expect(await ops.sensitivity({ model: heavyModel() })).toBe('from the pool');
    expect(runs.map((r) => [r.task.operation, r.task.estimated])).toEqual([['sensitivity', undefined]]);
    // What the worker does with it first (runComputeTask is the worker's body):
    await expect(runComputeTask(runs[0]!.task)).rejects.toMatchObject({
      code: 'VV_COMPUTE_BUDGET_EXCEEDED',
      message: expect.stringMatching(/estimated at \d+ ms before starting/),
    });
  });

  it('runs tiny work on the calling thread and the rest on the pool, with the tenant and its budget', async () => {
    const { pool, runs } = recordingPool();
    const budgets: Array<string | undefined> = [];
    const ops = createBudgetedModelOperations(defaultCalculationLimits, {
      pool,
      tenantOf: () => 'from-request',
      budgetFor: ({ tenantId }) => (budgets.push(tenantId), tenantId === 'acme' ? 2500 : 4000),
    });
    const inline = await ops.evaluateModel({ model: sampleModel });
    expect(inline.cashFlows).toEqual([-60000, 15000, 40000, 40000]);
    expect(runs).toEqual([]);

    const signal = new AbortController().signal;
    expect(await ops.simulate({ model: sampleModel, trials: 50_000, seed: 1 }, { tenantId: 'acme', signal })).toBe('from the pool');
    expect(await ops.evaluateModel({ model: heavyModel({ formulas: 1, terms: 1000 }) })).toBe('from the pool');
    expect(runs.map((r) => [r.task.operation, r.task.budgetMs, r.task.estimated, r.options.tenant, r.options.signal === signal])).toEqual([
      ['simulate', 2500, true, 'acme', true],
      ['evaluateModel', 4000, true, 'from-request', false],
    ]);
    expect(budgets).toEqual(['from-request', 'acme', 'from-request']);
  });

  it('applies the budget without a pool too (embedding): estimate checked, work on the calling thread', async () => {
    const ops = createBudgetedModelOperations(defaultCalculationLimits, { budgetFor: () => 1_000 });
    await expect(ops.evaluateModel({ model: heavyModel() })).rejects.toMatchObject({ code: 'VV_COMPUTE_BUDGET_EXCEEDED' });
    await expect(ops.goalSeek({ model: sampleModel, driver: 'users', target: 0 })).resolves.toMatchObject({ driver: 'users' });
  });

  it('reports an invalid model as invalid, not as over budget', async () => {
    const ops = createBudgetedModelOperations(defaultCalculationLimits, { budgetFor: () => 100 });
    await expect(ops.sensitivity({ model: { ...heavyModel(), horizon: 0 } })).rejects.toMatchObject({ code: 'VV_VALIDATION' });
  });
});

describe('computeBudgetOf', () => {
  it('reads computeBudgetMs from the tenant config, else the default', () => {
    expect(computeBudgetOf({ computeBudgetMs: 2500 })).toBe(2500);
    expect(computeBudgetOf({})).toBe(DEFAULT_COMPUTE_BUDGET_MS);
    expect(computeBudgetOf(undefined)).toBe(DEFAULT_COMPUTE_BUDGET_MS);
    expect(computeBudgetOf({ computeBudgetMs: 10_000_000 })).toBe(DEFAULT_COMPUTE_BUDGET_MS);
    expect(computeBudgetOf({ computeBudgetMs: '5000' })).toBe(DEFAULT_COMPUTE_BUDGET_MS);
  });
});

describe('runComputeTask: a simulation stopped by the compute budget', () => {
  const task = (operation: ComputeTask['operation'], input: Record<string, unknown>): ComputeTask => ({
    operation,
    input: { model: sampleModel, ...input },
    limits: defaultCalculationLimits,
    budgetMs: 100,
    // As the pool receives it: estimated already, so the run itself must stop at the budget.
    estimated: true,
  });

  it("answers the budget error, not a 400, for the headline and the risk cases (their trials are not the caller's choice)", async () => {
    for (const operation of ['headline', 'riskAdjustment'] as const) {
      await expect(runComputeTask(task(operation, { trials: 1_000_000 }))).rejects.toMatchObject({ code: 'VV_COMPUTE_BUDGET_EXCEEDED', status: 422 });
    }
  });

  it('keeps the 400 of a simulate request that asked for a smaller time budget of its own', async () => {
    await expect(runComputeTask(task('simulate', { trials: 1_000_000, timeBudgetMs: 50 }))).rejects.toMatchObject({ code: 'VV_VALIDATION' });
    await expect(runComputeTask(task('simulate', { trials: 1_000_000 }))).rejects.toMatchObject({ code: 'VV_COMPUTE_BUDGET_EXCEEDED' });
  });
});
