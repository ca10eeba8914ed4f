import type { Context } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';
import type { RequestState } from '../http/request-state';
import type { TenantView } from '../tenancy/plugin-set-cache';
import { ruleFor, type RateLimiter, type RateLimitPolicy, type TakeResult } from './rate-limiter';

/**
 * After authentication: one token from the tenant's bucket, and for API keys one from the key's bucket too.
 * An empty bucket answers 429 `VV_RATE_LIMITED` with `Retry-After`. Undefined when every bucket answered at once
 * (a leased or in-memory token: the common case, with no promise to wait for); else a promise that settles once
 * they have.
 */
export function rateLimit(limiter: RateLimiter, policy: RateLimitPolicy) {
  return (ctx: Context & { state: RequestState & { tenantView?: TenantView } }): Promise<void> | undefined => {
    const principal = ctx.state.principal;
    const view = ctx.state.tenantView;
    if (!principal || !view) return undefined;
    const settings = view.tenant.settings;
    const tenant = limiter.take(`tenant:${principal.tenant.id}`, ruleFor(settings, 'tenant', policy));
    const key = principal.user.kind === 'api-key' ? limiter.take(`key:${principal.user.id}`, ruleFor(settings, 'apiKey', policy)) : undefined;
    if (!(tenant instanceof Promise) && !(key instanceof Promise)) {
      enforce(key === undefined ? [tenant] : [tenant, key]);
      return undefined;
    }
    return Promise.all(key === undefined ? [tenant] : [tenant, key]).then(enforce);
  };
}

function enforce(results: readonly TakeResult[]): void {
  const refused = results.filter((r) => !r.allowed);
  if (refused.length > 0) {
    const retryAfter = Math.max(...refused.map((r) => r.retryAfterSeconds));
    throw new VvError('VV_RATE_LIMITED', { params: { retryAfter }, headers: { 'Retry-After': String(retryAfter) } });
  }
}
