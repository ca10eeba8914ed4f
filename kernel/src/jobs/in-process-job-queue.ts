import { randomUUID } from 'node:crypto';
import { VvError, type JobContext, type JobOptions, type JobQueue, type PluginManifest } from '@valueverse/plugin-sdk';
import type { KernelLogger } from '../observability/kernel-logger';
import {
  checkSchedule,
  compareDead,
  decodeDeadCursor,
  encodeDeadCursor,
  nextSlot,
  pluginOfQueue,
  queueName,
  scheduledRunId,
  splitDeadId,
  type CheckedSchedule,
  type DeadJob,
  type DeadJobPage,
  type DeadJobQuery,
  type DeadPosition,
  type JobQueueStart,
  type KernelJobQueue,
} from './kernel-job-queue';

interface Definition {
  handler: (job: JobContext<unknown>) => Promise<void>;
  attempts: number;
  backoffMs: number;
}

interface Run {
  readonly queue: string;
  readonly id: string;
  readonly tenantId: string;
  readonly data: unknown;
}

interface Schedule {
  readonly schedule: CheckedSchedule;
  /** The timer of the next slot, while armed. */
  timer?: NodeJS.Timeout;
}

/**
 * The embedded job queue: the semantics of the BullMQ one (see `KernelJobQueue`) run in process with timers. Jobs
 * live in memory: a restart loses the waiting ones and the dead letters, which is what "embedded" trades for
 * needing no Redis. Schedules are timers set to their next slot; a restart re-arms them from the declarations.
 */
export class InProcessJobQueue implements KernelJobQueue {
  private readonly definitions = new Map<string, Definition>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** `<queue>:<jobId>` of every job waiting, delayed or running: a second enqueue with that id is ignored. */
  private readonly pending = new Set<string>();
  /** Jobs due before `start()`: they run once the plugins have started. */
  private held: { run: Run; attempt: number; delayMs: number }[] = [];
  private readonly dead = new Map<string, DeadJob>();
  /** By queue name: one schedule per job. */
  private readonly schedules = new Map<string, Schedule>();
  private runs: (pluginId: string) => boolean = () => true;
  private tenantsOf: (pluginId: string) => Promise<readonly string[]> = async () => [];
  /** See `JobQueueStart.clockOffsetMs`. */
  private clockOffsetMs = 0;
  private started = false;
  private closed = false;

  constructor(private readonly logger: KernelLogger) {}

  forPlugin(manifest: PluginManifest): JobQueue {
    return {
      define: (name, handler, options?: JobOptions) => {
        this.definitions.set(queueName(manifest, name), {
          handler: handler as Definition['handler'],
          attempts: options?.attempts ?? 3,
          backoffMs: options?.backoffMs ?? 1000,
        });
      },
      enqueue: async (name, tenantId, data, options) => {
        const queue = `${manifest.id}.${name}`;
        if (!this.definitions.has(queue)) throw new VvError('VV_NOT_FOUND', { params: { reason: `No job "${name}" is defined by "${manifest.id}"` } });
        const id = options?.jobId ?? randomUUID();
        this.add({ queue, id, tenantId, data }, options?.delayMs ?? 0);
        return id;
      },
      schedule: (name, schedule) => {
        const queue = queueName(manifest, name);
        if (!this.definitions.has(queue)) throw new VvError('VV_NOT_FOUND', { params: { reason: `Cannot schedule job "${name}" of "${manifest.id}": it is not defined` } });
        const checked = checkSchedule(manifest, name, schedule);
        clearTimeout(this.schedules.get(queue)?.timer);
        this.schedules.set(queue, { schedule: checked });
        if (this.started) this.arm(queue);
      },
    };
  }

  async start(options?: JobQueueStart): Promise<void> {
    this.started = true;
    if (options?.runs) this.runs = options.runs;
    if (options?.tenantsOf) this.tenantsOf = options.tenantsOf;
    this.clockOffsetMs = options?.clockOffsetMs ?? 0;
    const held = this.held;
    this.held = [];
    for (const { run, attempt, delayMs } of held) this.runLater(run, attempt, delayMs);
    for (const queue of this.schedules.keys()) this.arm(queue);
  }

  async listDead(query: DeadJobQuery): Promise<DeadJobPage> {
    const after = query.cursor === undefined ? undefined : decodeDeadCursor(query.cursor);
    const matching = [...this.dead.values()]
      .filter((job) => query.tenantId === undefined || job.tenantId === query.tenantId)
      .filter((job) => after === undefined || compareDead(positionOf(job), after) > 0)
      .sort((a, b) => compareDead(positionOf(a), positionOf(b)));
    const items = matching.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: matching.length > query.limit && last ? encodeDeadCursor(positionOf(last)) : null };
  }

  async retryDead(id: string): Promise<DeadJob | undefined> {
    const job = this.dead.get(id);
    const parts = splitDeadId(id);
    if (!job || !parts || !this.definitions.has(parts.queue)) return undefined;
    this.dead.delete(id);
    this.pending.add(id);
    this.runLater({ queue: job.queue, id: job.jobId, tenantId: job.tenantId, data: job.data }, 1, 0);
    return job;
  }

  async deleteDead(id: string): Promise<DeadJob | undefined> {
    const job = this.dead.get(id);
    this.dead.delete(id);
    return job;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const entry of this.schedules.values()) clearTimeout(entry.timer);
    this.held = [];
  }

  /** Queues a run unless a job with its id is pending or dead (the `jobId` idempotency of `enqueue`). */
  private add(run: Run, delayMs: number): void {
    const key = `${run.queue}:${run.id}`;
    if (this.pending.has(key) || this.dead.has(key)) return;
    this.pending.add(key);
    this.runLater(run, 1, delayMs);
  }

  /** Sets the timer of the schedule's next slot (after the current one, if it is firing). */
  private arm(queue: string, afterMs = this.now()): void {
    const entry = this.schedules.get(queue);
    if (!entry || this.closed || !this.runs(pluginOfQueue(queue))) return;
    this.waitFor(queue, entry, nextSlot(afterMs, entry.schedule));
  }

  private waitFor(queue: string, entry: Schedule, slot: number): void {
    clearTimeout(entry.timer);
    const wait = slot - this.now();
    // Node fires a longer timeout at once (it takes it for 1 ms): a period of weeks waits in steps.
    entry.timer = wait > maxTimeoutMs ? setTimeout(() => this.waitFor(queue, entry, slot), maxTimeoutMs) : setTimeout(() => void this.fire(queue, entry, slot), wait);
  }

  /** Queues the runs of one slot: one platform-wide, or one per tenant that has the plugin enabled. */
  private async fire(queue: string, entry: Schedule, slot: number): Promise<void> {
    // Timers may fire a little early: the next slot is counted from this one, or from now if this one ran late.
    this.arm(queue, Math.max(slot, this.now()));
    let tenants: readonly (string | undefined)[] = [undefined];
    if (entry.schedule.perTenant) {
      try {
        tenants = await this.tenantsOf(pluginOfQueue(queue));
      } catch (error) {
        this.logger.error({ err: error, queue, slot: new Date(slot).toISOString() }, `scheduled job ${queue} skipped a slot: its tenants could not be read`);
        return;
      }
    }
    for (const tenantId of tenants) this.add({ queue, id: scheduledRunId(slot, tenantId), tenantId: tenantId ?? '*', data: undefined }, 0);
  }

  /** The time schedules are computed on. */
  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private runLater(run: Run, attempt: number, delayMs: number): void {
    if (this.closed) return;
    if (!this.started) {
      this.held.push({ run, attempt, delayMs });
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.run(run, attempt);
    }, delayMs);
    this.timers.add(timer);
  }

  private async run(run: Run, attempt: number): Promise<void> {
    const { queue, id, tenantId, data } = run;
    const definition = this.definitions.get(queue)!;
    try {
      await definition.handler({ id, name: queue, tenantId, data, attempt });
      this.pending.delete(`${queue}:${id}`);
    } catch (error) {
      if (attempt < definition.attempts) {
        const delay = definition.backoffMs * 2 ** (attempt - 1);
        this.logger.warn({ err: error, queue, jobId: id, attempt, retryInMs: delay }, `job ${queue} failed; retrying`);
        this.runLater(run, attempt + 1, delay);
        return;
      }
      this.logger.error({ err: error, queue, jobId: id, attempt }, `job ${queue} dead-lettered`);
      this.pending.delete(`${queue}:${id}`);
      const dead: DeadJob = {
        id: `${queue}:${id}`,
        queue,
        jobId: id,
        tenantId,
        data,
        attempts: attempt,
        error: (error as Error)?.message ?? String(error),
        failedAt: new Date().toISOString(),
      };
      this.dead.set(dead.id, dead);
    }
  }
}

/** The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days). */
const maxTimeoutMs = 2 ** 31 - 1;

function positionOf(job: DeadJob): DeadPosition {
  return { at: Date.parse(job.failedAt), key: job.id };
}
