/** What a person is doing on an object. */
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

/** Bounds of one instance's presence board. */
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
