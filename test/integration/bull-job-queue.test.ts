import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { BullJobQueue, createKernelLogger } from '@valueverse/kernel';
import { describeJobQueueContract } from '../../kernel/src/jobs/job-queue.contract';
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
});
