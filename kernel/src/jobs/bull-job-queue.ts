import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import { VvError, isVvError, type JobContext, type JobOptions, type JobQueue, type PluginManifest } from '@valueverse/plugin-sdk';
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

export interface BullJobQueueOptions {
  readonly url: string;
  /** Key prefix of every queue: one per deployment sharing a Redis (default `vv`). */
  readonly prefix?: string;
  /** Run workers in this process (default true). False only enqueues: a web host whose jobs run in `host worker`. */
  readonly workers?: boolean;
  /** Jobs of one queue running at once in this process (default 4). */
  readonly concurrency?: number;
  /** How long `close()` waits for running jobs before it stops without them (default 10 s). */
  readonly closeTimeoutMs?: number;
}

interface Definition {
  readonly handler: (job: JobContext<unknown>) => Promise<void>;
  readonly attempts: number;
  readonly backoffMs: number;
}

/** What a job carries in Redis. The caller's job id travels in the data: BullMQ ids are an encoding of it. */
interface BullJobData {
  readonly tenantId: string;
  readonly jobId: string;
  readonly data: unknown;
}

/**
 * The job queue on BullMQ (Redis), shared by every host instance and `host worker` process of a deployment.
 *
 * One BullMQ queue per `<plugin>.<name>` rather than one queue with job names: a process runs workers only for the
 * queues whose handlers it has, so an instance on which a plugin failed leaves that plugin's jobs to instances that
 * can run them instead of burning their attempts; and a backlog of one kind of job does not hold up the others.
 * The price is one blocking Redis connection per queue per worker process, for the handful of job kinds there are.
 *
 * Retries are BullMQ's own (`attempts`, exponential `backoff`); a job out of attempts stays in the queue's failed
 * set (`removeOnFail: false`), which is the dead-letter list. Completed jobs are removed, so a `jobId` can be
 * reused once its job has succeeded, as in the in-process queue.
 */
export class BullJobQueue implements KernelJobQueue {
  private readonly definitions = new Map<string, Definition>();
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  /** Queues, the dead-letter listing and retries: commands fail at once while Redis is down (no offline queue). */
  private readonly producer: Redis;
  /** Workers block on Redis; BullMQ requires `maxRetriesPerRequest: null` here (STACK.md). */
  private consumer: Redis | undefined;
  private readonly prefix: string;
  private started = false;
  private runs: (pluginId: string) => boolean = () => true;
  private outage = false;

  constructor(
    private readonly options: BullJobQueueOptions,
    private readonly logger: KernelLogger,
  ) {
    this.prefix = options.prefix ?? 'vv';
    this.producer = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: reconnectDelay, disconnectTimeout: 200 });
    this.watch(this.producer);
  }

  forPlugin(manifest: PluginManifest): JobQueue {
    return {
      define: (name, handler, options?: JobOptions) => {
        const queue = queueName(manifest, name);
        this.definitions.set(queue, { handler: handler as Definition['handler'], attempts: options?.attempts ?? 3, backoffMs: options?.backoffMs ?? 1000 });
        this.queueOf(queue);
        if (this.started) this.startWorker(queue);
      },
      enqueue: async (name, tenantId, data, options) => {
        const queue = `${manifest.id}.${name}`;
        const definition = this.definitions.get(queue);
        if (!definition) throw new VvError('VV_NOT_FOUND', { params: { reason: `No job "${name}" is defined by "${manifest.id}"` } });
        const jobId = options?.jobId ?? randomUUID();
        const payload: BullJobData = { tenantId, jobId, data };
        await this.redis(`enqueue ${queue}`, () =>
          this.queueOf(queue).add(queue, payload, {
            jobId: bullJobId(jobId),
            attempts: definition.attempts,
            backoff: { type: 'exponential', delay: definition.backoffMs },
            delay: options?.delayMs,
            removeOnComplete: true,
            removeOnFail: false,
          }),
        );
        return jobId;
      },
    };
  }

  async start(runs?: (pluginId: string) => boolean): Promise<void> {
    this.started = true;
    if (runs) this.runs = runs;
    for (const queue of this.definitions.keys()) this.startWorker(queue);
  }

  async listDead(query: DeadJobQuery): Promise<DeadJobPage> {
    const after = query.cursor === undefined ? undefined : decodeDeadCursor(query.cursor);
    // Every failed set is read whole (ids and scores only) and merged: dead letters should stay few, and one order
    // across queues keeps the cursor stable while jobs die or are retried between pages. The queues are those this
    // process defines, which is every queue of the deployment unless a plugin failed to set up here.
    const entries: (DeadPosition & { queue: Queue; bullId: string })[] = [];
    for (const [name, queue] of this.queues) {
      const flat = await this.redis('list dead jobs', () => this.producer.zrevrange(queue.toKey('failed'), 0, -1, 'WITHSCORES'));
      for (let i = 0; i + 1 < flat.length; i += 2) {
        entries.push({ queue, bullId: flat[i]!, at: Number(flat[i + 1]), key: `${name}:${flat[i]}` });
      }
    }
    const candidates = entries.filter((e) => after === undefined || compareDead(e, after) > 0).sort(compareDead);
    const items: DeadJob[] = [];
    let last: DeadPosition | undefined;
    let more = false;
    // Loaded a page at a time, since a tenant filter may skip many.
    for (let start = 0; start < candidates.length && !more; start += query.limit) {
      const batch = candidates.slice(start, start + query.limit);
      const jobs = await this.redis('list dead jobs', () => Promise.all(batch.map((e) => e.queue.getJob(e.bullId))));
      for (const [index, job] of jobs.entries()) {
        if (!job) continue;
        const dead = toDeadJob(batch[index]!.queue.name, job);
        if (query.tenantId !== undefined && dead.tenantId !== query.tenantId) continue;
        if (items.length === query.limit) {
          more = true;
          break;
        }
        items.push(dead);
        last = batch[index];
      }
    }
    return { items, nextCursor: more && last ? encodeDeadCursor({ at: last.at, key: last.key }) : null };
  }

  async retryDead(id: string): Promise<DeadJob | undefined> {
    const parts = splitDeadId(id);
    const queue = parts && this.queues.get(parts.queue);
    if (!parts || !queue) return undefined;
    return this.redis('retry a dead job', async () => {
      const job = await queue.getJob(bullJobId(parts.jobId));
      if (!job || !(await job.isFailed())) return undefined;
      const dead = toDeadJob(queue.name, job);
      try {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      } catch (error) {
        // Another admin (or instance) retried it first.
        if (!(await job.isFailed())) return undefined;
        throw error;
      }
      return dead;
    });
  }

  async close(): Promise<void> {
    const timeoutMs = this.options.closeTimeoutMs ?? 10_000;
    const workers = [...this.workers.values()];
    this.workers.clear();
    // Running jobs get `timeoutMs` to finish; after that the workers stop without them, and BullMQ's stalled-job
    // check hands those jobs to another worker.
    if (!(await settlesWithin(Promise.all(workers.map((w) => w.close())), timeoutMs))) {
      this.logger.warn({ timeoutMs }, 'job workers did not finish their running jobs in time; stopping without them');
      await settlesWithin(Promise.all(workers.map((w) => w.close(true))), 1000);
    }
    await settlesWithin(Promise.all([...this.queues.values()].map((q) => q.close())), 1000);
    this.queues.clear();
    this.consumer?.disconnect();
    this.producer.disconnect();
  }

  private queueOf(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.producer, prefix: this.prefix });
      queue.on('error', (error: Error) => this.reportOutage(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private startWorker(name: string): void {
    if (this.options.workers === false || this.workers.has(name)) return;
    // Queue names are `<plugin>.<name>` and plugin ids contain no dot.
    if (!this.runs(name.slice(0, name.indexOf('.')))) return;
    if (!this.consumer) {
      this.consumer = new Redis(this.options.url, { maxRetriesPerRequest: null, retryStrategy: reconnectDelay, disconnectTimeout: 200 });
      this.watch(this.consumer);
    }
    const worker = new Worker<BullJobData>(
      name,
      async (job) => {
        const definition = this.definitions.get(name)!;
        await definition.handler({ id: job.data.jobId, name, tenantId: job.data.tenantId, data: job.data.data, attempt: job.attemptsMade + 1 });
      },
      { connection: this.consumer, prefix: this.prefix, concurrency: this.options.concurrency ?? 4 },
    );
    worker.on('error', (error: Error) => this.reportOutage(error));
    worker.on('failed', (job, error) => {
      if (!job) return;
      const attempt = job.attemptsMade;
      const context = { err: error, queue: name, jobId: job.data.jobId, tenantId: job.data.tenantId, attempt };
      if (attempt >= (job.opts.attempts ?? 1)) this.logger.error(context, `job ${name} dead-lettered`);
      else this.logger.warn(context, `job ${name} failed; retrying`);
    });
    this.workers.set(name, worker);
  }

  /**
   * Runs Redis commands for a caller that is waiting on them (a request, usually): while Redis is down that fails
   * within a second with a 503 instead of waiting for it to return.
   */
  private async redis<T>(action: string, work: () => Promise<T>): Promise<T> {
    if (!(await this.ready(1000))) {
      throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'redis', reason: `cannot ${action}: Redis is ${this.producer.status}` } });
    }
    try {
      return await work();
    } catch (error) {
      if (isVvError(error)) throw error;
      throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'redis', reason: `cannot ${action}: ${(error as Error).message}` }, cause: error });
    }
  }

  private async ready(withinMs: number): Promise<boolean> {
    if (this.producer.status === 'ready') return true;
    let onReady: (() => void) | undefined;
    const becameReady = new Promise<void>((resolve) => {
      onReady = resolve;
      this.producer.once('ready', onReady);
    });
    const ready = await settlesWithin(becameReady, withinMs);
    this.producer.off('ready', onReady!);
    return ready;
  }

  private watch(connection: Redis): void {
    connection.on('error', (error: Error) => this.reportOutage(error));
    connection.on('ready', () => {
      if (!this.outage) return;
      this.outage = false;
      this.logger.info('Redis is back; jobs are queued and run again');
    });
  }

  /** Logs the first error of an outage, not every reconnection attempt. */
  private reportOutage(error: Error): void {
    if (this.outage) return;
    this.outage = true;
    this.logger.warn({ err: error }, 'Redis job queue unavailable: enqueueing fails with 503 and no job runs until it returns');
  }
}

function reconnectDelay(times: number): number {
  return Math.min(times * 200, 2000);
}

/**
 * BullMQ refuses custom job ids that contain `:` or read as integers. `encodeURIComponent` removes every `:` and
 * is injective; it never outputs `#`, so a `#` in front of an integer-looking id cannot collide with another id.
 */
function bullJobId(jobId: string): string {
  const encoded = encodeURIComponent(jobId);
  return `${parseInt(encoded, 10)}` === encoded ? `#${encoded}` : encoded;
}

function toDeadJob(queue: string, job: Job): DeadJob {
  const { tenantId, jobId, data } = job.data as BullJobData;
  return {
    id: `${queue}:${jobId}`,
    queue,
    jobId,
    tenantId,
    data,
    attempts: job.attemptsMade,
    error: job.failedReason ?? '',
    failedAt: new Date(job.finishedOn ?? job.timestamp).toISOString(),
  };
}

/** True when `promise` settled within `ms`; never rejects. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
