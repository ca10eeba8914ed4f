import type { Context } from 'koa';
import { Router, type RouterContext } from '@koa/router';
import { VvError, type FieldProblem, type JsonSchema, type Role } from '@valueverse/plugin-sdk';
import { hasRole } from '../identity/role-rank';
import type { RequestState } from './request-state';
import type { SchemaValidator } from './schema-validator';

/**
 * Who may call a kernel route: `public` (no token), `self` (any signed-in caller, about themselves), or the weakest
 * role admitted. Routes naming a tenant (`:tenantId`) below `platform-admin` also answer 404 to other tenants'
 * callers, so ids of other tenants are not confirmed to exist.
 */
export type KernelRouteAccess = 'public' | 'self' | Role;

export type KernelContext = RouterContext<RequestState>;

/** What a handler reads through its route's declared schemas; each validates when called (so a handler decides when). */
export interface KernelRouteInput {
  /** The JSON body, checked against the route's `body` schema (400 VV_VALIDATION otherwise). */
  body<T>(): T;
  /** The query string, checked against the route's `query` schema. */
  query<T extends Record<string, string | undefined>>(): T;
}

/**
 * One kernel route, declared once: dispatch (`kernelRouter`), the access rule it enforces, `Kernel.httpRoutes()`
 * (which the security suite walks) and `/api/openapi.json` all read this declaration.
 */
export interface KernelRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The full path, with `:param` placeholders. */
  readonly path: string;
  readonly access: KernelRouteAccess;
  /** One line for the API document. */
  readonly summary: string;
  readonly body?: JsonSchema;
  readonly query?: JsonSchema;
  /** A media type the route takes besides its JSON `body` (e.g. `application/octet-stream` for a file), read by its handler. */
  readonly alsoAccepts?: string;
  /** Set for routes answering something other than JSON. */
  readonly produces?: string;
  /** The JSON Schema of the route's 200 answer, for the API document (and the console's generated types). */
  readonly response?: JsonSchema;
  readonly handler: (ctx: KernelContext, input: KernelRouteInput) => unknown;
}

/** A kernel route as the API document and the security suite see it (the declaration without its handler). */
export type KernelRouteDoc = Omit<KernelRoute, 'handler'>;

/**
 * A koa router serving `routes`. Each request is admitted by its route's `access` before the handler runs;
 * body and query schemas are compiled here, once.
 */
export function kernelRouter(routes: readonly KernelRoute[], validator: SchemaValidator): Router<RequestState> {
  const router = new Router<RequestState>();
  for (const route of routes) {
    const body = route.body ? validator.compile(route.body, 'body') : undefined;
    const query = route.query ? validator.compile(route.query, 'query') : undefined;
    router.register(route.path, [route.method], async (ctx: KernelContext) => {
      admit(ctx, route.access);
      await route.handler(ctx, {
        body: <T>() => checked<T>(body, (ctx.request as { body?: unknown }).body ?? {}),
        query: <T>() => checked<T>(query, ctx.query),
      });
    });
  }
  return router;
}

function checked<T>(validate: ((value: unknown) => FieldProblem[]) | undefined, value: unknown): T {
  if (!validate) throw new VvError('VV_INTERNAL', { detail: 'this kernel route declares no schema for what its handler reads' });
  const problems = validate(value);
  if (problems.length > 0) throw VvError.validation(problems);
  return value as T;
}

/** Enforces a route's access rule; `public` and `self` need nothing more than what authentication already did. */
function admit(ctx: KernelContext, access: KernelRouteAccess): void {
  if (access === 'public' || access === 'self') return;
  const tenantId = ctx.params.tenantId;
  if (tenantId !== undefined && access !== 'platform-admin') requireTenantAccess(ctx, tenantId, access);
  else requireRole(ctx, access);
}

/** Throws VV_FORBIDDEN unless the caller has `minimum` in the current tenant. */
export function requireRole(ctx: Context & { state: RequestState }, minimum: Role): void {
  const role = ctx.state.principal?.user.role;
  if (!role || !hasRole(role, minimum)) {
    throw new VvError('VV_FORBIDDEN', { params: { reason: `This action needs role "${minimum}" or stronger` } });
  }
}

/**
 * Admin routes name a tenant in the path. Platform admins may name any; tenant admins only their own, and for
 * anyone else the tenant is reported unknown (404), so ids of other tenants are not confirmed to exist.
 */
export function requireTenantAccess(ctx: Context & { state: RequestState }, tenantId: string, minimum: Role): void {
  const principal = ctx.state.principal!;
  if (principal.platformAdmin) return;
  if (principal.tenant.id !== tenantId) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
  requireRole(ctx, minimum);
}

/** What a route module declares besides method, path and handler. */
export type KernelRouteMeta = Omit<KernelRoute, 'method' | 'path' | 'handler'>;

/**
 * Collects a route module's declarations: `routes.get(path, { access, summary, body?, query? }, handler)`, read
 * like a koa router's registrations.
 */
export class KernelRouteList {
  readonly routes: KernelRoute[] = [];

  get(path: string, meta: KernelRouteMeta, handler: KernelRoute['handler']): void {
    this.add('GET', path, meta, handler);
  }

  post(path: string, meta: KernelRouteMeta, handler: KernelRoute['handler']): void {
    this.add('POST', path, meta, handler);
  }

  put(path: string, meta: KernelRouteMeta, handler: KernelRoute['handler']): void {
    this.add('PUT', path, meta, handler);
  }

  patch(path: string, meta: KernelRouteMeta, handler: KernelRoute['handler']): void {
    this.add('PATCH', path, meta, handler);
  }

  delete(path: string, meta: KernelRouteMeta, handler: KernelRoute['handler']): void {
    this.add('DELETE', path, meta, handler);
  }

  private add(method: KernelRoute['method'], path: string, meta: KernelRouteMeta, handler: KernelRoute['handler']): void {
    if (this.routes.some((r) => r.method === method && r.path === path)) throw new VvError('VV_INTERNAL', { detail: `kernel route ${method} ${path} is declared twice` });
    this.routes.push({ method, path, ...meta, handler });
  }
}
