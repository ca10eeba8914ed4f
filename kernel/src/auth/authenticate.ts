import type { Context, Next } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';
import type { RequestState } from '../http/request-state';
import type { PluginSetCache, TenantView } from '../tenancy/plugin-set-cache';
import type { TokenService } from './token-service';

/**
 * Resolves who is calling and for which tenant: a bearer access token (claim `tid`), or, for platform admins only,
 * the tenant named by `X-Tenant-Id`. Leaves the principal and the tenant view on ctx.state.
 */
export function authenticate(tokens: TokenService, cache: PluginSetCache) {
  return async (ctx: Context & { state: RequestState & { tenantView?: TenantView } }, next: Next): Promise<void> => {
    const header = ctx.get('authorization');
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    if (!match) {
      ctx.set('WWW-Authenticate', 'Bearer realm="valueverse"');
      throw new VvError('VV_UNAUTHENTICATED', { params: { reason: header ? 'Authorization header is not a bearer token' : 'Authorization: Bearer <token> is required' } });
    }
    const claims = await tokens.verify(match[1]!);
    const requested = ctx.get('x-tenant-id');
    if (requested && requested !== claims.tid && !claims.pa) {
      throw new VvError('VV_FORBIDDEN', { params: { reason: 'X-Tenant-Id is only for platform admins and API keys' } });
    }
    const tenantId = requested || claims.tid;
    const view = await cache.get(tenantId);
    if (!view) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
    if (view.tenant.status === 'suspended' && !claims.pa) throw new VvError('VV_TENANT_SUSPENDED', { params: { tenant: tenantId } });
    const role = claims.pa ? 'platform-admin' : claims.role;
    ctx.state.principal = {
      tenant: { id: view.tenant.id, name: view.tenant.name },
      user: { id: claims.sub, email: claims.email, role, kind: 'user' },
      platformAdmin: claims.pa,
    };
    ctx.state.tenantView = view;
    await next();
  };
}
