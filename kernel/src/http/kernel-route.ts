import type { Context } from 'koa';
import { VvError, type JsonSchema, type Role } from '@valueverse/plugin-sdk';
import { hasRole } from '../identity/role-rank';
import type { RequestState } from './request-state';
import type { SchemaValidator } from './schema-validator';

/** Compiles a body schema once; the returned function validates and returns the typed body. */
export function bodyOf<T>(validator: SchemaValidator, schema: JsonSchema): (ctx: Context) => T {
  const validate = validator.compile(schema, 'body');
  return (ctx) => {
    const body = (ctx.request as { body?: unknown }).body ?? {};
    const problems = validate(body);
    if (problems.length > 0) throw VvError.validation(problems);
    return body as T;
  };
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
