import { refusal, type BucketRule, type TakeResult } from './rate-limiter';

/** What the shared bucket answers to a lease request: how many tokens it granted and how many it has left. */
export interface LeaseGrant {
  readonly granted: number;
  /** Tokens left in the shared bucket after the grant (fractional: the bucket refills continuously). */
  readonly left: number;
}

/**
 * Takes up to `wanted` whole tokens from the shared bucket `key` in one atomic step, after putting back `returned`
 * tokens of an expired lease (capped at the burst, as any refill). Rejects when the shared store does not answer.
 */
export type LeaseSource = (key: string, rule: BucketRule, wanted: number, returned: number) => Promise<LeaseGrant>;

export interface LeaseOptions {
  /** Largest lease, in tokens (default 500). 1 turns leasing off: every request asks the shared bucket. */
  readonly maxLease?: number;
  /** A lease is a `burst / leaseDivisor` share of its bucket at most (default 20: 5%), and 1 token at least. */
  readonly leaseDivisor?: number;
  /** How long leased tokens may be served; older ones go back to the bucket with the next lease (default 5 minutes). */
  readonly leaseTtlMs?: number;
  /** Buckets with a lease held here at most (default 100,000; the oldest is dropped first). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

export const DEFAULT_MAX_LEASE = 500;
export const DEFAULT_LEASE_DIVISOR = 20;
/**
 * Five minutes: the bound above does not rest on it (every token served was taken from the bucket first), and a
 * shorter one made a quiet tenant's every request wait for Redis. With 10,000 active tenants at 150 req/s in all
 * (`npm run bench -- scale`), each tenant asks about once a minute; a 1 s lease had always lapsed by then, so every
 * request took a Redis round trip (and gave 19 tokens back) before its database read, where 100 tenants mostly
 * found theirs current.
 */
export const DEFAULT_LEASE_TTL_MS = 300_000;

/** The lease size for a bucket: `min(maxLease, max(1, floor(burst / leaseDivisor)))`. */
export function leaseSize(rule: BucketRule, maxLease = DEFAULT_MAX_LEASE, leaseDivisor = DEFAULT_LEASE_DIVISOR): number {
  return Math.max(1, Math.min(maxLease, Math.floor(rule.burst / leaseDivisor)));
}

interface Lease {
  /** Tokens granted to this instance and not yet served. */
  tokens: number;
  /** `L` for this bucket, as of the last lease request. */
  size: number;
  expiresAt: number;
  /** The shared bucket's balance at the last grant, for `remaining`. */
  left: number;
  /** The lease request under way, if any: everyone who finds the lease empty waits for the same one. */
  refill?: Promise<RefillOutcome>;
}

type RefillOutcome = { readonly kind: 'granted' } | { readonly kind: 'refused'; readonly result: TakeResult } | { readonly kind: 'unavailable'; readonly error: unknown };

/**
 * Token leasing for a shared token bucket: instead of asking the shared store (Redis) on every request, an
 * instance takes a batch of tokens (a lease) from the bucket in one atomic step and serves requests from it locally,
 * with no round trip and no promise. Once half the lease is served it asks for more in the background, so that a
 * steady stream of requests never waits for the store.
 *
 * Why the overshoot is bounded: every token served was first taken out of the shared bucket, so the bucket's own
 * arithmetic still holds for everything granted; what leasing adds is tokens granted before an interval and served
 * in it. An instance holds at most `L` tokens of a bucket, counting those it is asking for (it asks for `L` minus
 * what it holds), so with `N` instances a bucket admits at most `burst + perSecond * T + N * L` requests in any
 * interval of `T` seconds, against `burst + perSecond * T` without leasing. A lease not renewed within `leaseTtlMs`
 * is not served from any more: its tokens go back to the bucket with the next lease (an idle instance keeps them
 * until its next request for that bucket, so they are never lost, only parked — at most `N * L` per bucket).
 *
 * Concurrent requests that find the lease empty share one lease request (single flight). When the bucket grants
 * nothing, every request that waited for that answer is refused with the bucket's `Retry-After`.
 */
export class LeasedBuckets {
  private readonly leases = new Map<string, Lease>();
  private readonly maxLease: number;
  private readonly leaseDivisor: number;
  private readonly ttlMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(
    private readonly source: LeaseSource,
    /** Called when the shared store did not answer: the request is let through (fail open) or refused by it. */
    private readonly onUnavailable: (error: unknown, rule: BucketRule) => TakeResult,
    options: LeaseOptions = {},
  ) {
    this.maxLease = Math.max(1, Math.floor(options.maxLease ?? DEFAULT_MAX_LEASE));
    this.leaseDivisor = options.leaseDivisor ?? DEFAULT_LEASE_DIVISOR;
    this.ttlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** A result at once when the lease held here has a token (the common case); else a promise of one. */
  take(key: string, rule: BucketRule): TakeResult | Promise<TakeResult> {
    const lease = this.leases.get(key);
    if (lease !== undefined && lease.tokens >= 1 && lease.expiresAt > this.now()) {
      lease.tokens -= 1;
      // Half served: the rest of the lease covers the round trip of the next one.
      if (lease.refill === undefined && lease.tokens * 2 < lease.size) this.startRefill(key, lease, rule);
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(lease.tokens + lease.left) };
    }
    return this.acquire(key, rule);
  }

  private acquire(key: string, rule: BucketRule): Promise<TakeResult> {
    let lease = this.leases.get(key);
    if (lease === undefined) {
      if (this.leases.size >= this.maxKeys) this.leases.delete(this.leases.keys().next().value!);
      lease = { tokens: 0, size: 1, expiresAt: 0, left: 0 };
      this.leases.set(key, lease);
    }
    const held = lease;
    return (held.refill ?? this.startRefill(key, held, rule)).then((outcome) => {
      if (outcome.kind === 'unavailable') return this.onUnavailable(outcome.error, rule);
      if (held.tokens >= 1) {
        held.tokens -= 1;
        return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(held.tokens + held.left) };
      }
      if (outcome.kind === 'refused') return outcome.result;
      // The grant went to requests that waited before this one: ask again (or join whoever already asks).
      return this.take(key, rule);
    });
  }

  private startRefill(key: string, lease: Lease, rule: BucketRule): Promise<RefillOutcome> {
    // Cleared before any waiter runs, so one that finds the lease empty again starts the next request.
    const refill = this.refill(key, lease, rule).then((outcome) => {
      lease.refill = undefined;
      return outcome;
    });
    lease.refill = refill;
    return refill;
  }

  private async refill(key: string, lease: Lease, rule: BucketRule): Promise<RefillOutcome> {
    // Tokens of an expired lease are never served: they go back to the bucket with this request.
    const returned = lease.expiresAt <= this.now() ? Math.floor(lease.tokens) : 0;
    if (returned > 0) lease.tokens = 0;
    lease.size = leaseSize(rule, this.maxLease, this.leaseDivisor);
    // Never more than `L` held, counting what is asked for: the overshoot bound rests on it.
    const wanted = Math.max(1, lease.size - Math.floor(lease.tokens));
    try {
      const grant = await this.source(key, rule, wanted, returned);
      lease.left = grant.left;
      if (grant.granted >= 1) {
        lease.tokens += grant.granted;
        lease.expiresAt = this.now() + this.ttlMs;
        return { kind: 'granted' };
      }
      return { kind: 'refused', result: refusal(grant.left, rule) };
    } catch (error) {
      return { kind: 'unavailable', error };
    }
  }
}
