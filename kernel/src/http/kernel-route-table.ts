import type { KernelRouteAccess } from './kernel-route';

export type { KernelRouteAccess };

/**
 * One HTTP route of the running kernel, its own or a plugin's, with who may call it (`Kernel.httpRoutes()`; the
 * security suite walks these). Kernel routes come from their declarations (kernel-route.ts), plugin routes from
 * their definitions.
 */
export interface HttpRouteInfo {
  readonly method: string;
  /** Full path with `:param` placeholders. */
  readonly path: string;
  /** `kernel` or the plugin id. */
  readonly owner: string;
  readonly access: KernelRouteAccess;
}
