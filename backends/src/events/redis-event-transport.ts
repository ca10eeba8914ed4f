import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { EventEnvelope } from '@valueverse/plugin-sdk';
import type { EventTransport, KernelLogger } from '@valueverse/kernel';
import { injectTraceContext, isEventEnvelope, otel, withRemoteContext } from '@valueverse/kernel/backend';

/** What goes over the channel: the event and the instance that sent it. */
interface WireMessage {
  readonly v: 1;
  readonly origin: string;
  readonly event: EventEnvelope;
  /** Tracing on: the publisher's W3C trace context (`traceparent`), so the receiving instance continues its trace. */
  readonly trace?: Record<string, string>;
}

export interface RedisEventTransportOptions {
  /** Channel prefix, one per deployment sharing a Redis (default `vv`): the channel is `<prefix>:events`. */
  readonly prefix?: string;
  /** How long `start()` waits for Redis before the boot goes on without it (default 2 s). */
  readonly connectTimeoutMs?: number;
}

/**
 * The event bridge over Redis pub/sub: one channel per deployment, JSON messages tagged with this instance's id so
 * that it ignores its own echo (it has delivered its events locally already).
 *
 * While Redis is down, events are delivered on the instance that published them only; the outage is logged once
 * and ioredis reconnects (the subscriber re-subscribes by itself). Nothing here throws at a publisher.
 */
export class RedisEventTransport implements EventTransport {
  readonly instanceId = randomUUID();
  readonly channel: string;
  /** No offline queue: a publish while Redis is down fails at once instead of holding up the publisher. */
  private readonly publisher: Redis;
  /** Keeps its SUBSCRIBE queued until Redis answers, and re-subscribes after every reconnect. */
  private readonly subscriber: Redis;
  private outage = false;
  private closing = false;
  private readonly api = otel();

  constructor(
    url: string,
    private readonly logger: KernelLogger,
    private readonly options: RedisEventTransportOptions = {},
  ) {
    this.channel = `${options.prefix ?? 'vv'}:events`;
    // Closed during an outage, ioredis waits `disconnectTimeout` (2 s by default) for a socket that is already gone,
    // holding the process open meanwhile.
    const common = { lazyConnect: true, disconnectTimeout: 200, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
    this.publisher = new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(url, { ...common, maxRetriesPerRequest: null });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: Error) => this.reportOutage(error));
      connection.on('ready', () => {
        if (!this.outage || this.publisher.status !== 'ready' || this.subscriber.status !== 'ready') return;
        this.outage = false;
        this.logger.info({ channel: this.channel }, 'Redis event bridge reconnected; events reach other instances again');
      });
    }
  }

  /** True while both connections are ready (readiness reports it). */
  get connected(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async start(receive: (envelope: EventEnvelope) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      const message = this.decode(raw);
      if (!message) return;
      const api = this.api;
      if (!api) return receive(message.event);
      const attributes = { 'vv.event.name': message.event.name, 'vv.event.source': message.event.source, 'vv.tenant': message.event.tenantId, 'messaging.system': 'redis' };
      withRemoteContext(api, message.trace, `vv.event.receive ${message.event.name}`, attributes, () => receive(message.event));
    });
    const subscribed = this.subscriber.subscribe(this.channel).then(
      () => true,
      (error: unknown) => {
        this.reportOutage(error as Error);
        return false;
      },
    );
    // A failed first connect is retried by ioredis (retryStrategy), like any later disconnect.
    const connected = this.publisher.connect().then(
      () => true,
      () => false,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.connectTimeoutMs ?? 2000);
    });
    const ready = await Promise.race([Promise.all([subscribed, connected]).then(([a, b]) => a && b), timeout]);
    clearTimeout(timer);
    if (!ready) this.logger.warn({ channel: this.channel }, 'Redis event bridge is not connected yet; events stay on this instance until it is');
  }

  async send(envelope: EventEnvelope): Promise<void> {
    const trace = this.api ? injectTraceContext(this.api) : undefined;
    const message: WireMessage = trace ? { v: 1, origin: this.instanceId, event: envelope, trace } : { v: 1, origin: this.instanceId, event: envelope };
    try {
      await this.publisher.publish(this.channel, JSON.stringify(message));
    } catch (error) {
      this.reportOutage(error as Error);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private decode(raw: string): WireMessage | undefined {
    let message: Partial<WireMessage>;
    try {
      message = JSON.parse(raw) as Partial<WireMessage>;
    } catch {
      this.logger.warn({ channel: this.channel }, 'ignored a message on the event channel that is not JSON');
      return undefined;
    }
    if (message?.v !== 1 || typeof message.origin !== 'string' || !isEventEnvelope(message.event)) {
      this.logger.warn({ channel: this.channel }, 'ignored a message on the event channel that is not an event envelope');
      return undefined;
    }
    if (message.origin === this.instanceId) return undefined;
    const trace =
      message.trace !== null && typeof message.trace === 'object' && typeof message.trace.traceparent === 'string' ? { traceparent: message.trace.traceparent } : undefined;
    return { v: 1, origin: message.origin, event: message.event, trace };
  }

  /** Logs the first error of an outage, not each reconnection attempt or lost event. */
  private reportOutage(error: Error): void {
    if (this.outage || this.closing) return;
    this.outage = true;
    this.logger.warn({ err: error, channel: this.channel }, 'Redis event bridge unavailable: events are delivered on this instance only until it returns');
  }
}
