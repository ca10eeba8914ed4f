import type { Context } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';
import type { RequestState } from '../http/request-state';
import type { TenantView } from '../plugin-sets/plugin-set-cache';
import { defaultPublicClientLimit, ruleFor, type BucketRule, type RateLimiter, type RateLimitPolicy, type TakeResult } from './rate-limiter';

/**
 * After authentication: one token from the tenant's bucket, and for API keys one from the key's bucket too.
 * An empty bucket answers 429 `VV_RATE_LIMITED` with `Retry-After`. Undefined when every bucket answered at once
 * (a leased or in-memory token: the common case, with no promise to wait for); else a promise that settles once
 * they have.
 */
export function rateLimit(limiter: RateLimiter, policy: RateLimitPolicy) {
  // The bucket name and rules of a tenant, worked out once per loaded tenant view: a change to its settings loads a
  // new view (the plugin-set cache is invalidated), so they are never stale.
  const buckets = new WeakMap<TenantView, { readonly tenantKey: string; readonly tenant: BucketRule; readonly apiKey: BucketRule }>();
  const bucketsOf = (view: TenantView) => {
    let found = buckets.get(view);
    if (found === undefined) {
      const settings = view.tenant.settings;
      found = { tenantKey: `tenant:${view.tenant.id}`, tenant: ruleFor(settings, 'tenant', policy), apiKey: ruleFor(settings, 'apiKey', policy) };
      buckets.set(view, found);
    }
    return found;
  };
  return (ctx: Context & { state: RequestState & { tenantView?: TenantView } }): Promise<void> | undefined => {
    const principal = ctx.state.principal;
    const view = ctx.state.tenantView;
    if (!principal || !view) return undefined;
    const rules = bucketsOf(view);
    const tenant = limiter.take(rules.tenantKey, rules.tenant);
    const key = principal.user.kind === 'api-key' ? limiter.take(`key:${principal.user.id}`, rules.apiKey) : undefined;
    if (!(tenant instanceof Promise) && !(key instanceof Promise)) {
      enforce(key === undefined ? [tenant] : [tenant, key]);
      return undefined;
    }
    return Promise.all(key === undefined ? [tenant] : [tenant, key]).then(enforce);
  };
}

/**
 * Before a public plugin route (no caller, no tenant yet): one token from the client address's bucket
 * (`ip:<address>`, the address as `TrustedProxies` resolves it). Undefined when the bucket answered at once.
 */
export function rateLimitPublic(limiter: RateLimiter, policy: RateLimitPolicy) {
  const rule = policy.publicClient ?? defaultPublicClientLimit;
  return (ctx: Context): Promise<void> | undefined => {
    const taken = limiter.take(`ip:${ctx.ip}`, rule);
    if (!(taken instanceof Promise)) {
      enforce([taken]);
      return undefined;
    }
    return taken.then((result) => enforce([result]));
  };
}

function enforce(results: readonly TakeResult[]): void {
  const refused = results.filter((r) => !r.allowed);
  if (refused.length > 0) {
    const retryAfter = Math.max(...refused.map((r) => r.retryAfterSeconds));
    throw new VvError('VV_RATE_LIMITED', { params: { retryAfter }, headers: { 'Retry-After': String(retryAfter) } });
  }
}
