import Redis from 'ioredis';
import type { KernelLogger } from '../observability/kernel-logger';
import type { ChangeFeed } from './change-feed';

/**
 * The change feed over Redis pub/sub. While Redis is down, instances keep serving from their caches and log it;
 * when the subscriber connection comes back they reload every tenant, because messages sent meanwhile are lost.
 */
export class RedisChangeFeed implements ChangeFeed {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private connectedOnce = false;
  /** `<prefix>:plugin-set-changed`: deployments sharing a Redis under different prefixes do not hear each other. */
  private readonly channel: string;

  constructor(url: string, private readonly logger: KernelLogger, prefix = 'vv') {
    this.channel = `${prefix}:plugin-set-changed`;
    const options = { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
    this.publisher = new Redis(url, options);
    this.subscriber = new Redis(url, options);
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: Error) => this.logger.warn({ err: error }, 'Redis change feed unavailable; serving plugin sets from cache'));
    }
  }

  async subscribe(onChange: (tenantId: string | undefined) => void): Promise<void> {
    this.subscriber.on('message', (_channel: string, tenantId: string) => onChange(tenantId || undefined));
    this.subscriber.on('ready', () => {
      if (this.connectedOnce) {
        this.logger.info('Redis change feed reconnected; reloading every tenant plugin set');
        onChange(undefined);
      }
      this.connectedOnce = true;
    });
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(this.channel);
  }

  async publish(tenantId: string): Promise<void> {
    try {
      await this.publisher.publish(this.channel, tenantId);
    } catch (error) {
      this.logger.warn({ err: error, tenantId }, 'could not broadcast a plugin-set change; other instances catch up when Redis returns');
    }
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
