import { VvError, isVvError, type FieldProblem, type JobQueue, type PluginManifest } from '@valueverse/plugin-sdk';
import type { JobQueueStats } from '../observability/kernel-metrics';
import { nextCronRun, parseCronSchedule, type CronSchedule } from './cron-schedule';

/** A job that used up its attempts, kept for admins to see and retry. */
export interface DeadJob {
  /** Unique across queues, `<queue>:<jobId>`: what `retryDead` takes. */
  readonly id: string;
  /** `<plugin>.<name>`. */
  readonly queue: string;
  /** The id `enqueue` returned (the caller's `jobId`, or a generated one). */
  readonly jobId: string;
  readonly tenantId: string;
  readonly data: unknown;
  readonly attempts: number;
  /** Message of the last failure. */
  readonly error: string;
  readonly failedAt: string;
}

export interface DeadJobQuery {
  readonly tenantId?: string;
  readonly limit: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** Newest first; `nextCursor` is null on the last page. */
export interface DeadJobPage {
  readonly items: readonly DeadJob[];
  readonly nextCursor: string | null;
}

/** What the admin routes need from a queue, whichever backend runs it. */
export interface DeadLetters {
  listDead(query: DeadJobQuery): Promise<DeadJobPage>;
  /** Puts a dead job back in its queue with a fresh set of attempts; undefined when no dead job has this id. */
  retryDead(id: string): Promise<DeadJob | undefined>;
  /** Forgets a dead job for good (its `jobId` may be enqueued again); undefined when no dead job has this id. */
  deleteDead(id: string): Promise<DeadJob | undefined>;
}

/** What the kernel tells a queue when it starts it. */
export interface JobQueueStart {
  /**
   * Which plugins started in this process (default: all). A backend shared by several processes leaves the jobs of
   * the others to processes where they run; the in-process one has nobody to leave enqueued jobs to and runs them,
   * but fires no schedule of a plugin that did not start.
   */
  readonly runs?: (pluginId: string) => boolean;
  /**
   * The active tenants that have the plugin enabled, read when a `perTenant` schedule fires (default: none, so
   * such a schedule runs for nobody).
   */
  readonly tenantsOf?: (pluginId: string) => Promise<readonly string[]>;
  /**
   * How far the clock that schedules are computed on is ahead of this machine's (default 0). For tests: it brings a
   * slot such as the next 02:00 or a Monday morning in Berlin within milliseconds instead of hours. A fixed shift
   * rather than a clock function because BullMQ keeps its delays in real time, and only a shift translates exactly
   * both ways. Instances that share a Redis schedule must use the same one.
   */
  readonly clockOffsetMs?: number;
}

/**
 * The kernel's job queue: the `core.jobs` service of each plugin plus what the kernel itself drives. Both backends
 * (in process, BullMQ) share the semantics: `attempts` tries in total, the n-th retry after `backoffMs * 2^(n-1)`,
 * a `jobId` that is already waiting, running or dead is not enqueued twice, and a job out of attempts is dead.
 */
export interface KernelJobQueue extends DeadLetters {
  /** The `core.jobs` service of one plugin: queue names are namespaced `<plugin>.<name>`. */
  forPlugin(manifest: PluginManifest): JobQueue;
  /**
   * Starts running jobs and schedules. The kernel calls it once the plugins have started, so no handler runs before
   * its plugin.
   */
  start(options?: JobQueueStart): Promise<void>;
  /** Stops taking jobs, stops its schedule timers and waits (bounded) for running jobs. */
  close(): Promise<void>;
  /** Depth, age, retries and dead jobs of each queue, for `/metrics` (a backend without them reports none). */
  stats?(): Promise<readonly JobQueueStats[]>;
}

/** Job names become part of queue names and Redis keys: a `:` would make `<queue>:<jobId>` ambiguous. */
const jobNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `<plugin>.<name>`, refusing a name that cannot be a queue name (when the plugin defines it, not later). */
export function queueName(manifest: PluginManifest, name: string): string {
  if (!jobNamePattern.test(name)) {
    throw new VvError('VV_VALIDATION', {
      params: { reason: `Job name "${name}" of plugin "${manifest.id}" must match ${jobNamePattern.source}` },
      errors: [{ pointer: '', message: `job name must match ${jobNamePattern.source}` }],
    });
  }
  return `${manifest.id}.${name}`;
}

/** The plugin of a queue: queue names are `<plugin>.<name>` and plugin ids contain no dot. */
export function pluginOfQueue(queue: string): string {
  return queue.slice(0, queue.indexOf('.'));
}

/** What `JobQueue.schedule` takes (the SDK's `JobSchedule`). */
type JobSchedule = Parameters<JobQueue['schedule']>[1];

/** A `JobSchedule` with its defaults filled in: a period, or a parsed cron expression. */
export type CheckedSchedule = { readonly everyMs: number; readonly offsetMs: number; readonly perTenant: boolean } | { readonly cron: CronSchedule; readonly perTenant: boolean };

/** The schedule as given, or `VV_VALIDATION` naming the plugin and job (when it is declared, not when it fires). */
export function checkSchedule(manifest: PluginManifest, name: string, schedule: JobSchedule): CheckedSchedule {
  // Read loosely: a plugin in JavaScript can pass anything, and the union only constrains TypeScript callers.
  const given = (schedule ?? {}) as { everyMs?: unknown; offsetMs?: unknown; cron?: unknown; timezone?: unknown; perTenant?: unknown };
  const { everyMs, offsetMs = 0, cron, timezone = 'UTC', perTenant = false } = given;
  const problems: FieldProblem[] = [];
  let cronSchedule: CronSchedule | undefined;
  if (cron !== undefined) {
    const period = ['everyMs', 'offsetMs'].filter((key) => given[key as keyof typeof given] !== undefined);
    if (period.length > 0) {
      problems.push({
        pointer: '/cron',
        message: `cannot be given with ${period.join(' or ')}: a schedule is either a period (everyMs, offsetMs) or a cron expression (cron, timezone)`,
      });
    } else if (typeof cron !== 'string') {
      problems.push({ pointer: '/cron', message: "must be a string: a 5-field cron expression such as '0 2 * * *'" });
    } else {
      try {
        cronSchedule = parseCronSchedule(cron, timezone as string);
      } catch (error) {
        if (!isVvError(error)) throw error;
        problems.push(...error.errors);
      }
    }
  } else if (everyMs === undefined) {
    problems.push({ pointer: '', message: 'needs everyMs (a period) or cron (a cron expression)' });
  } else {
    // Faster than that is a busy loop, not a schedule.
    if (!Number.isSafeInteger(everyMs) || (everyMs as number) < 100) problems.push({ pointer: '/everyMs', message: 'must be a whole number of milliseconds, at least 100' });
    else if (!Number.isSafeInteger(offsetMs) || (offsetMs as number) < 0 || (offsetMs as number) >= (everyMs as number))
      problems.push({ pointer: '/offsetMs', message: 'must be a whole number of milliseconds from 0 to everyMs - 1' });
    if (given.timezone !== undefined) problems.push({ pointer: '/timezone', message: 'applies only to a cron schedule: everyMs slots are counted from the Unix epoch' });
  }
  if (typeof perTenant !== 'boolean') problems.push({ pointer: '/perTenant', message: 'must be a boolean' });
  if (problems.length > 0) {
    throw new VvError('VV_VALIDATION', {
      params: { reason: `Schedule of job "${name}" of plugin "${manifest.id}": ${problems.map((p) => (p.pointer ? `${p.pointer.slice(1)} ${p.message}` : p.message)).join('; ')}` },
      errors: problems,
    });
  }
  if (cronSchedule) return { cron: cronSchedule, perTenant: perTenant as boolean };
  return { everyMs: everyMs as number, offsetMs: offsetMs as number, perTenant: perTenant as boolean };
}

/** The first slot of `schedule` strictly after `afterMs` (epoch ms). */
export function nextSlot(afterMs: number, schedule: CheckedSchedule): number {
  if ('cron' in schedule) return nextCronRun(schedule.cron, afterMs);
  const { everyMs, offsetMs } = schedule;
  return Math.floor((afterMs - offsetMs) / everyMs) * everyMs + offsetMs + everyMs;
}

/** The job id of a scheduled run: one per slot (and tenant), so a slot queued twice runs once. */
export function scheduledRunId(slotMs: number, tenantId: string | undefined): string {
  const id = `scheduled:${new Date(slotMs).toISOString()}`;
  return tenantId === undefined ? id : `${id}:${tenantId}`;
}

/** Splits a dead job id into queue and job id; the queue part never contains `:` (see `queueName`). */
export function splitDeadId(id: string): { queue: string; jobId: string } | undefined {
  const colon = id.indexOf(':');
  return colon > 0 && colon < id.length - 1 ? { queue: id.slice(0, colon), jobId: id.slice(colon + 1) } : undefined;
}

/** Where a dead job sorts: newest first, ties by key descending. */
export interface DeadPosition {
  readonly at: number;
  readonly key: string;
}

/** Negative when `a` comes first. */
export function compareDead(a: DeadPosition, b: DeadPosition): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.key < b.key ? 1 : a.key > b.key ? -1 : 0;
}

/** Opaque to clients: base64url of `[at, key]`. */
export function encodeDeadCursor(position: DeadPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.key])).toString('base64url');
}

export function decodeDeadCursor(cursor: string): DeadPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string') {
      return { at: value[0] as number, key: value[1] };
    }
  } catch {
    // falls through to the validation error
  }
  throw VvError.validation([{ pointer: '/cursor', in: 'query', message: 'is not a cursor returned by this listing' }]);
}
