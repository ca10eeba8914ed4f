import type { Context, Next } from 'koa';
import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';
import type { TenantView } from '../plugin-sets/plugin-set-cache';

/** Request headers a browser client may send cross-origin (what the API reads), lower case. */
const ALLOWED_HEADERS = ['accept', 'accept-language', 'authorization', 'content-type', 'idempotency-key', 'last-event-id', 'x-api-key', 'x-request-id', 'x-tenant-id'];
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
/** Response headers a browser client may read besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = 'X-Request-Id, Retry-After, Location, ETag, Idempotent-Replayed, Content-Disposition';
/** How long a browser may cache a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE = '600';
/** The tenant setting that narrows the deployment's list. */
export const TENANT_CORS_SETTING = 'corsOrigins';
const MAX_TENANT_ORIGINS = 50;

/** `scheme://host[:port]` in canonical form (lower case, default port dropped), or undefined for anything else. */
export function canonicalOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // An origin has no credentials, path, query or fragment; `new URL` would quietly keep or add them.
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || !/^[a-z]+:\/\/[^/]+\/?$/i.test(value)) return undefined;
  return url.origin;
}

type Authenticate = (ctx: never) => Promise<void> | void | undefined;

/**
 * Cross-origin access for browser clients (issue #10, finding 8): the deployment lists the origins it serves
 * (`VV_CORS_ORIGINS`: origins, or `*` for any); a tenant may narrow that list with its `corsOrigins` setting, never
 * widen it. Preflights are answered before authentication (a browser sends them without credentials); credentials
 * are only allowed for a listed origin, never with the wildcard; every answer carries `Vary: Origin` once CORS is
 * configured, so caches keep one copy per origin.
 */
export class CorsPolicy {
  private readonly origins: ReadonlySet<string>;
  private readonly any: boolean;

  /** @throws VvError VV_CONFIG_INVALID naming each entry that is not an origin (or `*` mixed with origins). */
  constructor(origins: readonly string[] = []) {
    const problems: string[] = [];
    const list = new Set<string>();
    for (const entry of origins) {
      if (entry === '*') continue;
      const origin = canonicalOrigin(entry);
      if (origin === undefined) problems.push(`"${entry}" is not an origin (scheme://host[:port])`);
      else list.add(origin);
    }
    this.any = origins.includes('*');
    if (this.any && list.size > 0) problems.push('"*" allows every origin and cannot be combined with a list');
    if (problems.length > 0) throw new VvError('VV_CONFIG_INVALID', { params: { subject: 'CORS origins', problems: problems.join('; ') } });
    this.origins = list;
  }

  /** True when the deployment allows some cross-origin access. */
  get enabled(): boolean {
    return this.any || this.origins.size > 0;
  }

  /** Whether the deployment serves `origin`, and for `tenantOrigins` (the tenant's setting) when it has one. */
  allows(origin: string, tenantOrigins?: unknown): boolean {
    if (!(this.any || this.origins.has(origin))) return false;
    return !Array.isArray(tenantOrigins) || tenantOrigins.includes(origin);
  }

  /** Problems with a tenant's `corsOrigins` setting: a list of origins, each one the deployment serves. */
  tenantSettingProblems(settings: Record<string, unknown> | undefined): FieldProblem[] {
    const value = settings?.[TENANT_CORS_SETTING];
    if (value === undefined) return [];
    const pointer = `/settings/${TENANT_CORS_SETTING}`;
    if (!Array.isArray(value) || value.length > MAX_TENANT_ORIGINS) return [{ pointer, message: `must be a list of at most ${MAX_TENANT_ORIGINS} origins` }];
    return value.flatMap((entry: unknown, i): FieldProblem[] => {
      const origin = typeof entry === 'string' ? canonicalOrigin(entry) : undefined;
      if (origin === undefined || origin !== entry) return [{ pointer: `${pointer}/${i}`, message: 'must be an origin in canonical form, e.g. https://app.example.com' }];
      if (!(this.any || this.origins.has(origin)))
        return [{ pointer: `${pointer}/${i}`, message: 'is not an origin this deployment allows (VV_CORS_ORIGINS); a tenant can only narrow that list' }];
      return [];
    });
  }

  /**
   * The first middleware: answers preflights, and marks allowed cross-origin requests before they run, so that
   * every answer (problems included) can be read by the page that asked.
   */
  middleware(): (ctx: Context, next: Next) => Promise<unknown> {
    return (ctx, next) => {
      if (!this.enabled) return next();
      ctx.vary('Origin');
      const origin = ctx.get('origin');
      if (origin === '') return next();
      const allowed = this.allows(origin);
      if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method') !== '') {
        // A preflight carries no credentials: it is answered here, before authentication, for any path.
        ctx.status = 204;
        if (!allowed) return Promise.resolve();
        this.allowOrigin(ctx, origin);
        ctx.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
        ctx.set('Access-Control-Allow-Headers', ALLOWED_HEADERS.join(', '));
        ctx.set('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
        ctx.vary('Access-Control-Request-Method');
        ctx.vary('Access-Control-Request-Headers');
        return Promise.resolve();
      }
      if (allowed) {
        this.allowOrigin(ctx, origin);
        ctx.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      }
      return next();
    };
  }

  /**
   * Wraps authentication: once the tenant is known, a cross-origin request from an origin its `corsOrigins` setting
   * leaves out is refused (403 VV_FORBIDDEN) before the route runs, and its answer is not readable by that page.
   * Same-origin requests (the console served by this host sends `Origin` on writes) are never refused.
   */
  forTenants<A extends Authenticate>(authenticate: A): A {
    if (!this.enabled) return authenticate;
    const check = (ctx: Context & { state: { tenantView?: TenantView } }): void => {
      const origin = ctx.get('origin');
      // This host's own origin (`ctx.origin` would not do: Koa 3 answers the Origin header there).
      if (origin === '' || origin === `${ctx.protocol}://${ctx.host}`) return;
      const tenantOrigins = ctx.state.tenantView?.tenant.settings?.[TENANT_CORS_SETTING];
      if (!Array.isArray(tenantOrigins) || this.allows(origin, tenantOrigins)) return;
      for (const header of ['Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials', 'Access-Control-Expose-Headers']) ctx.remove(header);
      throw new VvError('VV_FORBIDDEN', { params: { reason: `Origin ${origin} is not allowed for this tenant` } });
    };
    return ((ctx: never) => {
      const pending = authenticate(ctx);
      if (pending) return pending.then(() => check(ctx));
      check(ctx);
      return undefined;
    }) as A;
  }

  private allowOrigin(ctx: Context, origin: string): void {
    if (this.any) {
      // The wildcard never comes with credentials (the Fetch standard forbids the pair; we do not echo around it).
      ctx.set('Access-Control-Allow-Origin', '*');
      return;
    }
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Allow-Credentials', 'true');
  }
}
