import { randomUUID } from 'node:crypto';

/** How much of each tenant's recent event stream one instance keeps for clients that reconnect. */
export interface ReplayLimits {
  /** Events kept per tenant: the newest this many. */
  readonly maxEventsPerTenant: number;
  /** Events this much older than now (by when this instance received them) are dropped. */
  readonly maxAgeMs: number;
  /** Bytes of frames kept per tenant. It also bounds the burst a resuming client is sent at once. */
  readonly maxBytesPerTenant: number;
  /** Bytes across all tenants; beyond it the least recently active tenant is forgotten whole. */
  readonly maxBytes: number;
}

/**
 * 1,000 events or 5 minutes cover an EventSource's reconnect (3 s), a token refresh, or a short network drop; a
 * client away longer reloads its state anyway. 1 MiB per tenant matches the event stream's unread-bytes limit, so
 * a replay alone never gets a client cut off. 32 MiB in all holds 32 tenants at their cap, thousands at a typical
 * rate, and is small beside a Node heap.
 */
export const DEFAULT_REPLAY_LIMITS: ReplayLimits = {
  maxEventsPerTenant: 1000,
  maxAgeMs: 5 * 60_000,
  maxBytesPerTenant: 1 << 20,
  maxBytes: 32 << 20,
};

/** Rough cost of an entry's object and array slot, and of a tenant's map entry, beyond their strings. */
const ENTRY_OVERHEAD = 64;
const TENANT_OVERHEAD = 128;

/**
 * One event of a tenant, by its `id:`. An anchor (no `frame`) is an event that is no longer replayed but still
 * marks a position: a client that saw it missed exactly the entries after it. Only the first entry is ever an anchor.
 */
interface Entry {
  readonly id: string;
  frame: string | undefined;
  readonly at: number;
  bytes: number;
}

interface TenantLog {
  readonly tenantId: string;
  readonly entries: Entry[];
  /** Entries with a frame. */
  frames: number;
  /** Bytes of the entries. */
  bytes: number;
}

/**
 * The recent server-sent event frames of each tenant on this instance, for `Last-Event-ID` resumption. Eviction
 * always takes a tenant's oldest frame first and keeps its id as the anchor, so an id that is still known has every
 * later frame behind it: a replay never has a gap. Tenants are kept in least-recently-active order (a `Map` keeps
 * insertion order; each use re-inserts the tenant at the end) and the first is evicted whole when the total is over.
 *
 * Sizes are UTF-8 bytes of the frames plus a fixed overhead, an estimate of the heap they take.
 */
export class EventReplayBuffer {
  readonly limits: ReplayLimits;
  private readonly logs = new Map<string, TenantLog>();
  private total = 0;
  private lastSweep: number;

  constructor(
    limits: Partial<ReplayLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_REPLAY_LIMITS, ...limits };
    const { maxEventsPerTenant, maxAgeMs, maxBytesPerTenant, maxBytes } = this.limits;
    if (![maxEventsPerTenant, maxAgeMs, maxBytesPerTenant, maxBytes].every((n) => Number.isInteger(n) && n > 0) || maxBytes < maxBytesPerTenant) {
      throw new TypeError(`replay limits must be positive integers with maxBytes >= maxBytesPerTenant: ${JSON.stringify(this.limits)}`);
    }
    this.lastSweep = now();
  }

  /** Keeps a frame the tenant's streams were sent. */
  add(tenantId: string, id: string, frame: string): void {
    const log = this.use(tenantId);
    this.expire(log);
    this.append(log, { id, frame, at: this.now(), bytes: ENTRY_OVERHEAD + Buffer.byteLength(frame) });
    // A frame too big for the tenant's share ends up as the anchor itself: older ids become unknown, never gapped.
    while (log.frames > 0 && (log.frames > this.limits.maxEventsPerTenant || log.bytes > this.limits.maxBytesPerTenant)) this.dropOldest(log);
    this.evictTenants();
    // Tenants that went quiet are aged out too, not only when they publish again.
    if (this.now() - this.lastSweep >= this.limits.maxAgeMs / 5) {
      this.lastSweep = this.now();
      for (const other of this.logs.values()) this.expire(other);
    }
  }

  /**
   * The frames of the tenant after the one with `lastEventId`, oldest first (possibly none), or `undefined` when the
   * id is not known here: too old, evicted, another tenant's, or from before a restart or on another instance.
   */
  after(tenantId: string, lastEventId: string): string[] | undefined {
    if (!this.logs.has(tenantId)) return undefined;
    const log = this.use(tenantId);
    this.expire(log);
    const index = log.entries.findLastIndex((entry) => entry.id === lastEventId);
    return index < 0 ? undefined : log.entries.slice(index + 1).map((entry) => entry.frame!);
  }

  /**
   * An id for "now" in the tenant's stream: resuming from it replays what the tenant gets from here on. It is the
   * newest entry's id, or a fresh anchor when the tenant has none.
   */
  position(tenantId: string): string {
    const log = this.use(tenantId);
    this.expire(log);
    if (log.entries.length === 0) {
      const id = randomUUID();
      this.append(log, { id, frame: undefined, at: this.now(), bytes: ENTRY_OVERHEAD + id.length });
      this.evictTenants();
    }
    return log.entries.at(-1)!.id;
  }

  /** Estimated bytes held, across tenants. */
  get bytes(): number {
    return this.total;
  }

  /** Tenants with a log. */
  get tenants(): number {
    return this.logs.size;
  }

  /** The tenant's log, created if need be, moved to the most recently active end. */
  private use(tenantId: string): TenantLog {
    let log = this.logs.get(tenantId);
    if (log) this.logs.delete(tenantId);
    else {
      log = { tenantId, entries: [], frames: 0, bytes: 0 };
      this.total += TENANT_OVERHEAD + tenantId.length;
    }
    this.logs.set(tenantId, log);
    return log;
  }

  private append(log: TenantLog, entry: Entry): void {
    log.entries.push(entry);
    if (entry.frame !== undefined) log.frames += 1;
    this.resize(log, entry.bytes);
  }

  /** Turns the oldest frame into the anchor (dropping the previous anchor, which nothing can resume from any more). */
  private dropOldest(log: TenantLog): void {
    if (log.entries[0]!.frame === undefined) this.resize(log, -log.entries.shift()!.bytes);
    const oldest = log.entries[0]!;
    const anchorBytes = ENTRY_OVERHEAD + oldest.id.length;
    this.resize(log, anchorBytes - oldest.bytes);
    oldest.frame = undefined;
    oldest.bytes = anchorBytes;
    log.frames -= 1;
  }

  /** Drops frames older than the age limit; the newest of them stays as the anchor. */
  private expire(log: TenantLog): void {
    const cutoff = this.now() - this.limits.maxAgeMs;
    while (log.frames > 0 && (log.entries[0]!.frame === undefined ? log.entries[1]! : log.entries[0]!).at <= cutoff) this.dropOldest(log);
  }

  /** Forgets least recently active tenants while over the total; the one just used is last, so it goes last. */
  private evictTenants(): void {
    while (this.total > this.limits.maxBytes && this.logs.size > 1) {
      const [tenantId, log] = this.logs.entries().next().value!;
      this.logs.delete(tenantId);
      this.total -= log.bytes + TENANT_OVERHEAD + tenantId.length;
    }
  }

  private resize(log: TenantLog, delta: number): void {
    log.bytes += delta;
    this.total += delta;
  }
}
