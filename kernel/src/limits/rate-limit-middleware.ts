import type { Context } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';
import type { RequestState } from '../http/request-state';
import type { TenantView } from '../plugin-sets/plugin-set-cache';
import { ruleFor, type RateLimiter, type RateLimitPolicy } from './rate-limiter';

/**
 * After authentication: one token from the tenant's bucket, and for API keys one from the key's bucket too.
 * An empty bucket answers 429 `VV_RATE_LIMITED` with `Retry-After`.
 */
export function rateLimit(limiter: RateLimiter, policy: RateLimitPolicy) {
  return async (ctx: Context & { state: RequestState & { tenantView?: TenantView } }): Promise<void> => {
    const principal = ctx.state.principal;
    const view = ctx.state.tenantView;
    if (!principal || !view) return;
    const settings = view.tenant.settings;
    const checks = [limiter.take(`tenant:${principal.tenant.id}`, ruleFor(settings, 'tenant', policy))];
    if (principal.user.kind === 'api-key') checks.push(limiter.take(`key:${principal.user.id}`, ruleFor(settings, 'apiKey', policy)));
    const results = await Promise.all(checks);
    const refused = results.filter((r) => !r.allowed);
    if (refused.length > 0) {
      const retryAfter = Math.max(...refused.map((r) => r.retryAfterSeconds));
      throw new VvError('VV_RATE_LIMITED', { params: { retryAfter }, headers: { 'Retry-After': String(retryAfter) } });
    }
  };
}
