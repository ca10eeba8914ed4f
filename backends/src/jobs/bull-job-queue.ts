import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job, type RepeatStrategy, type Telemetry } from 'bullmq';
import Redis from 'ioredis';
import { VvError, isVvError, type JobContext, type JobOptions, type JobQueue, type PluginManifest } from '@valueverse/plugin-sdk';
import type { DeadJob, DeadJobPage, DeadJobQuery, JobQueueStats, KernelJobQueue, KernelLogger } from '@valueverse/kernel';
import {
  type CheckedSchedule,
  checkSchedule,
  compareDead,
  type DeadPosition,
  decodeDeadCursor,
  encodeDeadCursor,
  type JobQueueStart,
  nextCronRun,
  nextSlot,
  parseCronSchedule,
  pluginOfQueue,
  queueName,
  scheduledRunId,
  splitDeadId,
} from '@valueverse/kernel/backend';

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
  /**
   * Tracing on: BullMQ's OpenTelemetry client (bullmq-otel, made by the host). An enqueue carries the caller's trace
   * context in the job, and the worker that runs it, in whichever process, continues that trace.
   */
  readonly telemetry?: Telemetry;
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

/** What the jobs of a schedule carry: each queues the runs of its slot (see `queueScheduledRuns`). */
interface BullTickData {
  readonly tick: { readonly perTenant: boolean };
}

/** The id of the one BullMQ job scheduler of a queue that has a schedule. */
const schedulerId = 'schedule';

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
 *
 * A schedule is a BullMQ job scheduler (one per queue, kept in Redis, so every instance declaring it shares it and a
 * slot is produced once). Its jobs are "ticks" that do not run the handler: a tick queues the slot's runs as
 * ordinary jobs with the ids `scheduledRunId` gives, one platform-wide or one per tenant. So scheduled runs retry,
 * dead-letter and dedupe exactly like enqueued jobs, one tenant at a time, and a tick queued twice runs nothing
 * twice. A cron schedule is a scheduler with a `pattern` whose slots come from `nextCronRun` (BullMQ's
 * `repeatStrategy`, in every queue and worker) rather than BullMQ's own cron parser, so both queues agree on every
 * slot, daylight saving time included.
 */
export class BullJobQueue implements KernelJobQueue {
  private readonly definitions = new Map<string, Definition>();
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  /** Retries the workers of this process scheduled, by queue (`vv_jobs_retries`). */
  private readonly retries = new Map<string, number>();
  /** Queues, the dead-letter listing and retries: commands fail at once while Redis is down (no offline queue). */
  private readonly producer: Redis;
  /** Workers block on Redis; BullMQ requires `maxRetriesPerRequest: null` here (docs/stack.md "Known traps"). */
  private consumer: Redis | undefined;
  private readonly prefix: string;
  /** By queue name: the schedule this process declares. */
  private readonly schedules = new Map<string, CheckedSchedule>();
  /** By queue name: the latest write of its schedule to Redis (writes of one queue go one after the other). */
  private readonly saving = new Map<string, Promise<void>>();
  /** Schedules that could not be written (Redis down): written again when the connection is ready. */
  private readonly unsaved = new Set<string>();
  private started = false;
  private closed = false;
  private runs: (pluginId: string) => boolean = () => true;
  private tenantsOf: (pluginId: string) => Promise<readonly string[]> = async () => [];
  private outage = false;
  /** See `JobQueueStart.clockOffsetMs`: BullMQ's times are real ones, so slots are shifted on the way in and out. */
  private clockOffsetMs = 0;

  constructor(
    private readonly options: BullJobQueueOptions,
    private readonly logger: KernelLogger,
  ) {
    this.prefix = options.prefix ?? 'vv';
    this.producer = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: reconnectDelay, disconnectTimeout: 200 });
    this.watch(this.producer);
    this.producer.on('ready', () => {
      for (const queue of this.unsaved) this.saveSchedule(queue);
    });
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
        if (!this.definitions.has(queue)) throw new VvError('VV_NOT_FOUND', { params: { reason: `No job "${name}" is defined by "${manifest.id}"` } });
        const jobId = options?.jobId ?? randomUUID();
        await this.redis(`enqueue ${queue}`, () => this.add(queue, { tenantId, jobId, data }, options?.delayMs), 'VV_UNAVAILABLE');
        return jobId;
      },
      schedule: (name, schedule) => {
        const queue = queueName(manifest, name);
        if (!this.definitions.has(queue)) throw new VvError('VV_NOT_FOUND', { params: { reason: `Cannot schedule job "${name}" of "${manifest.id}": it is not defined` } });
        this.schedules.set(queue, checkSchedule(manifest, name, schedule));
        if (this.started) this.saveSchedule(queue);
      },
    };
  }

  async start(options?: JobQueueStart): Promise<void> {
    this.started = true;
    if (options?.runs) this.runs = options.runs;
    if (options?.tenantsOf) this.tenantsOf = options.tenantsOf;
    this.clockOffsetMs = options?.clockOffsetMs ?? 0;
    for (const queue of this.schedules.keys()) this.saveSchedule(queue);
    for (const queue of this.definitions.keys()) this.startWorker(queue);
  }

  /**
   * Each queue's depth (waiting and delayed), running jobs, dead jobs and the age of its oldest waiting job, read
   * from Redis at scrape time (a few commands per queue); none while Redis is down.
   */
  async stats(): Promise<readonly JobQueueStats[]> {
    if (this.producer.status !== 'ready') return [];
    const now = Date.now();
    return Promise.all(
      [...this.queues].map(async ([name, queue]) => {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'failed');
        const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
        return {
          queue: name,
          waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          dead: counts.failed ?? 0,
          oldestWaitingSeconds: oldest ? Math.max(0, (now - oldest.timestamp) / 1000) : 0,
          retries: this.retries.get(name) ?? 0,
        };
      }),
    );
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
        // Ticks are removed when they fail (`removeOnFail`); one could only be caught mid-removal.
        if (!job || isTick(job.data)) continue;
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

  async deleteDead(id: string): Promise<DeadJob | undefined> {
    const parts = splitDeadId(id);
    const queue = parts && this.queues.get(parts.queue);
    if (!parts || !queue) return undefined;
    return this.redis('delete a dead job', async () => {
      const job = await queue.getJob(bullJobId(parts.jobId));
      if (!job || isTick(job.data) || !(await job.isFailed())) return undefined;
      const dead = toDeadJob(queue.name, job);
      // 0 when another admin (or instance) removed it first.
      return (await queue.remove(job.id!)) === 1 ? dead : undefined;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const timeoutMs = this.options.closeTimeoutMs ?? 10_000;
    const workers = [...this.workers.values()];
    this.workers.clear();
    // Running jobs get `timeoutMs` to finish; after that the workers stop without them, and BullMQ's stalled-job
    // check hands those jobs to another worker. While Redis is down nothing a job does can be recorded, and a
    // graceful close would wait for a connection that may never come: stop at once.
    if (this.producer.status !== 'ready') {
      await settlesWithin(Promise.all(workers.map((w) => w.close(true))), 1000);
    } else if (!(await settlesWithin(Promise.all(workers.map((w) => w.close())), timeoutMs))) {
      this.logger.warn({ timeoutMs }, 'job workers did not finish their running jobs in time; stopping without them');
      await settlesWithin(Promise.all(workers.map((w) => w.close(true))), 1000);
    }
    await settlesWithin(Promise.all(this.saving.values()), 1000);
    await settlesWithin(Promise.all([...this.queues.values()].map((q) => q.close())), 1000);
    this.queues.clear();
    this.consumer?.disconnect();
    this.producer.disconnect();
  }

  private queueOf(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.producer, prefix: this.prefix, settings: { repeatStrategy: this.cronStrategy }, telemetry: this.options.telemetry });
      queue.on('error', (error: Error) => this.reportOutage(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Adds a job that runs the handler, with the definition's attempts and backoff. */
  private async add(queue: string, payload: BullJobData, delayMs?: number): Promise<void> {
    const definition = this.definitions.get(queue)!;
    await this.queueOf(queue).add(queue, payload, {
      jobId: bullJobId(payload.jobId),
      attempts: definition.attempts,
      backoff: { type: 'exponential', delay: definition.backoffMs },
      delay: delayMs,
      removeOnComplete: true,
      removeOnFail: false,
    });
  }

  /** Writes the queue's schedule to Redis after any earlier write of it; a failure is retried once Redis is ready. */
  private saveSchedule(queue: string): void {
    const previous = this.saving.get(queue) ?? Promise.resolve();
    this.saving.set(
      queue,
      previous.then(() => this.upsertScheduler(queue)),
    );
  }

  private async upsertScheduler(queue: string): Promise<void> {
    const schedule = this.schedules.get(queue);
    if (!schedule || this.closed) return;
    this.unsaved.delete(queue);
    try {
      if (!(await this.ready(1000))) throw new Error(`Redis is ${this.producer.status}`);
      const bull = this.queueOf(queue);
      const current = await bull.getJobScheduler(schedulerId);
      const tick: BullTickData = { tick: { perTenant: schedule.perTenant } };
      const template = { name: queue, data: tick, opts: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true } };
      if ('cron' in schedule) {
        const { expression, timezone } = schedule.cron;
        // Another expression or zone (or a period) starts over; the same one is upserted, which recomputes its
        // pending slot with `cronStrategy` and so finds the same one.
        if (current && (current.pattern !== expression || current.tz !== timezone)) await bull.removeJobScheduler(schedulerId);
        await bull.upsertJobScheduler(schedulerId, { pattern: expression, tz: timezone }, template);
        return;
      }
      // BullMQ's slots are real times: the schedule's, moved back by the clock offset.
      const offset = mod(schedule.offsetMs - this.clockOffsetMs, schedule.everyMs);
      // Upserting keeps the pending slot of a scheduler whose `every` is unchanged (that is what makes declaring it
      // on every boot harmless), so a new offset would never take effect: that one starts over.
      if (current && (current.every !== schedule.everyMs || (current.offset ?? 0) !== offset)) await bull.removeJobScheduler(schedulerId);
      await bull.upsertJobScheduler(
        schedulerId,
        // `startDate` places the first slot; BullMQ then adds `every` to each, and after a gap realigns on `offset`.
        { every: schedule.everyMs, offset: offset || undefined, startDate: nextSlot(Date.now() + this.clockOffsetMs, schedule) - this.clockOffsetMs },
        template,
      );
    } catch (error) {
      if (this.closed) return;
      this.unsaved.add(queue);
      this.logger.warn({ err: error, queue }, `schedule of job ${queue} not saved; saving it again once Redis is ready`);
    }
  }

  /** Runs a tick: queues the runs of its slot, platform-wide or for each tenant that has the plugin enabled now. */
  private async queueScheduledRuns(queue: string, job: Job, tick: BullTickData['tick']): Promise<void> {
    // Scheduler job ids are `repeat:<scheduler id>:<slot in epoch ms>`, in real time.
    const slot = Number(job.id?.slice(job.id.lastIndexOf(':') + 1)) + this.clockOffsetMs;
    if (!Number.isSafeInteger(slot)) throw new Error(`unexpected id "${job.id}" of a scheduled job of ${queue}`);
    const tenants: readonly (string | undefined)[] = tick.perTenant ? await this.tenantsOf(pluginOfQueue(queue)) : [undefined];
    for (const tenantId of tenants) await this.add(queue, { tenantId: tenantId ?? '*', jobId: scheduledRunId(slot, tenantId), data: undefined });
  }

  private startWorker(name: string): void {
    if (this.options.workers === false || this.workers.has(name)) return;
    if (!this.runs(pluginOfQueue(name))) return;
    if (!this.consumer) {
      this.consumer = new Redis(this.options.url, { maxRetriesPerRequest: null, retryStrategy: reconnectDelay, disconnectTimeout: 200 });
      this.watch(this.consumer);
    }
    const worker = new Worker<BullJobData | BullTickData>(
      name,
      async (job) => {
        if (isTick(job.data)) return this.queueScheduledRuns(name, job, job.data.tick);
        const definition = this.definitions.get(name)!;
        await definition.handler({ id: job.data.jobId, name, tenantId: job.data.tenantId, data: job.data.data, attempt: job.attemptsMade + 1 });
      },
      // The worker that takes a tick computes the scheduler's next slot, so it needs the cron strategy too.
      {
        connection: this.consumer,
        prefix: this.prefix,
        concurrency: this.options.concurrency ?? 4,
        settings: { repeatStrategy: this.cronStrategy },
        telemetry: this.options.telemetry,
      },
    );
    worker.on('error', (error: Error) => this.reportOutage(error));
    worker.on('failed', (job, error) => {
      if (!job) return;
      const attempt = job.attemptsMade;
      if (isTick(job.data)) {
        const context = { err: error, queue: name, tick: job.id, attempt };
        if (attempt >= (job.opts.attempts ?? 1)) this.logger.error(context, `scheduled job ${name} skipped a slot: its runs could not be queued`);
        else this.logger.warn(context, `scheduled job ${name} could not queue the runs of a slot; retrying`);
        return;
      }
      const context = { err: error, queue: name, jobId: job.data.jobId, tenantId: job.data.tenantId, attempt };
      if (attempt >= (job.opts.attempts ?? 1)) this.logger.error(context, `job ${name} dead-lettered`);
      else {
        this.retries.set(name, (this.retries.get(name) ?? 0) + 1);
        this.logger.warn(context, `job ${name} failed; retrying`);
      }
    });
    this.workers.set(name, worker);
  }

  /**
   * BullMQ's next slot of a `pattern` scheduler after `millis` (real time): `nextCronRun` on the schedule's clock. The
   * pattern and zone are read from Redis, so a scheduler another version wrote may not parse here: that is logged and
   * the scheduler stops rather than running on a guess.
   */
  private readonly cronStrategy: RepeatStrategy = (millis, repeat, name) => {
    try {
      const cron = parseCronSchedule(repeat.pattern ?? '', repeat.tz ?? 'UTC');
      return nextCronRun(cron, millis + this.clockOffsetMs) - this.clockOffsetMs;
    } catch (error) {
      this.logger.error({ err: error, queue: name, cron: repeat.pattern, timezone: repeat.tz }, `schedule of job ${name} stopped: its cron expression cannot be computed`);
      return undefined;
    }
  };

  /**
   * Runs Redis commands for a caller that is waiting on them (a request, usually): while Redis is down that fails
   * within a second with a 503 instead of waiting for it to return.
   *
   * An enqueue is refused with `VV_UNAVAILABLE` and `Retry-After` (issue #10, finding 6), not buffered in this
   * process: a job acknowledged from a memory buffer would be lost with the process if it stopped before Redis came
   * back, while a refused one is retried by its caller, so nothing acknowledged is ever lost.
   */
  private async redis<T>(action: string, work: () => Promise<T>, code: 'VV_DEPENDENCY_UNAVAILABLE' | 'VV_UNAVAILABLE' = 'VV_DEPENDENCY_UNAVAILABLE'): Promise<T> {
    const unavailable = (reason: string, cause?: unknown) =>
      code === 'VV_UNAVAILABLE'
        ? new VvError('VV_UNAVAILABLE', { params: { dependency: 'the job queue (Redis)', retryAfter: 2, reason }, headers: { 'Retry-After': '2' }, cause })
        : new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'redis', reason }, cause });
    if (!(await this.ready(1000))) throw unavailable(`cannot ${action}: Redis is ${this.producer.status}`);
    try {
      return await work();
    } catch (error) {
      if (isVvError(error)) throw error;
      throw unavailable(`cannot ${action}: ${(error as Error).message}`, error);
    }
  }

  /** True while the producer (and the workers' connection, when this process runs workers) is ready. */
  get connected(): boolean {
    return this.producer.status === 'ready' && (this.consumer === undefined || this.consumer.status === 'ready');
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
    this.logger.warn({ err: error }, 'Redis job queue unavailable: enqueueing fails with 503 VV_UNAVAILABLE and no job runs until it returns');
  }
}

/** `a` modulo `b`, from 0 to `b - 1` also for a negative `a`. */
function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
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

function isTick(data: unknown): data is BullTickData {
  return typeof data === 'object' && data !== null && 'tick' in data;
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
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
