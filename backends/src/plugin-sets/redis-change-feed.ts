import Redis from 'ioredis';
import type { ChangeFeed, KernelLogger } from '@valueverse/kernel';

/**
 * The change feed over Redis pub/sub. While Redis is down, instances keep serving from their caches and log it;
 * whenever the subscriber connection becomes ready they reload every tenant, because messages sent meanwhile are
 * lost. That includes the first connection of a host that booted while Redis was unreachable (issue #10, finding
 * 6): `subscribe` waits for Redis a moment (`connectTimeoutMs`), then lets the boot go on and keeps connecting.
 */
export class RedisChangeFeed implements ChangeFeed {
  private readonly publisher: Redis;
  /** Keeps its SUBSCRIBE queued until Redis answers (no retry limit), and re-subscribes after every reconnect. */
  private readonly subscriber: Redis;
  /** `<prefix>:plugin-set-changed`: deployments sharing a Redis under different prefixes do not hear each other. */
  private readonly channel: string;
  private outage = false;
  private closing = false;
  /** Set once `subscribe` has returned: a connection made after that reloads every tenant. */
  private subscribed = false;

  constructor(
    url: string,
    private readonly logger: KernelLogger,
    prefix = 'vv',
    private readonly connectTimeoutMs = 2000,
  ) {
    this.channel = `${prefix}:plugin-set-changed`;
    const common = { lazyConnect: true, disconnectTimeout: 200, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
    this.publisher = new Redis(url, { ...common, maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(url, { ...common, maxRetriesPerRequest: null });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: Error) => {
        if (this.outage || this.closing) return;
        this.outage = true;
        this.logger.warn({ err: error }, 'Redis change feed unavailable; serving plugin sets from cache');
      });
    }
  }

  /** True while both connections are ready (readiness reports it). */
  get connected(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async subscribe(onChange: (tenantId: string | undefined) => void): Promise<void> {
    this.subscriber.on('message', (_channel: string, tenantId: string) => onChange(tenantId || undefined));
    this.subscriber.on('ready', () => {
      if (this.outage) this.logger.info('Redis change feed connected; reloading every tenant plugin set');
      this.outage = false;
      // After an outage, or a boot that went on without Redis, drop whatever other instances changed while their
      // messages could not arrive. A connection made while `subscribe` waits is at boot: nothing is cached yet.
      if (this.subscribed) onChange(undefined);
    });
    // A failed first connect is retried by ioredis (retryStrategy), like any later disconnect.
    this.publisher.connect().catch(() => undefined);
    const subscribed = this.subscriber.subscribe(this.channel).then(
      () => true,
      () => false,
    );
    this.subscriber.connect().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.connectTimeoutMs);
    });
    const ready = await Promise.race([subscribed, timeout]);
    clearTimeout(timer);
    this.subscribed = true;
    if (!ready) this.logger.warn({ channel: this.channel }, 'Redis change feed is not connected yet; plugin-set changes of other instances are seen once it is');
  }

  async publish(tenantId: string): Promise<void> {
    try {
      await this.publisher.publish(this.channel, tenantId);
    } catch (error) {
      this.logger.warn({ err: error, tenantId }, 'could not broadcast a plugin-set change; other instances catch up when Redis returns');
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
