import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { isVvError } from '@valueverse/plugin-sdk';
import { sampleModel } from '../model/__fixtures__/sample-model';
import { defaultCalculationLimits } from '../service/model-operations';
import { ComputePool } from './compute-pool';
import { runComputeTask, type ComputeTask } from './compute-task';
import { heavyModel } from './__fixtures__/heavy-model';

// `estimated`: these tasks test what happens while they run, past the estimate the service checks first.
const task = (input: unknown, budgetMs = 10_000, operation: ComputeTask['operation'] = 'evaluateModel'): ComputeTask => ({
  operation,
  input,
  limits: defaultCalculationLimits,
  budgetMs,
  estimated: true,
});

describe('ComputePool on real worker threads', () => {
  const pool = new ComputePool({ size: 2 });
  afterAll(() => pool.close());

  it('answers what the engine answers on the calling thread, errors included', async () => {
    const onWorker = await pool.run(task({ model: sampleModel }), { tenant: 't1' });
    expect(onWorker).toEqual(JSON.parse(JSON.stringify(await runComputeTask(task({ model: sampleModel })))));
    const invalid = await pool.run(task({ model: { ...sampleModel, horizon: -1 } }), { tenant: 't1' }).catch((e: unknown) => e);
    expect(isVvError(invalid)).toBe(true);
    expect(invalid).toMatchObject({ code: 'VV_VALIDATION', status: 400, errors: [expect.objectContaining({ pointer: '/model/horizon' })] });
  }, 60_000);

  it('stops a task past its budget with VV_COMPUTE_BUDGET_EXCEEDED while the event loop keeps turning, then serves the next', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    try {
      // The sensitivity request takes 20 s or more; the budget is 300 ms.
      const started = Date.now();
      const error = await pool.run(task({ model: heavyModel() }, 300, 'sensitivity'), { tenant: 't1' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VV_COMPUTE_BUDGET_EXCEEDED', status: 422 });
      expect((error as Error).message).toMatch(/compute budget calculation\.computeBudgetMs = 300 ms: the evaluation ran longer than 300 ms and was stopped/);
      // Stopped, not finished: well under the 20 s the work needs (generous room for a loaded machine).
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(ticks).toBeGreaterThan(0);
    } finally {
      clearInterval(ticker);
    }
    await expect(pool.run(task({ model: sampleModel }), { tenant: 't1' })).resolves.toMatchObject({ cashFlows: [-60000, 15000, 40000, 40000] });
  }, 60_000);

  it('fails a request that cannot cross to a thread, and keeps serving', async () => {
    const uncloneable = { model: { ...heavyModel({ formulas: 1 }), name: 'x', extra: () => 1 } };
    await expect(pool.run(task(uncloneable), { tenant: 't1' })).rejects.toThrow(/could not be cloned/);
    await expect(pool.run(task({ model: sampleModel }), { tenant: 't1' })).resolves.toMatchObject({ cashFlows: [-60000, 15000, 40000, 40000] });
  }, 60_000);

  it('turns a simulation stopped by its own projection under the compute budget into VV_COMPUTE_BUDGET_EXCEEDED', async () => {
    const error = await pool.run(task({ model: sampleModel, trials: 1_000_000 }, 150, 'simulate'), { tenant: 't1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VV_COMPUTE_BUDGET_EXCEEDED' });
    // A time budget the request asked for itself stays the request's own validation error.
    const own = await pool.run(task({ model: sampleModel, trials: 1_000_000, timeBudgetMs: 20 }, 10_000, 'simulate'), { tenant: 't1' }).catch((e: unknown) => e);
    expect(own).toMatchObject({ code: 'VV_VALIDATION' });
    expect((own as Error).message).toMatch(/over budget/);
  }, 60_000);
});

/** A worker that answers when told to: the scheduling tests decide the order of events. */
class FakeWorker extends EventEmitter {
  readonly posted: ComputeTask[] = [];
  terminated = false;
  postMessage(message: ComputeTask): void {
    this.posted.push(message);
  }
  terminate(): Promise<number> {
    this.terminated = true;
    return Promise.resolve(1);
  }
  unref(): void {}
  answer(result: unknown): void {
    this.emit('message', { ok: true, result });
  }
}

function fakePool(options: { size: number; perTenant?: number; queuePerTenant?: number; shortLane?: number }) {
  const workers: FakeWorker[] = [];
  const pool = new ComputePool({
    ...options,
    start: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker as unknown as Worker;
    },
  });
  const runningInputs = () => workers.filter((w) => !w.terminated).map((w) => w.posted.at(-1)?.input);
  return { pool, workers, runningInputs };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ComputePool scheduling', () => {
  it('keeps threads for other tenants: one tenant holds at most perTenant of them, waiting tenants take turns', async () => {
    const { pool, workers, runningInputs } = fakePool({ size: 2, perTenant: 1 });
    const results: string[] = [];
    const submit = (tenant: string, name: string) => pool.run(task(name), { tenant }).then((r) => results.push(String(r)));
    const all = [submit('a', 'a1'), submit('a', 'a2'), submit('a', 'a3'), submit('b', 'b1'), submit('b', 'b2')];
    await flush();
    expect(runningInputs()).toEqual(['a1', 'b1']);
    workers[0]!.answer('a1');
    await flush();
    expect(runningInputs()).toEqual(['a2', 'b1']);
    workers[1]!.answer('b1');
    await flush();
    expect(runningInputs()).toEqual(['a2', 'b2']);
    workers[0]!.answer('a2');
    workers[1]!.answer('b2');
    await flush();
    workers[0]!.answer('a3');
    await Promise.all(all);
    expect(results).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
    await pool.close();
  });

  it('keeps the short-task lane for short work: a small evaluation does not wait behind long ones (issue #10, 1)', async () => {
    const { pool, workers, runningInputs } = fakePool({ size: 1, perTenant: 1, shortLane: 1 });
    const long = (name: string) => ({ ...task(name), estimatedMs: 900 });
    const short = (name: string) => ({ ...task(name), estimatedMs: 20 });
    const heavyA = pool.run(long('a1'), { tenant: 'a' });
    const heavyB = pool.run(long('b1'), { tenant: 'b' });
    const unestimated = pool.run(task('c1'), { tenant: 'c' });
    await flush();
    // One long task runs; the other long one and the unestimated one wait: the lane never takes them.
    expect(runningInputs()).toEqual(['a1']);
    const light = pool.run(short('d1'), { tenant: 'd' });
    await flush();
    expect(runningInputs()).toEqual(['a1', 'd1']);
    workers[1]!.answer('d1 done');
    await expect(light).resolves.toBe('d1 done');
    // The lane stays idle while long work waits: the ordinary thread takes it in turn.
    workers[0]!.answer('a1 done');
    await flush();
    expect(workers[0]!.posted.at(-1)?.input).toBe('b1');
    workers[0]!.answer('b1 done');
    await flush();
    expect(workers[0]!.posted.at(-1)?.input).toBe('c1');
    workers[0]!.answer('c1 done');
    await expect(Promise.all([heavyA, heavyB, unestimated])).resolves.toEqual(['a1 done', 'b1 done', 'c1 done']);
    expect(workers[1]!.posted.map((t) => t.input)).toEqual(['d1']);
    await pool.close();
  });

  it('refuses a tenant with too many waiting tasks with 429 VV_RATE_LIMITED and Retry-After', async () => {
    const { pool } = fakePool({ size: 1, queuePerTenant: 2 });
    const first = pool.run(task('1', 3000), { tenant: 'a' });
    const second = pool.run(task('2', 3000), { tenant: 'a' });
    const third = pool.run(task('3', 3000), { tenant: 'a' });
    await expect(pool.run(task('4', 3000), { tenant: 'a' })).rejects.toMatchObject({ code: 'VV_RATE_LIMITED', status: 429, headers: { 'Retry-After': '3' } });
    // Another tenant is not affected by a's queue.
    const other = pool.run(task('b', 3000), { tenant: 'b' });
    await pool.close();
    for (const p of [first, second, third, other]) await expect(p).rejects.toMatchObject({ code: 'VV_DEPENDENCY_UNAVAILABLE' });
  });

  it('drops a waiting task whose client went away, and stops the worker of a running one', async () => {
    const { pool, workers } = fakePool({ size: 1 });
    const running = new AbortController();
    const waiting = new AbortController();
    const first = pool.run(task('1'), { tenant: 'a', signal: running.signal });
    const second = pool.run(task('2'), { tenant: 'a', signal: waiting.signal });
    const third = pool.run(task('3'), { tenant: 'a' });
    await flush();
    waiting.abort();
    await expect(second).rejects.toMatchObject({ code: 'VV_VALIDATION' });
    running.abort();
    await expect(first).rejects.toMatchObject({ code: 'VV_VALIDATION' });
    expect(workers[0]!.terminated).toBe(true);
    // The next task runs on a fresh worker; the dropped one never ran.
    await flush();
    expect(workers[1]!.posted.map((t) => t.input)).toEqual(['3']);
    workers[1]!.answer('done');
    await expect(third).resolves.toBe('done');
    await pool.close();
  });

  it('fails the task of a worker that runs out of memory with the budget error', async () => {
    const { pool, workers } = fakePool({ size: 1 });
    const result = pool.run(task('1', 500), { tenant: 'a' });
    await flush();
    workers[0]!.emit('error', Object.assign(new Error('out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' }));
    await expect(result).rejects.toMatchObject({ code: 'VV_COMPUTE_BUDGET_EXCEEDED', message: expect.stringMatching(/256 MB of memory/) });
    await pool.close();
  });
});
