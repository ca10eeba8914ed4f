import type { Context } from 'koa';
import type { Database } from '@valueverse/kernel';
import { RegistryStore } from '../data/registry-store';
import { registryRoutes, type RegistryRouteInfo, type RequireAdmin, type SdkTarballs } from '../http/registry-routes';
import { MARKETPLACE_BASE_PATH } from '../registry-api';
import { RegistryService } from './registry-service';

export interface RegistryOptions {
  /** The database (the host's own, or the standalone registry's): the registry migrates and uses schema `marketplace`. */
  readonly database: Database;
  /** Where its routes are served; default `/api/v1/marketplace`. */
  readonly basePath?: string;
  /** SDK tarballs served at `R/sdk` (marketplace/src/sdk/); none: those routes answer 404. */
  readonly sdk?: SdkTarballs;
  /** Largest package a publish accepts, in bytes (default 20 MB). */
  readonly maxPackageBytes?: number;
  /** The registry's R as clients reach it (behind a proxy); default from each request. */
  readonly publicUrl?: string;
}

/** A migrated registry, ready to serve requests in a Koa app. */
export interface Registry {
  readonly basePath: string;
  readonly service: RegistryService;
  readonly store: RegistryStore;
  /** Its routes with who may call them (for `Kernel.httpRoutes()`). */
  readonly routes: readonly RegistryRouteInfo[];
  /** Serves one request under `basePath`; leaves 404 without a body when no route matched. */
  handle(ctx: Context, requireAdmin: RequireAdmin): Promise<void>;
}

/**
 * Builds the registry on a database: applies the pending migrations of schema `marketplace`, then returns its
 * request handler. The host mounts it in the kernel (host/src/mount-marketplace.ts); `registry-server.ts` serves
 * it standalone.
 */
export async function createRegistry(options: RegistryOptions): Promise<Registry> {
  const store = new RegistryStore(options.database);
  await store.init();
  const service = new RegistryService(store);
  const basePath = options.basePath ?? MARKETPLACE_BASE_PATH;
  const http = registryRoutes({ service, basePath, sdk: options.sdk, maxPackageBytes: options.maxPackageBytes, publicUrl: options.publicUrl });
  return { basePath, service, store, routes: http.routes, handle: http.handle };
}
