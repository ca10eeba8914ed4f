import type { Context } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';
import type { RequestState } from '../http/request-state';
import type { PluginSetCache, TenantView } from '../plugin-sets/plugin-set-cache';
import { tenantContextOf } from '../tenancy/tenant-branding';
import type { ApiKeyRecord } from './identity-store';
import type { SessionGuard } from './session-guard';
import type { AccessClaims, TokenService } from './token-service';

/** Resolves a presented API key to its live record (the identity service, behind a short cache). */
export type ApiKeyLookup = (key: string) => Promise<ApiKeyRecord | undefined>;

/**
 * Resolves who is calling and for which tenant: a bearer access token (claim `tid`; for platform admins, the tenant
 * named by `X-Tenant-Id`), or an API key (`Authorization: Bearer vvk_…` or `X-Api-Key`), which acts in its own
 * tenant with its own role. Leaves the principal and the tenant view on ctx.state; throws VV_UNAUTHENTICATED,
 * VV_FORBIDDEN, VV_TENANT_UNKNOWN or VV_TENANT_SUSPENDED.
 */
export function authenticate(tokens: TokenService, cache: PluginSetCache, apiKeys?: ApiKeyLookup, sessions?: SessionGuard) {
  type AuthContext = Context & { state: RequestState & { tenantView?: TenantView } };

  const admit = (ctx: AuthContext, claims: AccessClaims, tenantId: string, view: TenantView | undefined): void => {
    if (!view) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
    if (view.tenant.status === 'suspended' && !claims.pa) throw new VvError('VV_TENANT_SUSPENDED', { params: { tenant: tenantId } });
    ctx.state.principal = {
      tenant: tenantContextOf(view),
      user: { id: claims.sub, email: claims.email, role: claims.pa ? 'platform-admin' : claims.role, kind: 'user' },
      platformAdmin: claims.pa,
    };
    ctx.state.tenantView = view;
  };

  const tenantOf = (ctx: AuthContext, claims: AccessClaims): string => {
    const requested = ctx.get('x-tenant-id');
    if (requested && requested !== claims.tid && !claims.pa) {
      throw new VvError('VV_FORBIDDEN', { params: { reason: 'X-Tenant-Id is only for platform admins and API keys' } });
    }
    return requested || claims.tid;
  };

  const withApiKey = async (ctx: AuthContext, presentedKey: string, lookup: ApiKeyLookup): Promise<void> => {
    const key = await lookup(presentedKey);
    if (!key) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'The API key is not valid or was revoked' } });
    const requested = ctx.get('x-tenant-id');
    if (requested && requested !== key.tenantId) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: requested } });
    const view = await cache.get(key.tenantId);
    if (!view) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: key.tenantId } });
    if (view.tenant.status === 'suspended') throw new VvError('VV_TENANT_SUSPENDED', { params: { tenant: key.tenantId } });
    ctx.state.principal = {
      tenant: tenantContextOf(view),
      user: { id: key.id, role: key.role, kind: 'api-key' },
      platformAdmin: false,
    };
    ctx.state.tenantView = view;
  };

  const withToken = async (ctx: AuthContext, token: string): Promise<void> => {
    const claims = await tokens.verify(token);
    await sessions?.check(claims);
    const tenantId = tenantOf(ctx, claims);
    admit(ctx, claims, tenantId, await cache.get(tenantId));
  };
  const withClaims = (ctx: AuthContext, claims: AccessClaims): Promise<void> | undefined => {
    const tenantId = tenantOf(ctx, claims);
    const view = cache.peek(tenantId);
    if (!view) return cache.get(tenantId).then((loaded) => admit(ctx, claims, tenantId, loaded));
    admit(ctx, claims, tenantId, view);
    return undefined;
  };

  /** Claims of a token verified before: the session check, then the tenant. */
  const admitClaims = (ctx: AuthContext, claims: AccessClaims): Promise<void> | undefined => {
    // The session check is a map look-up once the user's version is known here (see SessionGuard).
    const checking = sessions?.check(claims);
    if (checking) return checking.then(() => withClaims(ctx, claims));
    return withClaims(ctx, claims);
  };

  /**
   * Undefined when the caller was resolved at once (a token verified before, a tenant already loaded: the common
   * case, with no promise to wait for); else a promise that settles once it is.
   */
  return (ctx: AuthContext): Promise<void> | undefined => {
    const header = ctx.get('authorization');
    // The common case first: a bearer token verified before (exactly that string), and no X-Api-Key that would take
    // precedence. Such a token is a signed JWT, so it matches `bearerPattern` and is no `vvk_` key; skipping the
    // pattern spares scanning ~600 characters per request.
    let lookedUp: string | undefined;
    if (header.startsWith('Bearer ') && (!apiKeys || ctx.get('x-api-key') === '')) {
      lookedUp = header.slice(7);
      const known = tokens.cached(lookedUp);
      if (known) return admitClaims(ctx, known);
    }
    const match = bearerPattern.exec(header);
    const presentedKey = match?.[1]?.startsWith('vvk_') ? match[1] : ctx.get('x-api-key') || undefined;
    if (presentedKey && apiKeys) return withApiKey(ctx, presentedKey, apiKeys);
    if (!match) {
      ctx.set('WWW-Authenticate', 'Bearer realm="valueverse"');
      throw new VvError('VV_UNAUTHENTICATED', { params: { reason: header ? 'Authorization header is not a bearer token' : 'Authorization: Bearer <token> is required' } });
    }
    // Not twice for the same token: each lookup counts in the cache's hit rate, and one request is one use.
    const claims = match[1] === lookedUp ? undefined : tokens.cached(match[1]!);
    if (!claims) return withToken(ctx, match[1]!);
    return admitClaims(ctx, claims);
  };
}

/** An `authenticate` middleware, as a function of the credential headers alone (to check a credential again later). */
export type Authenticator = ReturnType<typeof authenticate>;

/**
 * Runs `authenticate` again on a request's credential headers (`authorization`, `x-api-key`, `x-tenant-id`), long
 * after the request: an event stream asks this whenever something it depends on changed. Rejects as the request
 * would have been rejected.
 */
export async function authenticateHeaders(auth: Authenticator, headers: Readonly<Record<string, string>>): Promise<RequestState['principal']> {
  const ctx = { get: (name: string) => headers[name.toLowerCase()] ?? '', set: () => undefined, state: {} as RequestState };
  await auth(ctx as never);
  return ctx.state.principal;
}

const bearerPattern = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;
