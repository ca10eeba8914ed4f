import Redis from 'ioredis';
import { LeasedBuckets, type BucketRule, type KernelLogger, type LeaseGrant, type LeaseOptions, type RateLimiter, type TakeResult } from '@valueverse/kernel/backend';

// Atomic token bucket in Redis, leased in batches: read, refill (with the returned tokens of an expired lease), grant
// up to `wanted` whole tokens and write, in one script, with Redis's clock so instances with skewed clocks share one
// bucket fairly. Returns {granted, tokens left * 1000}.
const LEASE_SCRIPT = `
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local returned = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + (now - at) / 1000 * rate + returned)
local granted = math.min(wanted, math.floor(tokens))
if granted < 0 then granted = 0 end
tokens = tokens - granted
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
return {granted, math.floor(tokens * 1000)}
`;

type LeaseCommand = (key: string, rate: number, burst: number, wanted: number, returned: number) => Promise<[number, number]>;

/**
 * Buckets shared by every instance, in Redis, leased in batches (see `LeasedBuckets` for the overshoot bound):
 * a request is served from the tokens this instance holds, and only every `L`-th one waits for Redis.
 * When Redis does not answer, requests are let through (fail open) and the outage is logged once per minute: a rate
 * limiter must not take the API down with it.
 */
export class RedisRateLimiter implements RateLimiter {
  private lastWarning = 0;
  private connecting: Promise<void> | undefined;
  private readonly buckets: LeasedBuckets;

  constructor(
    private readonly redis: Redis,
    private readonly logger: KernelLogger,
    private readonly prefix = 'vv:rl:',
    private readonly timeoutMs = 250,
    lease: LeaseOptions = {},
  ) {
    redis.defineCommand('vvLeaseTokens', { numberOfKeys: 1, lua: LEASE_SCRIPT });
    this.buckets = new LeasedBuckets(
      (key, rule, wanted, returned) => this.lease(key, rule, wanted, returned),
      (error, rule) => this.failOpen(error, rule),
      lease,
    );
  }

  take(key: string, rule: BucketRule): TakeResult | Promise<TakeResult> {
    return this.buckets.take(key, rule);
  }

  private async lease(key: string, rule: BucketRule, wanted: number, returned: number): Promise<LeaseGrant> {
    const leaseTokens = () => (this.redis as unknown as { vvLeaseTokens: LeaseCommand }).vvLeaseTokens(this.prefix + key, rule.perSecond, rule.burst, wanted, returned);
    // Only the first few leases after boot wait for the connection.
    const call = this.redis.status === 'ready' ? leaseTokens() : this.connected().then(leaseTokens);
    let timer: NodeJS.Timeout | undefined;
    try {
      const [granted, milliTokens] = await Promise.race([
        call,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      return { granted, left: milliTokens / 1000 };
    } finally {
      clearTimeout(timer);
    }
  }

  private failOpen(error: unknown, rule: BucketRule): TakeResult {
    if (Date.now() - this.lastWarning > 60_000) {
      this.lastWarning = Date.now();
      this.logger.warn({ err: error }, 'rate limiter: Redis is not answering; letting requests through');
    }
    return { allowed: true, retryAfterSeconds: 0, remaining: rule.burst };
  }

  /** True while the connection is ready; until then (and while Redis is down) requests are let through. */
  get connectionReady(): boolean {
    return this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  /**
   * Waits for a first connection that is under way (a request right after boot), within `take`'s timeout; with no
   * offline queue a command sent before it would fail at once. A Redis that is down is not waited for: its status is
   * `reconnecting`, and the command fails fast.
   */
  private connected(): Promise<void> {
    const status = this.redis.status;
    if (status !== 'connecting' && status !== 'connect') return Promise.resolve();
    this.connecting ??= new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        this.redis.off('ready', onReady);
        this.redis.off('error', settle);
        this.connecting = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => settle();
      this.redis.once('ready', onReady);
      this.redis.once('error', settle);
    });
    return this.connecting;
  }
}

/**
 * A `RedisRateLimiter` on its own connection that fails fast while Redis is away (no offline queue). Buckets are
 * `<prefix>:rl:<key>`: deployments sharing a Redis under different prefixes (`VV_REDIS_PREFIX`) never share one.
 */
export function createRedisRateLimiter(url: string, logger: KernelLogger, prefix = 'vv', lease: LeaseOptions = {}): RedisRateLimiter {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => undefined); // reported by take() when it matters, once a minute
  return new RedisRateLimiter(redis, logger, `${prefix}:rl:`, 250, lease);
}
