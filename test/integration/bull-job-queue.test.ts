import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { createKernelLogger } from '@valueverse/kernel';
import { BullJobQueue } from '@valueverse/backend-defaults';
import type { PluginManifest } from '@valueverse/plugin-sdk';
import { describeJobQueueContract, eventually, slotOf } from '@valueverse/kernel/testing';
import { describeWithRedis, TEST_REDIS_URL } from '../support/services';

// The BullMQ queue must behave exactly as the in-process one (kernel/src/jobs/in-process-job-queue.test.ts runs the
// same contract). Each test gets queues under a prefix of its own, deleted afterwards.
describeWithRedis('BullJobQueue on Redis', () => {
  let redis: Redis;
  let prefix = '';

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await redis?.quit();
  });

  describeJobQueueContract(
    'BullJobQueue',
    async () => {
      prefix = `vv-test-${randomBytes(5).toString('hex')}`;
      return new BullJobQueue({ url: TEST_REDIS_URL, prefix, closeTimeoutMs: 2000 }, createKernelLogger({ level: 'silent' }));
    },
    async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    },
  );

  describe('a schedule shared by instances', () => {
    const manifest: PluginManifest = { id: 'mailer', version: '1.0.0', displayName: 'mailer', kernel: '^1.0.0', main: 'dist/index.js', permissions: ['jobs'] };
    const queues: BullJobQueue[] = [];
    const runs: { id: string; instance: string }[] = [];
    const period = 500;

    /** An instance of the deployment: its own queue object and connections, the shared prefix, the schedule declared at boot. */
    const boot = async (instance: string): Promise<BullJobQueue> => {
      const queue = new BullJobQueue({ url: TEST_REDIS_URL, prefix, closeTimeoutMs: 2000 }, createKernelLogger({ level: 'silent' }));
      queues.push(queue);
      const jobs = queue.forPlugin(manifest);
      jobs.define('tick', async (job) => {
        runs.push({ id: job.id, instance });
      });
      // BullMQ skips a slot whose tick no worker takes within one period (it does not run it late); this suite shares
      // one process and two cores with the others in CI, where a 200 ms period lost a slot to a stall once.
      jobs.schedule('tick', { everyMs: period });
      await queue.start();
      return queue;
    };

    beforeAll(() => {
      prefix = `vv-test-${randomBytes(5).toString('hex')}`;
    });

    afterAll(async () => {
      await Promise.all(queues.map((q) => q.close()));
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    });

    it('runs each slot once, on one of them, with no slot lost while one of them restarts', async () => {
      const a = await boot('a');
      await boot('b');
      await eventually(
        () => runs.length,
        (n) => n >= 4,
      );
      await a.close();
      await boot('a-restarted');
      const restartedAt = Date.now();
      await eventually(
        () => runs.filter((r) => slotOf(r) > restartedAt + period).length,
        (n) => n >= 3,
      );
      const slots = runs.map(slotOf).sort((x, y) => x - y);
      expect(new Set(slots).size).toBe(slots.length);
      expect(slots.slice(1).map((slot, i) => slot - slots[i]!)).toEqual(slots.slice(1).map(() => period));
    });
  });
});
