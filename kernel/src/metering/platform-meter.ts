import { randomBytes } from 'node:crypto';
import type { EventEnvelope, Logger } from '@valueverse/plugin-sdk';

/** The event an operator's billing tenant meters the platform's own usage from (see docs/billing.md). */
export const PLATFORM_USAGE_EVENT = 'platform.usage';
/** What the calculation plugin publishes after Monte Carlo work: `{ trials }` for the event's tenant. */
export const CALCULATION_TRIALS_EVENT = 'calculation.trials';
/** What AI providers publish after each model call (the SDK's `AI_USAGE_EVENT`): `{ totalTokens, … }`. */
export const AI_USAGE_EVENT = 'ai.usage';

/** One tenant's usage of the platform in a window. */
export interface PlatformUsageEntry {
  readonly tenantId: string;
  readonly apiRequests: number;
  readonly aiTokens: number;
  readonly monteCarloTrials: number;
}

/** Payload of `platform.usage`: one window of one instance, every tenant that used the platform in it. */
export interface PlatformUsage {
  /** The instance that counted (each counts its own requests; ids of windows are unique per instance). */
  readonly instanceId: string;
  /** Sequence of the window on this instance since it started; with `instanceId`, a stable id for deduplication. */
  readonly window: number;
  readonly from: string;
  readonly to: string;
  readonly tenants: readonly PlatformUsageEntry[];
}

export interface PlatformMeterOptions {
  /** The operator's tenant: where `platform.usage` events are published (its billing plugin meters them). */
  readonly tenantId: string;
  /** How often counts are flushed as an event (default 60 s). */
  readonly flushEveryMs?: number;
}

/**
 * Counts the kernel's own usage per tenant in memory and publishes it periodically as `platform.usage` in the
 * operator's tenant. Counting a request is a map look-up and an increment (no allocation once a tenant is known,
 * no I/O, no promise); AI tokens and Monte Carlo trials come from the `ai.usage` and `calculation.trials` events
 * plugins already publish. A window whose publication fails is kept and added to the next one.
 */
export class PlatformMeter {
  /** Per tenant: [API requests, AI tokens, Monte Carlo trials]. */
  private counts = new Map<string, [number, number, number]>();
  private windowStart = new Date();
  private window = 0;
  private timer: NodeJS.Timeout | undefined;
  readonly instanceId: string;

  constructor(
    private readonly options: PlatformMeterOptions,
    private readonly publish: (name: string, tenantId: string, payload: PlatformUsage) => Promise<void>,
    private readonly logger: Logger,
    instanceId?: string,
  ) {
    this.instanceId = instanceId ?? `instance-${randomBytes(6).toString('hex')}`;
  }

  /** One API request of `tenantId`: the hot path. */
  request(tenantId: string): void {
    const counts = this.counts.get(tenantId);
    if (counts !== undefined) counts[0] += 1;
    else this.counts.set(tenantId, [1, 0, 0]);
  }

  /** From the event bus: AI tokens and Monte Carlo trials, published by plugins with the tenant on the envelope. */
  observe(event: EventEnvelope): void {
    const payload = event.payload as { totalTokens?: unknown; trials?: unknown } | null;
    const index = event.name === AI_USAGE_EVENT ? 1 : event.name === CALCULATION_TRIALS_EVENT ? 2 : undefined;
    const amount = index === 1 ? payload?.totalTokens : payload?.trials;
    if (index === undefined || typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) return;
    let counts = this.counts.get(event.tenantId);
    if (counts === undefined) this.counts.set(event.tenantId, (counts = [0, 0, 0]));
    counts[index] += Math.round(amount);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushEveryMs ?? 60_000);
    this.timer.unref();
  }

  /** Publishes the counts since the last flush (nothing when there are none) and starts a new window. */
  async flush(now = new Date()): Promise<PlatformUsage | undefined> {
    if (this.counts.size === 0) return undefined;
    const counts = this.counts;
    this.counts = new Map();
    const usage: PlatformUsage = {
      instanceId: this.instanceId,
      window: (this.window += 1),
      from: this.windowStart.toISOString(),
      to: now.toISOString(),
      tenants: [...counts].map(([tenantId, [apiRequests, aiTokens, monteCarloTrials]]) => ({ tenantId, apiRequests, aiTokens, monteCarloTrials })),
    };
    this.windowStart = now;
    try {
      await this.publish(PLATFORM_USAGE_EVENT, this.options.tenantId, usage);
      return usage;
    } catch (error) {
      // Not lost: added back, published with the next window.
      for (const entry of usage.tenants) {
        const kept = this.counts.get(entry.tenantId) ?? [0, 0, 0];
        this.counts.set(entry.tenantId, [kept[0] + entry.apiRequests, kept[1] + entry.aiTokens, kept[2] + entry.monteCarloTrials]);
      }
      this.logger.error({ err: error }, 'publishing platform usage failed; it is kept for the next window');
      return undefined;
    }
  }

  /** Stops the timer and publishes what was counted since the last flush. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
