import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { VvError } from '@valueverse/plugin-sdk';
import { computeBudgetExceeded, deserializeError, evaluationCancelled, type ComputeTask, type SerializedError } from './compute-task';
import { SHORT_TASK_BELOW_MS } from './compute-budget';
import { startComputeWorker } from './start-compute-worker';

export interface ComputePoolOptions {
  /** Worker threads (default: one per core but one, at least 2, at most 8). */
  readonly size?: number;
  /** Tasks of one tenant running at once (default: half the pool, at least 1), so one tenant cannot take every thread. */
  readonly perTenant?: number;
  /** Tasks of one tenant waiting at once before 429 `VV_RATE_LIMITED` (default 32). */
  readonly queuePerTenant?: number;
  /** Heap of each worker in MB (default 256): past it the worker dies and the task fails with the budget error. */
  readonly maxHeapMb?: number;
  /**
   * Threads kept for short tasks (estimated under `SHORT_TASK_BELOW_MS`), which long ones never take (default 0; the
   * plugin's shared pool keeps 1 besides its other threads).
   */
  readonly shortLane?: number;
  /** Starts one worker (tests replace it). */
  readonly start?: (maxHeapMb: number, lane: 'short' | 'long') => Worker;
}

export interface RunOptions {
  /** Tasks are queued and counted per tenant ('' for work outside a tenant). */
  readonly tenant: string;
  readonly signal?: AbortSignal;
}

interface Pending {
  readonly task: ComputeTask;
  readonly tenant: string;
  readonly signal?: AbortSignal;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  onAbort?: () => void;
}

interface Slot {
  /** A slot of the short-task lane: it takes only tasks estimated short. */
  readonly shortOnly: boolean;
  worker?: Worker;
  busy?: Pending;
  timer?: NodeJS.Timeout;
}

/** A task the short-task lane may take: one estimated (before it was sent) under `SHORT_TASK_BELOW_MS`. */
function isShort(task: ComputeTask): boolean {
  return task.estimatedMs !== undefined && task.estimatedMs < SHORT_TASK_BELOW_MS;
}

/** Time a worker gets beyond the budget before it is killed, so the task's own checks can report first. */
const GRACE_MS = 100;

/**
 * A fixed pool of worker threads for value-model evaluations, so heavy work never runs on the event loop. Each task
 * runs under a wall-clock budget: past it the worker is terminated (which stops even a tight loop) and replaced,
 * and the task fails with 422 `VV_COMPUTE_BUDGET_EXCEEDED`. Waiting tasks are taken round-robin across tenants, and
 * one tenant never holds more than `perTenant` threads, so the others' evaluations keep a thread.
 */
export class ComputePool {
  private readonly slots: Slot[];
  private readonly perTenant: number;
  private readonly queuePerTenant: number;
  private readonly maxHeapMb: number;
  private readonly start: (maxHeapMb: number, lane: 'short' | 'long') => Worker;
  /** Waiting tasks per tenant; Map order is the round-robin order. */
  private readonly queues = new Map<string, Pending[]>();
  private readonly running = new Map<string, number>();
  private closed = false;

  constructor(options: ComputePoolOptions = {}) {
    const size = options.size ?? Math.max(2, Math.min(8, availableParallelism() - 1));
    const shortLane = Math.min(options.shortLane ?? 0, size);
    // The last `shortLane` slots are the short-task lane.
    this.slots = Array.from({ length: size + shortLane }, (_, i) => ({ shortOnly: i >= size }));
    this.perTenant = options.perTenant ?? Math.max(1, Math.floor(size / 2));
    this.queuePerTenant = options.queuePerTenant ?? 32;
    this.maxHeapMb = options.maxHeapMb ?? 256;
    this.start = options.start ?? startComputeWorker;
  }

  /** Runs `task` on a worker thread; rejects with the task's own error, or the budget error when it overruns. */
  run(task: ComputeTask, options: RunOptions): Promise<unknown> {
    if (this.closed) return Promise.reject(new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'calculation worker pool', reason: 'shutting down' } }));
    if (options.signal?.aborted) return Promise.reject(evaluationCancelled());
    const queue = this.queues.get(options.tenant) ?? [];
    if (queue.length >= this.queuePerTenant) {
      const retryAfter = Math.max(1, Math.ceil(task.budgetMs / 1000));
      return Promise.reject(new VvError('VV_RATE_LIMITED', { params: { retryAfter }, headers: { 'Retry-After': String(retryAfter) } }));
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = { task, tenant: options.tenant, resolve, reject, ...(options.signal ? { signal: options.signal } : {}) };
      if (options.signal) {
        pending.onAbort = () => this.abort(pending);
        options.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      queue.push(pending);
      this.queues.set(options.tenant, queue);
      this.dispatch();
    });
  }

  /** Stops every worker; waiting and running tasks fail. */
  async close(): Promise<void> {
    this.closed = true;
    const waiting = [...this.queues.values()].flat();
    this.queues.clear();
    for (const pending of waiting) this.settle(pending, new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'calculation worker pool', reason: 'shutting down' } }));
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.busy) this.finish(slot, new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'calculation worker pool', reason: 'shutting down' } }));
        const worker = slot.worker;
        slot.worker = undefined;
        await worker?.terminate();
      }),
    );
  }

  /** Starts waiting tasks on free threads, tenants in turn. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.nextPending(slot.shortOnly);
      if (!next) continue;
      this.begin(slot, next);
    }
  }

  private nextPending(shortOnly: boolean): Pending | undefined {
    for (const [tenant, queue] of this.queues) {
      if ((this.running.get(tenant) ?? 0) >= this.perTenant) continue;
      // Each tenant's tasks start in the order they came: a lane slot takes a tenant whose next task is short.
      if (shortOnly && !isShort(queue[0]!.task)) continue;
      const pending = queue.shift()!;
      // Round robin: the tenant goes to the back of the line (or leaves it when it has nothing more).
      this.queues.delete(tenant);
      if (queue.length > 0) this.queues.set(tenant, queue);
      return pending;
    }
    return undefined;
  }

  private begin(slot: Slot, pending: Pending): void {
    if (!slot.worker) slot.worker = this.spawn(slot);
    slot.busy = pending;
    this.running.set(pending.tenant, (this.running.get(pending.tenant) ?? 0) + 1);
    const { budgetMs } = pending.task;
    slot.timer = setTimeout(() => this.kill(slot, computeBudgetExceeded(budgetMs, `the evaluation ran longer than ${budgetMs} ms and was stopped`)), budgetMs + GRACE_MS);
    try {
      slot.worker.postMessage(pending.task);
    } catch (error) {
      // Not cloneable (a function or symbol in a request from another plugin): that task fails, the thread is free.
      this.finish(slot, error as Error);
    }
  }

  private spawn(slot: Slot): Worker {
    const worker = this.start(this.maxHeapMb, slot.shortOnly ? 'short' : 'long');
    // Idle workers must not keep the process alive (tests, CLI commands that never call close()).
    worker.unref();
    worker.on('message', (message: { ok: boolean; result?: unknown; error?: SerializedError }) => {
      if (slot.worker !== worker || !slot.busy) return;
      this.finish(slot, message.ok ? undefined : deserializeError(message.error!), message.result);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      if (!slot.busy) return;
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.finish(slot, outOfMemory ? computeBudgetExceeded(slot.busy.task.budgetMs, `the evaluation needed more than the ${this.maxHeapMb} MB of memory a worker has`) : error);
    });
    worker.on('exit', () => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      if (slot.busy) this.finish(slot, new Error('calculation worker exited'));
    });
    return worker;
  }

  /** Terminates the slot's worker (a new one starts with the next task) and fails its task with `error`. */
  private kill(slot: Slot, error: Error): void {
    const worker = slot.worker;
    slot.worker = undefined;
    void worker?.terminate();
    this.finish(slot, error);
  }

  private finish(slot: Slot, error: Error | undefined, result?: unknown): void {
    const pending = slot.busy;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.busy = undefined;
    if (!pending) return;
    const count = (this.running.get(pending.tenant) ?? 1) - 1;
    if (count > 0) this.running.set(pending.tenant, count);
    else this.running.delete(pending.tenant);
    this.settle(pending, error, result);
    if (!this.closed) this.dispatch();
  }

  private settle(pending: Pending, error: Error | undefined, result?: unknown): void {
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    if (error) pending.reject(error);
    else pending.resolve(result);
  }

  /** A client that went away: drop its waiting task, or stop the worker running it. */
  private abort(pending: Pending): void {
    const slot = this.slots.find((s) => s.busy === pending);
    if (slot) return this.kill(slot, evaluationCancelled());
    const queue = this.queues.get(pending.tenant);
    const index = queue?.indexOf(pending) ?? -1;
    if (index < 0) return;
    queue!.splice(index, 1);
    if (queue!.length === 0) this.queues.delete(pending.tenant);
    this.settle(pending, evaluationCancelled());
  }
}
