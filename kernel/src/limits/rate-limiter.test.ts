import { MemoryRateLimiter, ruleFor, defaultRateLimits } from './rate-limiter';

describe('token bucket (memory)', () => {
  it('allows a burst, then refuses with the seconds until a token is back, then refills at the rate', async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter(() => now);
    const rule = { perSecond: 2, burst: 3 };
    const first = await Promise.all([1, 2, 3].map(() => limiter.take('t', rule)));
    expect(first.map((r) => r.allowed)).toEqual([true, true, true]);
    expect(first.map((r) => r.remaining)).toEqual([2, 1, 0]);
    expect(await limiter.take('t', rule)).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 });
    now += 500; // half a second at 2/s: one token
    expect((await limiter.take('t', rule)).allowed).toBe(true);
    expect((await limiter.take('t', rule)).allowed).toBe(false);
    expect((await limiter.take('other', rule)).allowed).toBe(true);
  });

  it('reports Retry-After in whole seconds for slow buckets', async () => {
    const limiter = new MemoryRateLimiter(() => 0);
    const rule = { perSecond: 0.1, burst: 1 };
    await limiter.take('k', rule);
    expect((await limiter.take('k', rule)).retryAfterSeconds).toBe(10);
  });

  it('takes per-tenant overrides from settings and ignores nonsense', () => {
    expect(ruleFor({ rateLimits: { tenant: { perSecond: 5, burst: 10 } } }, 'tenant', defaultRateLimits)).toEqual({ perSecond: 5, burst: 10 });
    expect(ruleFor({ rateLimits: { tenant: { perSecond: -1 } } }, 'tenant', defaultRateLimits)).toEqual(defaultRateLimits.tenant);
    expect(ruleFor({}, 'apiKey', defaultRateLimits)).toEqual(defaultRateLimits.apiKey);
  });
});
