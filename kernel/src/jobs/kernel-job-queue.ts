import { VvError, type JobQueue, type PluginManifest } from '@valueverse/plugin-sdk';

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
   * Starts running jobs. The kernel calls it once the plugins have started, so no handler runs before its plugin;
   * `runs` says which plugins did start. A backend shared by several processes leaves the jobs of the others to
   * processes where they run; the in-process one has nobody to leave them to and ignores it.
   */
  start(runs?: (pluginId: string) => boolean): Promise<void>;
  /** Stops taking jobs and waits (bounded) for running ones. */
  close(): Promise<void>;
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
