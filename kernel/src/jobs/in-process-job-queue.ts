import { randomUUID } from 'node:crypto';
import { VvError, type JobContext, type JobOptions, type JobQueue, type PluginManifest } from '@valueverse/plugin-sdk';
import type { KernelLogger } from '../observability/kernel-logger';

interface Definition {
  handler: (job: JobContext<unknown>) => Promise<void>;
  attempts: number;
  backoffMs: number;
}

/** A job that used up its attempts, kept for admins to see. */
export interface DeadJob {
  readonly id: string;
  readonly queue: string;
  readonly tenantId: string;
  readonly data: unknown;
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: string;
}

/**
 * The embedded job queue: the same semantics as the BullMQ one (attempts, exponential backoff, dead letters) run
 * in process with timers. Queue names are namespaced `<plugin>.<name>`.
 */
export class InProcessJobQueue {
  private readonly definitions = new Map<string, Definition>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly dead: DeadJob[] = [];
  private closed = false;

  constructor(private readonly logger: KernelLogger) {}

  forPlugin(manifest: PluginManifest): JobQueue {
    return {
      define: (name, handler, options?: JobOptions) => {
        this.definitions.set(`${manifest.id}.${name}`, {
          handler: handler as Definition['handler'],
          attempts: options?.attempts ?? 3,
          backoffMs: options?.backoffMs ?? 1000,
        });
      },
      enqueue: async (name, tenantId, data, options) => {
        const queue = `${manifest.id}.${name}`;
        if (!this.definitions.has(queue)) throw new VvError('VV_NOT_FOUND', { params: { reason: `No job "${name}" is defined by "${manifest.id}"` } });
        const id = options?.jobId ?? randomUUID();
        this.schedule(queue, id, tenantId, data, 1, options?.delayMs ?? 0);
        return id;
      },
    };
  }

  private schedule(queue: string, id: string, tenantId: string, data: unknown, attempt: number, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.run(queue, id, tenantId, data, attempt);
    }, delayMs);
    this.timers.add(timer);
  }

  private async run(queue: string, id: string, tenantId: string, data: unknown, attempt: number): Promise<void> {
    const definition = this.definitions.get(queue)!;
    try {
      await definition.handler({ id, name: queue, tenantId, data, attempt });
    } catch (error) {
      if (attempt < definition.attempts) {
        const delay = definition.backoffMs * 2 ** (attempt - 1);
        this.logger.warn({ err: error, queue, jobId: id, attempt, retryInMs: delay }, `job ${queue} failed; retrying`);
        this.schedule(queue, id, tenantId, data, attempt + 1, delay);
      } else {
        this.logger.error({ err: error, queue, jobId: id, attempt }, `job ${queue} dead-lettered`);
        this.dead.push({ id, queue, tenantId, data, attempts: attempt, error: (error as Error)?.message ?? String(error), failedAt: new Date().toISOString() });
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
