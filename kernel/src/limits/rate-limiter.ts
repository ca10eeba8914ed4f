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

/** Takes one token from the bucket named `key`: a result at once when it is known here, else a promise of one. */
export interface RateLimiter {
  take(key: string, rule: BucketRule): TakeResult | Promise<TakeResult>;
  close?(): Promise<void>;
}

function refill(tokens: number, lastMs: number, nowMs: number, rule: BucketRule): number {
  return Math.min(rule.burst, tokens + ((nowMs - lastMs) / 1000) * rule.perSecond);
}

function decide(available: number, rule: BucketRule): TakeResult {
  if (available >= 1) return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(available - 1) };
  return refusal(available, rule);
}

/** One process's buckets: the embedded default. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxBuckets = 100_000,
  ) {}

  take(key: string, rule: BucketRule): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const available = bucket ? refill(bucket.tokens, bucket.at, now, rule) : rule.burst;
    const result = decide(available, rule);
    if (!bucket && this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(key, { tokens: result.allowed ? available - 1 : available, at: now });
    return result;
  }
}

/** Default and per-tenant limits: `settings.rateLimits.{tenant,apiKey} = {perSecond, burst}` overrides. */
export interface RateLimitPolicy {
  readonly tenant: BucketRule;
  readonly apiKey: BucketRule;
  /** Public plugin routes (webhooks, unsubscribe links), per client address. Default `defaultPublicClientLimit`. */
  readonly publicClient?: BucketRule;
}

export const defaultPublicClientLimit: BucketRule = { perSecond: 20, burst: 100 };
export const defaultRateLimits: RateLimitPolicy = { tenant: { perSecond: 200, burst: 400 }, apiKey: { perSecond: 50, burst: 100 }, publicClient: defaultPublicClientLimit };

export function ruleFor(settings: Readonly<Record<string, unknown>>, kind: 'tenant' | 'apiKey', defaults: RateLimitPolicy): BucketRule {
  const custom = (settings.rateLimits as Record<string, Partial<BucketRule>> | undefined)?.[kind];
  const perSecond = typeof custom?.perSecond === 'number' && custom.perSecond > 0 ? custom.perSecond : defaults[kind].perSecond;
  const burst = typeof custom?.burst === 'number' && custom.burst >= 1 ? custom.burst : defaults[kind].burst;
  return { perSecond, burst };
}

/** A refusal with the whole seconds until the bucket has a token again. */
export function refusal(available: number, rule: BucketRule): TakeResult {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - available) / rule.perSecond)), remaining: 0 };
}
