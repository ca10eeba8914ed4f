import Redis from 'ioredis';
import { type AttemptRule, type AttemptStore, type KernelLogger, MemoryAttemptStore } from '@valueverse/kernel';
import type { AttemptState } from '@valueverse/kernel/backend';

// One failure, atomically: count, lock per the rule (the same arithmetic as `lockMsAfter`), and keep the key until
// `forgetAfterMs` after the lock ends. Returns {failures, lockedUntil}.
const FAIL_SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local forget = tonumber(ARGV[5])
local failures = redis.call('HINCRBY', key, 'failures', 1)
local locked = tonumber(redis.call('HGET', key, 'lockedUntil') or '0')
if failures > free then
  locked = now + math.min(base * 2 ^ math.min(failures - free - 1, 40), max)
  redis.call('HSET', key, 'lockedUntil', string.format('%.0f', locked))
end
redis.call('PEXPIRE', key, forget + math.max(0, locked - now))
return {failures, string.format('%.0f', locked)}
`;

/**
 * Failure counts shared by every instance, under `<prefix>:auth:<key>`. While Redis does not answer, counts are
 * kept in this process instead (and the outage logged once a minute): protection narrows to one instance rather
 * than disappearing, and sign-in keeps working.
 */
export class RedisAttemptStore implements AttemptStore {
  private readonly local = new MemoryAttemptStore();
  private lastWarning = 0;
  private readying: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly logger: KernelLogger,
    private readonly prefix = 'vv:auth:',
    private readonly timeoutMs = 500,
  ) {
    redis.defineCommand('vvFailAttempt', { numberOfKeys: 1, lua: FAIL_SCRIPT });
  }

  async get(keys: readonly string[], now: number): Promise<AttemptState[]> {
    return this.orLocal(
      async () => {
        const rows = await Promise.all(keys.map((key) => this.redis.hmget(this.prefix + key, 'failures', 'lockedUntil')));
        return rows.map(([failures, lockedUntil]) => ({ failures: Number(failures ?? 0), lockedUntil: Number(lockedUntil ?? 0) }));
      },
      () => this.local.get(keys, now),
    );
  }

  async fail(key: string, rule: AttemptRule, now: number): Promise<AttemptState> {
    return this.orLocal(
      async () => {
        const run = (this.redis as unknown as { vvFailAttempt(...args: (string | number)[]): Promise<[number, string]> }).vvFailAttempt;
        const [failures, lockedUntil] = await run.call(this.redis, this.prefix + key, now, rule.free, rule.baseLockMs, rule.maxLockMs, rule.forgetAfterMs);
        return { failures: Number(failures), lockedUntil: Number(lockedUntil) };
      },
      () => this.local.fail(key, rule, now),
    );
  }

  async reset(key: string): Promise<void> {
    await this.orLocal(
      async () => {
        await this.redis.del(this.prefix + key);
      },
      () => this.local.reset(key),
    );
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async orLocal<T>(remote: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    const status = this.redis.status;
    // Down (reconnecting, closed): count here at once, no waiting on a sign-in's path. A first connection under
    // way (just after boot) is waited for, within the timeout.
    const connecting = status === 'connecting' || status === 'connect' || status === 'wait';
    if (status !== 'ready' && !connecting) {
      this.warn(new Error(`Redis connection is ${status}`));
      return local();
    }
    try {
      return await Promise.race([
        connecting ? this.ready().then(remote) : remote(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs).unref()),
      ]);
    } catch (error) {
      this.warn(error);
      return local();
    }
  }

  /** One shared wait for the connection (not one listener per waiting sign-in). */
  private ready(): Promise<void> {
    this.readying ??= new Promise<void>((resolve) =>
      this.redis.once('ready', () => {
        this.readying = undefined;
        resolve();
      }),
    );
    return this.readying;
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.logger.warn({ err: error }, 'sign-in protection: Redis is not answering; counting failed attempts on this instance only');
  }
}

/** A `RedisAttemptStore` on its own connection (`<prefix>:auth:` keys, one set per deployment). */
export function createRedisAttemptStore(url: string, logger: KernelLogger, prefix = 'vv'): RedisAttemptStore {
  // No offline queue: while not connected the store counts locally at once rather than queueing.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => undefined); // reported by the store when it matters, once a minute
  return new RedisAttemptStore(redis, logger, `${prefix}:auth:`);
}
