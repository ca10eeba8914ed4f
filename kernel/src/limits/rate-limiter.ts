import Redis from 'ioredis';
import type { KernelLogger } from '../observability/kernel-logger';

/** A token bucket: `burst` tokens at most, refilled at `perSecond`. */
export interface BucketRule {
  readonly perSecond: number;
  readonly burst: number;
}

export interface TakeResult {
  readonly allowed: boolean;
  /** Whole seconds until one token is back (0 when allowed). */
  readonly retryAfterSeconds: number;
  readonly remaining: number;
}

/** Takes one token from the bucket named `key`. */
export interface RateLimiter {
  take(key: string, rule: BucketRule): Promise<TakeResult>;
  close?(): Promise<void>;
}

function refill(tokens: number, lastMs: number, nowMs: number, rule: BucketRule): number {
  return Math.min(rule.burst, tokens + ((nowMs - lastMs) / 1000) * rule.perSecond);
}

function decide(available: number, rule: BucketRule): TakeResult {
  if (available >= 1) return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(available - 1) };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - available) / rule.perSecond)), remaining: 0 };
}

/** One process's buckets: the embedded default. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now, private readonly maxBuckets = 100_000) {}

  async take(key: string, rule: BucketRule): Promise<TakeResult> {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const available = bucket ? refill(bucket.tokens, bucket.at, now, rule) : rule.burst;
    const result = decide(available, rule);
    if (!bucket && this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(key, { tokens: result.allowed ? available - 1 : available, at: now });
    return result;
  }
}

// Atomic token bucket in Redis: read, refill, take and write in one script, with Redis's clock so instances with
// skewed clocks share one bucket fairly. Returns {allowed, tokens*1000}.
const TAKE_SCRIPT = `
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
return {allowed, math.floor(tokens * 1000)}
`;

/**
 * Buckets shared by every instance, in Redis. When Redis does not answer, requests are let through (fail open)
 * and the outage is logged once per minute: a rate limiter must not take the API down with it.
 */
export class RedisRateLimiter implements RateLimiter {
  private lastWarning = 0;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly logger: KernelLogger,
    private readonly prefix = 'vv:rl:',
    private readonly timeoutMs = 250,
  ) {
    redis.defineCommand('vvTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  }

  async take(key: string, rule: BucketRule): Promise<TakeResult> {
    try {
      const takeToken = () =>
        (this.redis as unknown as { vvTakeToken(k: string, r: number, b: number): Promise<[number, number]> }).vvTakeToken(this.prefix + key, rule.perSecond, rule.burst);
      // Every request passes here: only the first few after boot wait for the connection.
      const call = this.redis.status === 'ready' ? takeToken() : this.connected().then(takeToken);
      const [allowed, milliTokens] = await Promise.race([
        call,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs).unref()),
      ]);
      if (allowed === 1) return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(milliTokens / 1000) };
      return decide(milliTokens / 1000, rule);
    } catch (error) {
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn({ err: error }, 'rate limiter: Redis is not answering; letting requests through');
      }
      return { allowed: true, retryAfterSeconds: 0, remaining: rule.burst };
    }
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

/** Default and per-tenant limits: `settings.rateLimits.{tenant,apiKey} = {perSecond, burst}` overrides. */
export interface RateLimitPolicy {
  readonly tenant: BucketRule;
  readonly apiKey: BucketRule;
}

export const defaultRateLimits: RateLimitPolicy = { tenant: { perSecond: 200, burst: 400 }, apiKey: { perSecond: 50, burst: 100 } };

export function ruleFor(settings: Readonly<Record<string, unknown>>, kind: keyof RateLimitPolicy, defaults: RateLimitPolicy): BucketRule {
  const custom = (settings.rateLimits as Record<string, Partial<BucketRule>> | undefined)?.[kind];
  const perSecond = typeof custom?.perSecond === 'number' && custom.perSecond > 0 ? custom.perSecond : defaults[kind].perSecond;
  const burst = typeof custom?.burst === 'number' && custom.burst >= 1 ? custom.burst : defaults[kind].burst;
  return { perSecond, burst };
}

/**
 * A `RedisRateLimiter` on its own connection that fails fast while Redis is away (no offline queue). Buckets are
 * `<prefix>:rl:<key>`: deployments sharing a Redis under different prefixes (`VV_REDIS_PREFIX`) never share one.
 */
export function createRedisRateLimiter(url: string, logger: KernelLogger, prefix = 'vv'): RedisRateLimiter {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => undefined); // reported by take() when it matters, once a minute
  return new RedisRateLimiter(redis, logger, `${prefix}:rl:`);
}
