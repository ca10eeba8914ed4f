import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { createKernelLogger, type AttemptRule } from '@valueverse/kernel';
import { RedisAttemptStore, createRedisAttemptStore } from '@valueverse/backend-defaults';
import { describeWithRedis, TEST_REDIS_URL } from '../support/services';

const logger = createKernelLogger({ level: 'silent' });
const rule: AttemptRule = { free: 5, baseLockMs: 1000, maxLockMs: 60_000, forgetAfterMs: 60_000 };

// Failed sign-in counts on the real Redis, under a prefix of this test's own, deleted afterwards.
describeWithRedis('sign-in failure counts on Redis', () => {
  const prefix = `vv-it-auth-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(TEST_REDIS_URL);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('counts atomically across instances: 30 concurrent failures are 30, and the lock follows the rule', async () => {
    // Connected before the burst, with a generous answer timeout: under a loaded CI a first connection can take
    // longer than the store's 500 ms, and the store then counts on its own instance by design (tested elsewhere).
    const connect = async () => {
      const connection = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      if (connection.status !== 'ready') await new Promise((resolve) => connection.once('ready', resolve));
      return new RedisAttemptStore(connection, logger, `${prefix}:auth:`, 10_000);
    };
    const a = await connect();
    const b = await connect();
    try {
      const now = Date.parse('2026-12-06T10:00:00Z');
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).fail('account:user:u1', rule, now)));
      expect(results.map((r) => r.failures).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const [state] = await b.get(['account:user:u1'], now);
      expect(state).toEqual({ failures: 30, lockedUntil: now + 60_000 });
      // Kept until the lock ends plus the quiet period, then Redis forgets it by itself.
      const ttl = await redis.pttl(`${prefix}:auth:account:user:u1`);
      expect(ttl).toBeGreaterThan(60_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
      await a.reset('account:user:u1');
      expect(await b.get(['account:user:u1'], now)).toEqual([{ failures: 0, lockedUntil: 0 }]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('counts in the process while Redis does not answer, instead of letting every attempt through', async () => {
    const down = createRedisAttemptStore('redis://127.0.0.1:1', logger, prefix);
    try {
      let last = { failures: 0, lockedUntil: 0 };
      for (let i = 0; i < 6; i += 1) last = await down.fail('address:203.0.113.1', rule, 0);
      expect(last).toEqual({ failures: 6, lockedUntil: 1000 });
      expect(await down.get(['address:203.0.113.1'], 0)).toEqual([{ failures: 6, lockedUntil: 1000 }]);
    } finally {
      await down.close();
    }
  }, 20_000);
});
