import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { createKernelLogger, createRedisRateLimiter } from '@valueverse/kernel';
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
      expect(results).toEqual([{ allowed: true, retryAfterSeconds: 0, remaining: 1 }, { allowed: true, retryAfterSeconds: 0, remaining: 1 }]);
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
