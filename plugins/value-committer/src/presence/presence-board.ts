import { VvError, type EventBus, type RouteDefinition } from '@valueverse/plugin-sdk';

export type PresenceActivity = 'viewing' | 'editing';

/** One person on an object: what the presence route answers and its event carries (with `id`, the object's). */
export interface PresenceEntry {
  readonly userId: string;
  readonly email: string;
  readonly activity: PresenceActivity;
  /** ISO time after which the entry is forgotten unless renewed. */
  readonly expiresAt: string;
}

/** What a presence event carries: an entry of object `id`, or `activity: 'left'`. */
export interface PresenceAnnouncement extends Omit<PresenceEntry, 'activity'> {
  readonly id: string;
  readonly activity: PresenceActivity | 'left';
}

export interface PresenceLimits {
  /** How long an announcement holds without a renewal (the console renews every 15 s). */
  readonly ttlMs: number;
  /** Objects followed at once on an instance; the least recently announced is dropped beyond it. */
  readonly maxObjects: number;
  /** People listed per object; the one whose entry expires first is dropped beyond it. */
  readonly maxPerObject: number;
}

export const DEFAULT_PRESENCE_LIMITS: PresenceLimits = { ttlMs: 40_000, maxObjects: 10_000, maxPerObject: 50 };

/**
 * Who is on which object, per tenant (issue 20, item 5): a bounded in-memory board on each instance, fed by the
 * plugin's own presence events, which the kernel's bus carries to every instance (through Redis when there are
 * several) and to the tenant's event stream. Nothing is stored: presence lasts as long as its renewals.
 */
export class PresenceBoard {
  private readonly objects = new Map<string, Map<string, PresenceEntry>>();

  constructor(
    readonly limits: PresenceLimits = DEFAULT_PRESENCE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  apply(tenantId: string, announcement: PresenceAnnouncement): void {
    const key = `${tenantId}\u0000${announcement.id}`;
    const people = this.objects.get(key) ?? new Map<string, PresenceEntry>();
    // Re-inserted so that the map's order is least recently announced first.
    this.objects.delete(key);
    if (announcement.activity === 'left') people.delete(announcement.userId);
    else people.set(announcement.userId, { userId: announcement.userId, email: announcement.email, activity: announcement.activity, expiresAt: announcement.expiresAt });
    this.prune(people);
    while (people.size > this.limits.maxPerObject) {
      const soonest = [...people.values()].reduce((a, b) => (a.expiresAt <= b.expiresAt ? a : b));
      people.delete(soonest.userId);
    }
    if (people.size > 0) this.objects.set(key, people);
    while (this.objects.size > this.limits.maxObjects) this.objects.delete(this.objects.keys().next().value!);
  }

  /** The people on an object now, by email. */
  list(tenantId: string, id: string): PresenceEntry[] {
    const people = this.objects.get(`${tenantId}\u0000${id}`);
    if (!people) return [];
    this.prune(people);
    return [...people.values()].sort((a, b) => a.email.localeCompare(b.email));
  }

  /** Objects followed (for tests of the bound). */
  get size(): number {
    return this.objects.size;
  }

  private prune(people: Map<string, PresenceEntry>): void {
    const now = this.now();
    for (const [userId, entry] of people) if (Date.parse(entry.expiresAt) <= now) people.delete(userId);
  }
}

export interface PresenceRouteOptions {
  /** The route's path, e.g. `/value-models/:id/presence`. */
  readonly path: string;
  /** The event announcing presence, in the plugin's namespace (e.g. `value-architect.presence`). */
  readonly event: string;
  readonly events: EventBus;
  readonly board: PresenceBoard;
  /** Whether the object exists in the tenant: presence on another tenant's or a deleted object is a 404. */
  exists(tenantId: string, id: string): Promise<boolean>;
  /** What the object is called in a 404 ("Value model"). */
  readonly noun: string;
}

/**
 * `PUT <path> {activity}`: announces the caller on the object (viewing, editing, or left) and answers who is there.
 * Any member of the tenant who may read the object may announce (viewers included); the announcement goes to the
 * tenant's users only (events are per tenant). Call `subscribe` once so every instance's board follows.
 */
export function presenceRoute(options: PresenceRouteOptions): RouteDefinition<{ activity: PresenceActivity | 'left' }> {
  const { path, event, events, board, exists, noun } = options;
  return {
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
        expiresAt: new Date(Date.now() + board.limits.ttlMs).toISOString(),
      };
      // Applied here at once (the answer must include the caller) and, through the event, on every instance.
      board.apply(tenantId, announcement);
      await events.publish(event, tenantId, announcement);
      return { present: board.list(tenantId, id) };
    },
  };
}

/** Keeps an instance's board in step with the presence events of every instance. */
export function followPresence(events: EventBus, event: string, board: PresenceBoard): () => void {
  return events.subscribe<PresenceAnnouncement>(event, (e) => {
    const p = e.payload;
    if (p && typeof p.id === 'string' && typeof p.userId === 'string' && typeof p.expiresAt === 'string') board.apply(e.tenantId, p);
  });
}
