import { randomUUID } from 'node:crypto';
import Emittery from 'emittery';
import { VvError, type EventBus, type EventEnvelope, type PluginManifest } from '@valueverse/plugin-sdk';
import type { KernelLogger } from '../observability/kernel-logger';

/** Matches `commitment.*` against `commitment.signed`; `*` alone matches everything. */
export function matchesPattern(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === name) return true;
  return pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1));
}

/**
 * The kernel's event bus: Emittery in process. Every plugin gets a facade that checks its manifest permissions
 * (`events.publish:<pattern>`, `events.subscribe:<pattern>`) on each call. A failing subscriber is logged and does
 * not stop delivery to the others.
 */
export class InProcessEventBus {
  private readonly emitter = new Emittery<{ event: EventEnvelope }>();

  constructor(private readonly logger: KernelLogger) {}

  async publish(envelope: EventEnvelope): Promise<void> {
    await this.emitter.emit('event', envelope);
  }

  subscribe(pattern: string, handler: (event: EventEnvelope) => void | Promise<void>, owner: string): () => void {
    return this.emitter.on('event', async (event) => {
      if (!matchesPattern(pattern, event.name)) return;
      try {
        await handler(event);
      } catch (error) {
        this.logger.error({ err: error, plugin: owner, event: event.name, eventId: event.id }, `subscriber of "${owner}" failed on ${event.name}`);
      }
    });
  }

  /** The `core.events` service of one plugin. */
  forPlugin(manifest: PluginManifest, onPublish?: () => void): EventBus {
    const allowed = (kind: 'publish' | 'subscribe', name: string) =>
      (manifest.permissions ?? []).some((p) => p.startsWith(`events.${kind}:`) && matchesPattern(p.slice(`events.${kind}:`.length), name));
    return {
      publish: async (name, tenantId, payload) => {
        if (!allowed('publish', name)) {
          throw new VvError('VV_FORBIDDEN', { params: { reason: `plugin "${manifest.id}" may not publish "${name}" (no events.publish permission matches)` } });
        }
        onPublish?.();
        await this.publish({ id: randomUUID(), name, tenantId, source: manifest.id, occurredAt: new Date().toISOString(), payload });
      },
      subscribe: (pattern, handler) => {
        if (!allowed('subscribe', pattern.replace(/\*$/, 'x'))) {
          throw new VvError('VV_FORBIDDEN', { params: { reason: `plugin "${manifest.id}" may not subscribe to "${pattern}"` } });
        }
        return this.subscribe(pattern, handler as (e: EventEnvelope) => void, manifest.id);
      },
    };
  }

  clear(): void {
    this.emitter.clearListeners();
  }
}
