import { randomUUID } from 'node:crypto';
import { VvError, type JobContext, type JobOptions, type JobQueue, type PluginManifest } from '@valueverse/plugin-sdk';
import type { KernelLogger } from '../observability/kernel-logger';
import {
  compareDead,
  decodeDeadCursor,
  encodeDeadCursor,
  queueName,
  splitDeadId,
  type DeadJob,
  type DeadJobPage,
  type DeadJobQuery,
  type DeadPosition,
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

/**
 * The embedded job queue: the semantics of the BullMQ one (see `KernelJobQueue`) run in process with timers. Jobs
 * live in memory: a restart loses the waiting ones and the dead letters, which is what "embedded" trades for
 * needing no Redis.
 */
export class InProcessJobQueue implements KernelJobQueue {
  private readonly definitions = new Map<string, Definition>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** `<queue>:<jobId>` of every job waiting, delayed or running: a second enqueue with that id is ignored. */
  private readonly pending = new Set<string>();
  /** Jobs due before `start()`: they run once the plugins have started. */
  private held: { run: Run; attempt: number; delayMs: number }[] = [];
  private readonly dead = new Map<string, DeadJob>();
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
        const key = `${queue}:${id}`;
        if (this.pending.has(key) || this.dead.has(key)) return id;
        this.pending.add(key);
        this.schedule({ queue, id, tenantId, data }, 1, options?.delayMs ?? 0);
        return id;
      },
    };
  }

  async start(): Promise<void> {
    this.started = true;
    const held = this.held;
    this.held = [];
    for (const { run, attempt, delayMs } of held) this.schedule(run, attempt, delayMs);
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
    this.schedule({ queue: job.queue, id: job.jobId, tenantId: job.tenantId, data: job.data }, 1, 0);
    return job;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.held = [];
  }

  private schedule(run: Run, attempt: number, delayMs: number): void {
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
        this.schedule(run, attempt + 1, delay);
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

function positionOf(job: DeadJob): DeadPosition {
  return { at: Date.parse(job.failedAt), key: job.id };
}
