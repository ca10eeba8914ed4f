import { LeasedBuckets, leaseSize, type LeaseGrant } from './leased-buckets';
import type { BucketRule, TakeResult } from './rate-limiter';

/** One shared token bucket with the arithmetic of the Redis lease script, on a clock the test moves. */
class SharedBucket {
  tokens: number;
  at: number;
  calls = 0;
  returned = 0;

  constructor(
    private readonly rule: BucketRule,
    private readonly clock: { now: number },
  ) {
    this.tokens = rule.burst;
    this.at = clock.now;
  }

  lease(wanted: number, returned: number): LeaseGrant {
    this.calls += 1;
    this.returned += returned;
    const now = this.clock.now;
    this.tokens = Math.min(this.rule.burst, this.tokens + ((now - this.at) / 1000) * this.rule.perSecond + returned);
    this.at = now;
    const granted = Math.max(0, Math.min(wanted, Math.floor(this.tokens)));
    this.tokens -= granted;
    return { granted, left: this.tokens };
  }
}

const failOpen = (): TakeResult => ({ allowed: true, retryAfterSeconds: 0, remaining: 0 });

function instance(bucket: SharedBucket, clock: { now: number }, options: { maxLease?: number; leaseDivisor?: number; leaseTtlMs?: number } = {}) {
  return new LeasedBuckets(async (_key, _rule, wanted, returned) => bucket.lease(wanted, returned), failOpen, { ...options, now: () => clock.now });
}

describe('leased token buckets', () => {
  it('sizes a lease at 1/20 of the burst, at least 1 and at most the maximum', () => {
    expect(leaseSize({ perSecond: 200, burst: 400 })).toBe(20);
    expect(leaseSize({ perSecond: 0.1, burst: 4 })).toBe(1);
    expect(leaseSize({ perSecond: 1e6, burst: 1e6 })).toBe(500);
    expect(leaseSize({ perSecond: 1000, burst: 4000 })).toBe(200);
    expect(leaseSize({ perSecond: 1e6, burst: 1e6 }, 1)).toBe(1);
  });

  it('serves a lease without a promise, and asks for the rest in the background once half is served', async () => {
    const clock = { now: 0 };
    const rule = { perSecond: 1, burst: 100 };
    const bucket = new SharedBucket(rule, clock);
    const limiter = instance(bucket, clock, { maxLease: 10, leaseDivisor: 1 });
    const first = limiter.take('t', rule);
    expect(first).toBeInstanceOf(Promise);
    expect((await first).allowed).toBe(true);
    expect(bucket.calls).toBe(1);
    const local = Array.from({ length: 5 }, () => limiter.take('t', rule));
    expect(local.every((r) => !(r instanceof Promise) && r.allowed)).toBe(true);
    // 4 left of 10: the next lease was asked for, for 6 (never more than 10 held, counting what is asked for).
    expect(bucket.calls).toBe(2);
    expect(bucket.tokens).toBe(84);
    await Promise.resolve();
    await Promise.resolve();
    // A steady stream never waits: the 10 now held are served at once.
    const next = Array.from({ length: 10 }, () => limiter.take('t', rule));
    expect(next.every((r) => !(r instanceof Promise) && r.allowed)).toBe(true);
  });

  it('lets concurrent requests share one lease request, and refuses everyone waiting when the bucket is empty', async () => {
    const clock = { now: 0 };
    const rule = { perSecond: 0.1, burst: 10 };
    const bucket = new SharedBucket(rule, clock);
    const limiter = instance(bucket, clock, { maxLease: 4, leaseDivisor: 1 });
    const results = await Promise.all(Array.from({ length: 30 }, () => limiter.take('t', rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    // 4 + 4 + 2 granted, then one request that granted nothing: every request still waiting is refused by it.
    expect(bucket.calls).toBe(4);
    expect(results.find((r) => !r.allowed)).toEqual({ allowed: false, retryAfterSeconds: 10, remaining: 0 });
  });

  it("serves a quiet tenant's request a minute later from its lease, without asking the bucket (default lease time)", async () => {
    const clock = { now: 0 };
    const rule = { perSecond: 200, burst: 400 };
    const bucket = new SharedBucket(rule, clock);
    const limiter = instance(bucket, clock);
    expect((await limiter.take('t', rule)).allowed).toBe(true);
    expect(bucket.calls).toBe(1);
    clock.now += 60_000;
    const later = limiter.take('t', rule);
    expect(later instanceof Promise).toBe(false);
    expect((later as TakeResult).allowed).toBe(true);
    expect(bucket.calls).toBe(1);
    // Past the lease time its tokens are not served: the next request asks, and gives them back.
    clock.now += 300_000;
    expect(limiter.take('t', rule)).toBeInstanceOf(Promise);
    expect(bucket.calls).toBe(2);
    expect(bucket.returned).toBe(18);
  });

  it('never serves tokens of an expired lease: they go back to the bucket with the next lease', async () => {
    const clock = { now: 0 };
    const rule = { perSecond: 0.001, burst: 100 };
    const bucket = new SharedBucket(rule, clock);
    const limiter = instance(bucket, clock, { maxLease: 5, leaseDivisor: 1, leaseTtlMs: 1000 });
    await limiter.take('t', rule);
    expect(bucket.tokens).toBe(95);
    clock.now = 1000;
    const after = limiter.take('t', rule);
    expect(after).toBeInstanceOf(Promise);
    await after;
    expect(bucket.returned).toBe(4);
    expect(bucket.tokens).toBeCloseTo(95 + 4 - 5 + 0.001, 6);
  });

  it('lets requests through while the shared bucket does not answer, and asks again on the next request', async () => {
    let calls = 0;
    const limiter = new LeasedBuckets(async () => {
      calls += 1;
      throw new Error('Redis is down');
    }, failOpen);
    const rule = { perSecond: 1, burst: 100 };
    expect(await Promise.all([limiter.take('t', rule), limiter.take('t', rule)])).toEqual([failOpen(), failOpen()]);
    expect(calls).toBe(1);
    await limiter.take('t', rule);
    expect(calls).toBe(2);
  });

  it("overshoots by the parked leases at most: a full bucket plus every other instance's lease, in one moment", async () => {
    const clock = { now: 0 };
    const rule = { perSecond: 100, burst: 50 };
    const bucket = new SharedBucket(rule, clock);
    const options = { maxLease: 8, leaseDivisor: 1, leaseTtlMs: 1000 };
    const [a, b, c] = [instance(bucket, clock, options), instance(bucket, clock, options), instance(bucket, clock, options)];
    // b and c serve one request each and park 7 tokens; the bucket refills to its burst meanwhile.
    await b.take('t', rule);
    await c.take('t', rule);
    clock.now = 400;
    let admitted = 0;
    for (const limiter of [a, b, c]) while ((await limiter.take('t', rule)).allowed) admitted += 1;
    // One shared bucket alone would admit 50 in that moment; the parked tokens add 2 × 7, within N × L = 24.
    expect(admitted).toBe(50 + 2 * 7);
    expect(admitted).toBeLessThanOrEqual(rule.burst + 3 * leaseSize(rule, 8, 1));
  });

  it('keeps the overshoot of N instances on one bucket within N × lease size in every window (burst + rate × T + N × L)', async () => {
    const clock = { now: 0 };
    const rule = { perSecond: 100, burst: 50 };
    const bucket = new SharedBucket(rule, clock);
    const options = { maxLease: 8, leaseDivisor: 1, leaseTtlMs: 500 };
    const instances = [instance(bucket, clock, options), instance(bucket, clock, options), instance(bucket, clock, options)];
    const admitted: number[] = [];
    // 5 simulated seconds, each instance getting requests at a different pace, several per millisecond.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let ms = 0; ms < 5000; ms++) {
      clock.now = ms;
      for (const [i, limiter] of instances.entries()) {
        const requests = Math.floor(random() * (i + 1) * 2);
        for (let r = 0; r < requests; r++) if ((await limiter.take('t', rule)).allowed) admitted.push(ms);
      }
    }
    const L = leaseSize(rule, options.maxLease, options.leaseDivisor);
    for (const windowMs of [1, 10, 100, 1000, 5000]) {
      let worst = 0;
      for (let start = 0, j = 0, k = 0; start < 5000; start++) {
        while (j < admitted.length && admitted[j]! < start) j++;
        k = Math.max(k, j);
        while (k < admitted.length && admitted[k]! < start + windowMs) k++;
        worst = Math.max(worst, k - j);
      }
      // Integer milliseconds: a window of w ms spans at most w ms of refill.
      expect(worst).toBeLessThanOrEqual(rule.burst + (rule.perSecond * windowMs) / 1000 + instances.length * L);
    }
    // And it does not refuse what the bucket has: over 5 s about burst + 5 s of refill pass.
    expect(admitted.length).toBeGreaterThan(rule.burst + rule.perSecond * 5 - instances.length * L - 1);
  });
});
