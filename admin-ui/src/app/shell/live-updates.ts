import { DestroyRef, Injectable, effect, inject, signal, untracked } from '@angular/core';
import { Subject } from 'rxjs';
import { SessionService } from '../session/session.service';
import { WorkspacePlugins } from './workspace-plugins';

/** A lifecycle event from the stream (the kernel's envelope, trimmed). */
export interface LiveEvent {
  readonly id: string;
  readonly name: string;
  readonly occurredAt: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** How many recent events the dashboard keeps. */
const RECENT_EVENTS = 20;

/** The lifecycle plugins' events the dashboard lists (an EventSource hears only the names it listens to). */
export const LIFECYCLE_EVENTS = [
  'value-model.created',
  'value-model.updated',
  'value-model.deleted',
  'commitment.created',
  'commitment.proposed',
  'commitment.signed',
  'commitment.activated',
  'commitment.closed',
  'commitment.amended',
  'milestone.achieved',
  'milestone.missed',
  'realization.at-risk',
  'measurement.recorded',
] as const;

/** Who is looking at or editing a model or commitment (issue 20): for the pages that show it, not the feed. */
export const PRESENCE_EVENTS = ['value-architect.presence', 'value-committer.presence'] as const;

export type LiveMode = 'off' | 'connecting' | 'live' | 'polling';

const CHANNEL = 'vv.plugin-set';
const POLL_MS = 5_000;
const SSE_RETRY_MS = 60_000;

/**
 * Keeps the workspace navigation in step with the tenant's plugin set:
 * - server-sent events (`plugin-set.changed` on /api/v1/events/stream) for changes made anywhere;
 * - a BroadcastChannel, so another tab of this browser that changed the set is seen at once;
 * - polling every 5 s while the event stream is not connected (older servers, proxies that buffer).
 */
@Injectable({ providedIn: 'root' })
export class LiveUpdates {
  private readonly session = inject(SessionService);
  private readonly plugins = inject(WorkspacePlugins);
  private source: EventSource | undefined;
  private channel: BroadcastChannel | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  /** The token the current stream was opened with. */
  private token: string | undefined;

  readonly mode = signal<LiveMode>('off');
  /** Bumped when new inbox items of the signed-in user are stored (`notifications.inbox.created`), for the bell. */
  readonly inboxChanges = signal(0);
  /** The tenant's lifecycle events seen on the stream since the console opened, newest first (the dashboard's feed). */
  readonly recent = signal<readonly LiveEvent[]>([]);
  /** Every lifecycle and presence event as it arrives, for pages that follow one object (canvas, living graph). */
  readonly events = new Subject<LiveEvent>();

  constructor() {
    // Reconnect with the new token after a refresh or tenant switch (the stream is per tenant, token in the URL).
    effect(() => {
      const token = this.session.session()?.accessToken;
      untracked(() => {
        if (!this.running || token === this.token) return;
        if (token) this.connect(token);
        else this.stop();
      });
    });
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.onmessage = (event: MessageEvent<{ tenantId?: string }>) => {
        if (event.data?.tenantId === this.session.tenant()?.id) void this.plugins.load();
      };
    }
    const token = this.session.accessToken();
    if (token) this.connect(token);
  }

  stop(): void {
    this.running = false;
    this.source?.close();
    this.source = undefined;
    this.token = undefined;
    this.channel?.close();
    this.channel = undefined;
    this.stopPolling();
    clearTimeout(this.retryTimer);
    this.mode.set('off');
  }

  /** Tells the other tabs that this tab changed a tenant's plugin set. */
  announce(tenantId: string): void {
    this.channel?.postMessage({ tenantId });
  }

  private connect(token: string): void {
    this.token = token;
    this.source?.close();
    clearTimeout(this.retryTimer);
    if (typeof EventSource === 'undefined') {
      this.startPolling();
      return;
    }
    this.mode.set('connecting');
    const source = new EventSource(`/api/v1/events/stream?access_token=${encodeURIComponent(token)}`);
    this.source = source;
    source.onopen = () => {
      if (this.source !== source) return;
      this.mode.set('live');
      this.stopPolling();
      // Changes made while disconnected were not streamed: catch up once.
      void this.plugins.load();
    };
    source.addEventListener('plugin-set.changed', () => void this.plugins.load());
    source.addEventListener('notifications.inbox.created', (event: MessageEvent<string>) => {
      // The event names recipients only; the bell fetches the items (its own, through the API).
      const userIds = (JSON.parse(event.data) as { payload?: { userIds?: string[] } }).payload?.userIds ?? [];
      if (userIds.includes(this.session.user()?.id ?? '')) this.inboxChanges.update((n) => n + 1);
    });
    for (const name of LIFECYCLE_EVENTS) source.addEventListener(name, (event) => this.remember(event as MessageEvent<string>));
    for (const name of PRESENCE_EVENTS) source.addEventListener(name, (event) => this.pass(event as MessageEvent<string>));
    source.onerror = () => {
      if (this.source !== source) return;
      this.startPolling();
      if (source.readyState === EventSource.CLOSED) {
        // Fatal (no stream on this server, or the token was refused): poll, and try the stream again later.
        this.source = undefined;
        this.retryTimer = setTimeout(() => {
          const current = this.session.accessToken();
          if (this.running && current) this.connect(current);
        }, SSE_RETRY_MS);
      }
    };
  }

  private remember(event: MessageEvent<string>): void {
    const entry = this.pass(event);
    if (entry) this.recent.update((list) => [entry, ...list.filter((e) => e.id !== entry.id)].slice(0, RECENT_EVENTS));
  }

  /** Parses a frame and hands it to the pages that follow events; undefined when it is none of ours. */
  private pass(event: MessageEvent<string>): LiveEvent | undefined {
    try {
      const envelope = JSON.parse(event.data) as Partial<LiveEvent>;
      if (typeof envelope.name !== 'string') return undefined;
      const entry: LiveEvent = {
        id: String(envelope.id ?? event.lastEventId),
        name: envelope.name,
        occurredAt: typeof envelope.occurredAt === 'string' ? envelope.occurredAt : new Date().toISOString(),
        payload: envelope.payload && typeof envelope.payload === 'object' ? (envelope.payload as Record<string, unknown>) : {},
      };
      this.events.next(entry);
      return entry;
    } catch {
      // Not JSON: not one of ours.
      return undefined;
    }
  }

  private startPolling(): void {
    this.mode.set('polling');
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState === 'visible') void this.plugins.load();
    }, POLL_MS);
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}
