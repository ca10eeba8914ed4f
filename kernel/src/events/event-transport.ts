import type { EventEnvelope } from '@valueverse/plugin-sdk';

/**
 * Carries events between host instances (the "bridge" of the event bus). The bus delivers an event to this
 * instance's subscribers itself and hands it to the transport for the others; the transport hands the bus only the
 * events of other instances, so every instance delivers every event once.
 *
 * Delivery between instances is at most once: what is sent while the transport is down is lost, not queued (work
 * that must not be lost goes through the job queue).
 */
export interface EventTransport {
  /** Starts receiving other instances' events. Resolves when listening, or when it gave up waiting (and keeps trying). */
  start(receive: (envelope: EventEnvelope) => void): Promise<void>;
  /** Sends an event to the other instances. Never rejects: a failure is logged and the event stays local. */
  send(envelope: EventEnvelope): Promise<void>;
  close(): Promise<void>;
}

/** True for a value shaped like an `EventEnvelope` (what arrives from another process is checked, not trusted). */
export function isEventEnvelope(value: unknown): value is EventEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return ['id', 'name', 'tenantId', 'source', 'occurredAt'].every((key) => typeof e[key] === 'string' && (e[key] as string).length > 0) && 'payload' in e;
}
