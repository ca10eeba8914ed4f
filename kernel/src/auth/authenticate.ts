import type { Context, Next } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';
import type { RequestState } from '../http/request-state';
import type { PluginSetCache, TenantView } from '../tenancy/plugin-set-cache';
import type { ApiKeyRecord } from '../identity/identity-store';
import type { TokenService } from './token-service';

/** Resolves a presented API key to its live record (the identity service, behind a short cache). */
export type ApiKeyLookup = (key: string) => Promise<ApiKeyRecord | undefined>;

/**
 * Resolves who is calling and for which tenant: a bearer access token (claim `tid`; for platform admins, the tenant
 * named by `X-Tenant-Id`), or an API key (`Authorization: Bearer vvk_…` or `X-Api-Key`), which acts in its own
 * tenant with its own role. Leaves the principal and the tenant view on ctx.state.
 */
export function authenticate(tokens: TokenService, cache: PluginSetCache, apiKeys?: ApiKeyLookup) {
  return async (ctx: Context & { state: RequestState & { tenantView?: TenantView } }, next: Next): Promise<void> => {
    const header = ctx.get('authorization');
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    const presentedKey = match?.[1]?.startsWith('vvk_') ? match[1] : ctx.get('x-api-key') || undefined;
    if (presentedKey && apiKeys) {
      const key = await apiKeys(presentedKey);
      if (!key) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'The API key is not valid or was revoked' } });
      const requested = ctx.get('x-tenant-id');
      if (requested && requested !== key.tenantId) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: requested } });
      const view = await cache.get(key.tenantId);
      if (!view) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: key.tenantId } });
      if (view.tenant.status === 'suspended') throw new VvError('VV_TENANT_SUSPENDED', { params: { tenant: key.tenantId } });
      ctx.state.principal = {
        tenant: { id: view.tenant.id, name: view.tenant.name },
        user: { id: key.id, role: key.role, kind: 'api-key' },
        platformAdmin: false,
      };
      ctx.state.tenantView = view;
      return next();
    }
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
