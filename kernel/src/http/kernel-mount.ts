import type { Context } from 'koa';
import type { Role } from '@valueverse/plugin-sdk';
import type { HttpRouteInfo } from './kernel-route-table';
import type { Principal } from './request-state';

/** What a mounted app may ask the kernel about the caller of the request it serves. */
export interface MountCaller {
  /**
   * Authenticates the request the kernel's way (bearer access token or API key, `X-Tenant-Id` for platform admins)
   * and checks the caller's role; throws VV_UNAUTHENTICATED, VV_FORBIDDEN or a tenant error like a kernel route.
   */
  requireRole(minimum: Role): Promise<Principal>;
}

/**
 * An HTTP app the host serves inside the kernel under a path prefix (the marketplace registry at
 * `/api/v1/marketplace`), so the kernel need not import it. A mounted request passes the kernel's front (request id,
 * drain gate, metrics, problem+json for whatever it throws; JSON and text bodies are parsed, others are left on the
 * stream) and then goes to `handle` instead of the kernel's routes and plugins: it authenticates its callers itself,
 * and asks `caller` when a route is for the deployment's own users.
 */
export interface KernelMount {
  /** Path prefix, e.g. `/api/v1/marketplace`: the prefix itself and everything below it. */
  readonly prefix: string;
  /** Its routes with who may call them, for `Kernel.httpRoutes()` (the security suite walks them); full paths. */
  readonly routes: readonly Omit<HttpRouteInfo, 'owner'>[];
  /** `owner` of its routes in `Kernel.httpRoutes()` and of its requests in the metrics. */
  readonly name: string;
  /** Serves one request; a request no route of the app matched is left with status 404 and no body. */
  handle(ctx: Context, caller: MountCaller): Promise<void>;
}

/** The mount serving `path`, if any: a prefix matches itself and paths below it, never `/prefixother`. */
export function mountFor(mounts: readonly KernelMount[], path: string): KernelMount | undefined {
  for (const mount of mounts) {
    if (path === mount.prefix || path.startsWith(`${mount.prefix}/`)) return mount;
  }
  return undefined;
}
