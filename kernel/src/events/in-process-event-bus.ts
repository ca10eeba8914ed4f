import { randomUUID } from 'node:crypto';
import Emittery from 'emittery';
import { VvError, type EventBus, type EventEnvelope, type PluginManifest } from '@valueverse/plugin-sdk';
import { requestScope } from '../context/request-scope';
import type { KernelLogger } from '../observability/kernel-logger';
import { inSpan, otel } from '../observability/tracing';
import type { EventTransport } from './event-transport';

/** `source` of the events the kernel publishes itself (e.g. `plugin-set.changed`); no plugin may publish as it. */
export const KERNEL_EVENT_SOURCE = 'kernel';

/**
 * Kernel events that carry a secret (a new invitation's token): delivered only to subscribers that ask for them
 * with `confidential: true` — a notification sender — and never to the tenant's event streams, which every member
 * of the tenant may read.
 */
export const CONFIDENTIAL_KERNEL_EVENTS: ReadonlySet<string> = new Set(['tenant.invitation.created']);
/**
 * Kernel events plugins may subscribe to (with a matching `events.subscribe:` permission): platform metering, and the
 * platform events of `PlatformEvents` (a member invited, an account locked, a plugin failed).
 */
export const PLUGIN_VISIBLE_KERNEL_EVENTS: ReadonlySet<string> = new Set(['platform.usage', 'tenant.member.invited', 'auth.lockout', 'plugin.failed']);
/**
 * Kernel events kept off the tenant's event streams although plugins may see them: a member's lockout is for the
 * tenant's admins (through a plugin such as notifications), not for every viewer of the tenant.
 */
export const UNSTREAMED_KERNEL_EVENTS: ReadonlySet<string> = new Set(['auth.lockout']);
/**
 * The permission that lets a plugin receive the confidential `tenant.invitation.created` (with the invitation's
 * token): the plugin that emails invitations. An operator grants it by loading or approving the plugin.
 */
export const INVITATIONS_SEND_PERMISSION = 'invitations.send';

/** Matches `commitment.*` against `commitment.signed`; `*` alone matches everything. */
export function matchesPattern(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === name) return true;
  return pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1));
}

/**
 * The kernel's event bus: Emittery in process, plus an optional transport (the Redis bridge) that carries events
 * to and from the other host instances. Every plugin gets a facade that checks its manifest permissions
 * (`events.publish:<pattern>`, `events.subscribe:<pattern>`) on each call. A failing subscriber is logged and does
 * not stop delivery to the others.
 *
 * Kernel events (source `kernel`) reach only subscribers that ask for them (the event stream): they are not part
 * of the plugin contract, so plugins and `subscribe('*')` see plugin events only.
 */
export class InProcessEventBus {
  private readonly emitter = new Emittery<{ event: EventEnvelope }>();
  /** Tracing on: each subscriber's handling of an event is a span (the publisher's trace continues in it). */
  private readonly api = otel();

  /**
   * Answers whether a plugin is enabled for a tenant. A plugin's subscribers only see events of tenants that have
   * it enabled: a tenant that turned a plugin off must not have it act on its data. Unset: every tenant.
   */
  private enabledFor: ((pluginId: string, tenantId: string) => Promise<boolean>) | undefined;

  constructor(
    private readonly logger: KernelLogger,
    private readonly transport?: EventTransport,
  ) {}

  /** Filters plugin subscribers by the tenant's plugin set (the kernel wires its plugin-set cache here). */
  setEnablement(enabledFor: (pluginId: string, tenantId: string) => Promise<boolean>): void {
    this.enabledFor = enabledFor;
  }

  /** Starts receiving the other instances' events (nothing to do without a transport). */
  async start(): Promise<void> {
    await this.transport?.start((envelope) => {
      this.deliver(envelope).catch((error: unknown) => this.logger.error({ err: error, eventId: envelope.id }, 'delivering a remote event failed'));
    });
  }

  /** Delivers here and, through the transport, on every other instance; each delivers it once. */
  async publish(envelope: EventEnvelope): Promise<void> {
    await Promise.all([this.deliver(envelope), this.transport?.send(envelope)]);
  }

  /** Publishes an event of the kernel itself, e.g. `plugin-set.changed`. */
  async publishKernelEvent(name: string, tenantId: string, payload: unknown): Promise<void> {
    await this.publish({ id: randomUUID(), name, tenantId, source: KERNEL_EVENT_SOURCE, occurredAt: new Date().toISOString(), payload });
  }

  subscribe(
    pattern: string,
    handler: (event: EventEnvelope) => void | Promise<void>,
    owner: string,
    options: { kernelEvents?: boolean; confidential?: boolean; stream?: boolean } = {},
  ): () => void {
    return this.emitter.on('event', async (event) => {
      if (event.source === KERNEL_EVENT_SOURCE) {
        if (CONFIDENTIAL_KERNEL_EVENTS.has(event.name) ? !options.confidential : !options.kernelEvents && !PLUGIN_VISIBLE_KERNEL_EVENTS.has(event.name)) return;
        if (options.stream && UNSTREAMED_KERNEL_EVENTS.has(event.name)) return;
      }
      if (!matchesPattern(pattern, event.name)) return;
      try {
        const api = this.api;
        if (api)
          await inSpan(
            api,
            `vv.event.handle ${event.name}`,
            { 'vv.event.name': event.name, 'vv.event.source': event.source, 'vv.tenant': event.tenantId, 'vv.subscriber': owner },
            () => handler(event),
          );
        else await handler(event);
      } catch (error) {
        this.logger.error({ err: error, plugin: owner, event: event.name, eventId: event.id }, `subscriber of "${owner}" failed on ${event.name}`);
      }
    });
  }

  /** The `core.events` service of one plugin. */
  forPlugin(manifest: PluginManifest, onPublish?: () => void, publishPatterns?: readonly string[]): EventBus {
    const declared = (kind: 'publish' | 'subscribe') => (manifest.permissions ?? []).filter((p) => p.startsWith(`events.${kind}:`)).map((p) => p.slice(`events.${kind}:`.length));
    // Installed packages publish what the installer granted (their namespace, and patterns an operator approved);
    // first-party plugins from VV_PLUGINS_DIR what their manifest declares (the operator put them there).
    const patterns = { publish: publishPatterns ?? declared('publish'), subscribe: declared('subscribe') };
    const allowed = (kind: 'publish' | 'subscribe', name: string) => patterns[kind].some((pattern) => matchesPattern(pattern, name));
    return {
      publish: async (name, tenantId, payload) => {
        if (!allowed('publish', name) || manifest.id === KERNEL_EVENT_SOURCE) {
          throw new VvError('VV_FORBIDDEN', { params: { reason: `plugin "${manifest.id}" may not publish "${name}" (no events.publish permission matches)` } });
        }
        onPublish?.();
        await this.publish({ id: randomUUID(), name, tenantId, source: manifest.id, occurredAt: new Date().toISOString(), payload });
      },
      subscribe: (pattern, handler) => {
        if (!allowed('subscribe', pattern.replace(/\*$/, 'x'))) {
          throw new VvError('VV_FORBIDDEN', { params: { reason: `plugin "${manifest.id}" may not subscribe to "${pattern}"` } });
        }
        return this.subscribe(
          pattern,
          async (event) => {
            if (this.enabledFor && !(await this.enabledFor(manifest.id, event.tenantId))) return;
            // A handler runs outside any request (as `core.context` documents), even when the event was published
            // during one: the request's tenant is not the event's to act on.
            await requestScope.exit(() => (handler as (e: EventEnvelope) => void | Promise<void>)(event));
          },
          manifest.id,
          // Installed packages never get the token: only a first-party plugin (the operator put it in
          // VV_PLUGINS_DIR) that declares the permission.
          { confidential: publishPatterns === undefined && (manifest.permissions ?? []).includes(INVITATIONS_SEND_PERMISSION) },
        );
      },
    };
  }

  clear(): void {
    this.emitter.clearListeners();
  }

  /** Drops every subscriber and disconnects the transport. */
  async close(): Promise<void> {
    this.clear();
    await this.transport?.close();
  }

  private deliver(envelope: EventEnvelope): Promise<void> {
    return this.emitter.emit('event', envelope);
  }
}
