import type { Router } from '@koa/router';
import type { Role } from '@valueverse/plugin-sdk';

/**
 * Who may call a kernel route: `public` (no token), `self` (any signed-in user, about themselves), or the weakest
 * role admitted. Tenant-scoped admin routes (`:tenantId`) also answer 404 to other tenants' callers.
 *
 * Every route the kernel's routers register must be listed here: `Kernel.httpRoutes()` reports unlisted ones as
 * `undeclared`, and the security suite fails on them.
 */
export type KernelRouteAccess = 'public' | 'self' | Role;

export const kernelRouteAccess: Readonly<Record<string, KernelRouteAccess>> = {
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': 'public',
  'GET /api/openapi.json': 'public',
  'GET /.well-known/jwks.json': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/refresh': 'public',
  'POST /api/v1/auth/logout': 'public',
  'GET /api/v1/me': 'self',
  'GET /api/v1/me/totp': 'self',
  'POST /api/v1/me/totp': 'self',
  'POST /api/v1/me/totp/confirm': 'self',
  'POST /api/v1/me/totp/disable': 'self',
  'GET /api/v1/events/stream': 'viewer',
  'GET /api/v1/admin/plugins': 'tenant-admin',
  'GET /api/v1/admin/audit': 'tenant-admin',
  'GET /api/v1/admin/tenants': 'platform-admin',
  'POST /api/v1/admin/tenants': 'platform-admin',
  'GET /api/v1/admin/tenants/:tenantId': 'tenant-admin',
  'PATCH /api/v1/admin/tenants/:tenantId': 'platform-admin',
  'DELETE /api/v1/admin/tenants/:tenantId': 'platform-admin',
  'GET /api/v1/admin/tenants/:tenantId/plugins': 'tenant-admin',
  'PUT /api/v1/admin/tenants/:tenantId/plugins/:pluginId': 'tenant-admin',
  'GET /api/v1/admin/tenants/:tenantId/api-keys': 'tenant-admin',
  'POST /api/v1/admin/tenants/:tenantId/api-keys': 'tenant-admin',
  'DELETE /api/v1/admin/tenants/:tenantId/api-keys/:keyId': 'tenant-admin',
  'GET /api/v1/admin/tenants/:tenantId/members': 'tenant-admin',
  'POST /api/v1/admin/tenants/:tenantId/members': 'tenant-admin',
  'PATCH /api/v1/admin/tenants/:tenantId/members/:userId': 'tenant-admin',
  'DELETE /api/v1/admin/tenants/:tenantId/members/:userId': 'tenant-admin',
  'PATCH /api/v1/admin/users/:userId': 'platform-admin',
  'GET /api/v1/admin/tenants/:tenantId/invitations': 'tenant-admin',
  'DELETE /api/v1/admin/tenants/:tenantId/invitations/:invitationId': 'tenant-admin',
  'POST /api/v1/auth/invitations/accept': 'public',
  'GET /api/v1/admin/jobs/dead': 'platform-admin',
  'POST /api/v1/admin/jobs/dead/:id/retry': 'platform-admin',
  'DELETE /api/v1/admin/jobs/dead/:id': 'platform-admin',
};

/** One HTTP route of the running kernel: its own or a plugin's. */
export interface HttpRouteInfo {
  readonly method: string;
  /** Full path with `:param` placeholders. */
  readonly path: string;
  /** `kernel` or the plugin id. */
  readonly owner: string;
  readonly access: KernelRouteAccess | 'undeclared';
}

/** The routes of kernel routers, read from their layers (HEAD, which koa adds to every GET, left out). */
export function kernelRoutesOf(routers: readonly Router<never>[]): HttpRouteInfo[] {
  const routes: HttpRouteInfo[] = [];
  for (const router of routers) {
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (method === 'HEAD') continue;
        const key = `${method} ${layer.path}`;
        routes.push({ method, path: String(layer.path), owner: 'kernel', access: kernelRouteAccess[key] ?? 'undeclared' });
      }
    }
  }
  return routes;
}
