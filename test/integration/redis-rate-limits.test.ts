import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { createKernelLogger } from '@valueverse/kernel';
import { createRedisRateLimiter } from '@valueverse/backend-defaults';
import { RedisChangeFeed } from '@valueverse/backend-defaults';
import { describeWithRedis, TEST_REDIS_URL } from '../support/services';

const logger = createKernelLogger({ level: 'silent' });

// The token buckets and the plugin-set change feed on the real Redis. Each test works under a prefix of its own,
// deleted afterwards.
describeWithRedis('rate limits and the change feed on Redis', () => {
  const prefixes: string[] = [];
  const fresh = () => {
    const prefix = `vv-it-${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    return prefix;
  };
  const redis = new Redis(TEST_REDIS_URL);

  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  it('allows a burst, then refuses with Retry-After, in one bucket shared by every instance', async () => {
    const prefix = fresh();
    const a = createRedisRateLimiter(TEST_REDIS_URL, logger, prefix);
    const b = createRedisRateLimiter(TEST_REDIS_URL, logger, prefix);
    try {
      // A slow refill (one token per 10 s) so that no token comes back during the test.
      const rule = { perSecond: 0.1, burst: 4 };
      const taken = [await a.take('tenant:acme', rule), await b.take('tenant:acme', rule), await a.take('tenant:acme', rule), await b.take('tenant:acme', rule)];
      expect(taken.map((r) => r.allowed)).toEqual([true, true, true, true]);
      expect(await b.take('tenant:acme', rule)).toEqual({ allowed: false, retryAfterSeconds: 10, remaining: 0 });
      expect((await a.take('tenant:globex', rule)).allowed).toBe(true);
      expect(await redis.exists(`${prefix}:rl:tenant:acme`)).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('takes tokens atomically: of 30 concurrent requests on a burst of 10, exactly 10 pass', async () => {
    const limiter = createRedisRateLimiter(TEST_REDIS_URL, logger, fresh());
    try {
      const results = await Promise.all(Array.from({ length: 30 }, () => limiter.take('tenant:acme', { perSecond: 0.1, burst: 10 })));
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
    } finally {
      await limiter.close();
    }
  });

  // Token leasing (issue #14): each instance takes tokens from the shared bucket in batches of L and serves them
  // locally. Every token served was taken out of the one bucket first, so the overshoot across N instances is the
  // tokens they hold: at most N × L above burst + perSecond × T in any interval of T seconds (README "Rate limits").
  describe('leased in batches by two instances', () => {
    const lease = { maxLease: 5, leaseDivisor: 1 };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const pair = (prefix: string) => [createRedisRateLimiter(TEST_REDIS_URL, logger, prefix, lease), createRedisRateLimiter(TEST_REDIS_URL, logger, prefix, lease)] as const;

    it('admits exactly the burst, no more, when both drain one bucket that does not refill', async () => {
      const [a, b] = pair(fresh());
      try {
        const rule = { perSecond: 0.0001, burst: 40 };
        let admitted = 0;
        // Interleaved: a and b each hold part of a lease while the other asks Redis for more.
        for (let refusedBoth = false; !refusedBoth;) {
          const [x, y] = await Promise.all([a.take('tenant:acme', rule), b.take('tenant:acme', rule)]);
          admitted += Number(x.allowed) + Number(y.allowed);
          refusedBoth = !x.allowed && !y.allowed;
        }
        // What one instance still holds is served before it asks again, so draining both takes exactly the burst.
        expect(admitted).toBe(40);
        expect(await a.take('tenant:acme', rule)).toMatchObject({ allowed: false, retryAfterSeconds: 10000 });
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('stays within burst + perSecond × T + 2 × L in every window while both refill from it for 2 s, and admits what refills', async () => {
      const [a, b] = pair(fresh());
      try {
        const rule = { perSecond: 50, burst: 20 };
        const L = 5;
        const admitted: number[] = [];
        const until = Date.now() + 2000;
        const started = Date.now();
        const hammer = async (limiter: typeof a) => {
          while (Date.now() < until) {
            if ((await limiter.take('tenant:acme', rule)).allowed) admitted.push(Date.now());
            else await sleep(2);
          }
        };
        await Promise.all([hammer(a), hammer(b)]);
        const elapsed = (Date.now() - started) / 1000;
        admitted.sort((x, y) => x - y);
        for (const windowMs of [50, 250, 500, 1000, 2000]) {
          let worst = 0;
          for (let i = 0, j = 0; i < admitted.length; i++) {
            while (j < admitted.length && admitted[j]! <= admitted[i]! + windowMs) j++;
            worst = Math.max(worst, j - i);
          }
          // Timestamps are whole milliseconds: a window of w ms spans up to w + 1 ms of refill.
          expect({ windowMs, worst }).toEqual({ windowMs, worst: Math.min(worst, Math.floor(rule.burst + (rule.perSecond * (windowMs + 1)) / 1000 + 2 * L)) });
        }
        // Not refusing what the bucket has: the burst plus ~2 s of refill, less what the two still hold (generous
        // slack for a busy machine).
        expect(admitted.length).toBeGreaterThanOrEqual(0.6 * (rule.burst + rule.perSecond * elapsed) - 2 * L);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('gives the unused tokens of an expired lease back to the shared bucket instead of serving them', async () => {
      const prefix = fresh();
      const limiter = createRedisRateLimiter(TEST_REDIS_URL, logger, prefix, { ...lease, leaseTtlMs: 200 });
      try {
        const rule = { perSecond: 0.0001, burst: 100 };
        expect((await limiter.take('tenant:acme', rule)).allowed).toBe(true);
        const tokens = async () => Number(await redis.hget(`${prefix}:rl:tenant:acme`, 'tokens'));
        expect(await tokens()).toBeCloseTo(95, 2);
        await sleep(250);
        // The 4 held tokens are stale: this request gives them back and leases 5 new ones.
        const next = limiter.take('tenant:acme', rule);
        expect(next).toBeInstanceOf(Promise);
        expect((await next).allowed).toBe(true);
        expect(await tokens()).toBeCloseTo(94, 2);
      } finally {
        await limiter.close();
      }
    });
  });

  it('keeps deployments with different VV_REDIS_PREFIX apart: a tenant id in one does not drain the other', async () => {
    const production = createRedisRateLimiter(TEST_REDIS_URL, logger, fresh());
    const staging = createRedisRateLimiter(TEST_REDIS_URL, logger, fresh());
    try {
      const rule = { perSecond: 0.1, burst: 1 };
      expect((await production.take('tenant:demo', rule)).allowed).toBe(true);
      expect((await production.take('tenant:demo', rule)).allowed).toBe(false);
      expect((await staging.take('tenant:demo', rule)).allowed).toBe(true);
    } finally {
      await production.close();
      await staging.close();
    }
  });

  it('lets requests through while Redis does not answer (fails open) rather than taking the API down', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const limiter = createRedisRateLimiter(`redis://127.0.0.1:${port}`, logger, fresh());
    try {
      const rule = { perSecond: 1, burst: 1 };
      const results = [await limiter.take('tenant:acme', rule), await limiter.take('tenant:acme', rule)];
      expect(results).toEqual([
        { allowed: true, retryAfterSeconds: 0, remaining: 1 },
        { allowed: true, retryAfterSeconds: 0, remaining: 1 },
      ]);
    } finally {
      await limiter.close();
    }
  });

  it('carries plugin-set changes between instances of one deployment only', async () => {
    const prefix = fresh();
    const heard = { same: [] as (string | undefined)[], other: [] as (string | undefined)[] };
    const publisher = new RedisChangeFeed(TEST_REDIS_URL, logger, prefix);
    const same = new RedisChangeFeed(TEST_REDIS_URL, logger, prefix);
    const other = new RedisChangeFeed(TEST_REDIS_URL, logger, fresh());
    try {
      await publisher.subscribe(() => undefined);
      await same.subscribe((tenant) => void heard.same.push(tenant));
      await other.subscribe((tenant) => void heard.other.push(tenant));
      await publisher.publish('acme');
      const started = Date.now();
      while (heard.same.length === 0 && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(heard.same).toEqual(['acme']);
      // The other deployment's subscriber would have had the message by now, on the same server.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard.other).toEqual([]);
    } finally {
      for (const feed of [publisher, same, other]) await feed.close();
    }
  });
});
