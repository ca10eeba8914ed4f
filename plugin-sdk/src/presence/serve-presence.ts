import { VvError } from '../errors/vv-error';
import type { HttpRouter, RouteDefinition } from '../http/http-router';
import type { EventBus } from '../services/core-service-types';
import { DEFAULT_PRESENCE_LIMITS, PresenceBoard, type PresenceActivity, type PresenceAnnouncement, type PresenceEntry, type PresenceLimits } from './presence-board';

/** What `servePresence` needs from the plugin: its router and its event bus (`coreServices.http`, `coreServices.events`). */
export interface PresenceDeps {
  readonly http: HttpRouter;
  readonly events: EventBus;
}

/** The object kind `servePresence` serves presence on, and how. */
export interface PresenceOptions {
  /** The route's path under `/api/v1`, e.g. `/value-models/:id/presence` (`:id` is the object's id). */
  readonly path: string;
  /**
   * The event announcing presence, in the plugin's namespace (e.g. `value-architect.presence`); the manifest must
   * grant both `events.publish:<event>` and `events.subscribe:<event>`.
   */
  readonly event: string;
  /** What the object is called in a 404 and the route's summary ("Value model"). */
  readonly noun: string;
  /** Whether the object exists in the tenant: presence on another tenant's or a deleted object is a 404. */
  exists(tenantId: string, id: string): Promise<boolean>;
  /** Bounds of this instance's board; each one defaults to 40 s, 10,000 objects and 50 people per object. */
  readonly limits?: Partial<PresenceLimits>;
  /** The clock (tests). */
  readonly now?: () => number;
}

/** What `servePresence` returns. */
export interface Presence {
  /** Who is on object `id` of the tenant now, on this instance's board (by email). */
  list(tenantId: string, id: string): PresenceEntry[];
  /** Stops following the presence events (the route stays registered). */
  stop(): void;
}

/**
 * Serves "who else is on this object": registers `PUT <path> {activity}` and keeps an in-memory board on each
 * instance in step with the plugin's presence events, which the kernel's bus carries to every instance and to the
 * tenant's event stream. Nothing is stored: an announcement holds for `ttlMs` unless renewed.
 *
 * The route admits any role of the tenant (viewers too: whoever may read the object may be seen on it), answers 404
 * `VV_NOT_FOUND` when `exists` says no, publishes `{ id, userId, email, activity, expiresAt }` (activity `left` when
 * someone goes) as `event` in the caller's tenant only, and answers `{ present: PresenceEntry[] }` with the caller.
 *
 * @example
 * servePresence({ http, events }, {
 *   path: '/commitments/:id/presence',
 *   event: 'value-committer.presence',
 *   noun: 'Commitment',
 *   exists: async (tenantId, id) => (await store.get(tenantId, id)) !== undefined,
 * });
 */
export function servePresence(deps: PresenceDeps, options: PresenceOptions): Presence {
  const { http, events } = deps;
  const { path, event, noun, exists } = options;
  const now = options.now ?? Date.now;
  const board = new PresenceBoard({ ...DEFAULT_PRESENCE_LIMITS, ...options.limits }, now);
  const route: RouteDefinition<{ activity: PresenceActivity | 'left' }> = {
    method: 'PUT',
    path,
    minRole: 'viewer',
    summary: `Announce the caller on the ${noun.toLowerCase()} (viewing, editing or left) and list who else is there; publishes ${event}`,
    schema: {
      params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } },
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['activity'],
        properties: { activity: { type: 'string', enum: ['viewing', 'editing', 'left'] } },
      },
      responses: {
        200: {
          type: 'object',
          required: ['present'],
          properties: {
            present: {
              type: 'array',
              items: {
                type: 'object',
                required: ['userId', 'email', 'activity', 'expiresAt'],
                properties: {
                  userId: { type: 'string' },
                  email: { type: 'string' },
                  activity: { type: 'string', enum: ['viewing', 'editing'] },
                  expiresAt: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
      },
    },
    async handler(request) {
      const id = request.params['id']!;
      const tenantId = request.tenant.id;
      if (!(await exists(tenantId, id))) throw new VvError('VV_NOT_FOUND', { params: { reason: `${noun} ${id} not found` } });
      const announcement: PresenceAnnouncement = {
        id,
        userId: request.user.id,
        email: request.user.email ?? request.user.id,
        activity: request.body.activity,
        expiresAt: new Date(now() + board.limits.ttlMs).toISOString(),
      };
      // Applied here at once (the answer must include the caller) and, through the event, on every instance.
      board.apply(tenantId, announcement);
      await events.publish(event, tenantId, announcement);
      return { present: board.list(tenantId, id) };
    },
  };
  // Registered before subscribing, so that a refused route (outside the plugin's prefixes) leaves no subscription.
  http.route(route);
  const stop = events.subscribe<PresenceAnnouncement>(event, (e) => {
    const p = e.payload;
    // Another instance's announcement (or this one's, applied again: idempotent); anything malformed is ignored.
    if (isAnnouncement(p)) board.apply(e.tenantId, p);
  });
  return { list: (tenantId, id) => board.list(tenantId, id), stop };
}

function isAnnouncement(p: unknown): p is PresenceAnnouncement {
  if (typeof p !== 'object' || p === null) return false;
  const a = p as Record<string, unknown>;
  return (
    typeof a['id'] === 'string' &&
    typeof a['userId'] === 'string' &&
    typeof a['email'] === 'string' &&
    typeof a['expiresAt'] === 'string' &&
    !Number.isNaN(Date.parse(a['expiresAt'])) &&
    (a['activity'] === 'viewing' || a['activity'] === 'editing' || a['activity'] === 'left')
  );
}
