import { type KernelLogger, type KernelOptions, type ReadinessCheck } from '@valueverse/kernel';
import { BullJobQueue, RedisChangeFeed, RedisEventTransport, createRedisRateLimiter } from '@valueverse/backend-defaults';
import type { HostConfig } from './config/env-config';
import { jobTelemetry } from './tracing';

/** The kernel options that Redis backs when `REDIS_URL` is set. */
export type RedisBackends = Pick<KernelOptions, 'changeFeed' | 'rateLimiter' | 'eventTransport' | 'jobQueue' | 'readinessChecks'>;

/**
 * The change feed, rate limiter, event bridge and job queue on Redis, and the readiness check that reports them.
 *
 * None of them needs Redis to answer at boot (issue #10, finding 6): each connects in the background and converges
 * when Redis appears — the bridge and the change feed subscribe (and every instance reloads its plugin sets), the
 * limiter takes tokens from Redis instead of letting requests through, the job queue's workers start taking jobs and
 * enqueues stop answering 503. Meanwhile `/health/ready` says `degraded` with `redis: unavailable`.
 */
export function createRedisBackends(config: HostConfig & { redisUrl: string }, logger: KernelLogger, options: { workers: boolean }): RedisBackends {
  const changeFeed = new RedisChangeFeed(config.redisUrl, logger, config.redisPrefix);
  const rateLimiter = createRedisRateLimiter(config.redisUrl, logger, config.redisPrefix);
  const eventTransport = new RedisEventTransport(config.redisUrl, logger, { prefix: config.redisPrefix });
  const jobQueue = new BullJobQueue({ url: config.redisUrl, prefix: config.redisPrefix, workers: options.workers, telemetry: jobTelemetry() }, logger);
  // Not required: the instance serves without Redis (fail-open limits, local events, jobs refused with 503), so a
  // Redis outage must not take every replica out of the load balancer.
  const redis: ReadinessCheck = {
    name: 'redis',
    required: false,
    probe: () => changeFeed.connected && rateLimiter.connectionReady && eventTransport.connected && jobQueue.connected,
  };
  return { changeFeed, rateLimiter, eventTransport, jobQueue, readinessChecks: [redis] };
}
