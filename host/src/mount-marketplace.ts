import type { Database, KernelMount } from '@valueverse/kernel';
import { WorkspaceSdkTarballs, createRegistry, type Registry, type SdkTarballs } from '@valueverse/marketplace';

/**
 * The host's own marketplace registry (issue #15), mounted in the kernel at `/api/v1/marketplace` so the
 * one-command start has a local registry: on the host's database (schema `marketplace`, migrated here), with the
 * deployment's platform admins as registry admins (the kernel's authentication: access token or API key).
 * Publisher routes authenticate with publisher tokens, which the registry checks itself. It serves the SDK tarballs
 * for plugin authors (`R/sdk`) built from this workspace's dist/ folders, unless `options.sdk` says otherwise.
 * `registry` is the registry itself, for in-process use (`new LocalRegistrySource(mount.registry)` as the host's
 * package source).
 */
export async function marketplaceMount(database: Database, options: { sdk?: SdkTarballs } = {}): Promise<KernelMount & { readonly registry: Registry }> {
  const registry = await createRegistry({ database, sdk: options.sdk ?? WorkspaceSdkTarballs.fromWorkspace() });
  return {
    registry,
    prefix: registry.basePath,
    name: 'marketplace',
    routes: registry.routes,
    handle: (ctx, caller) =>
      registry.handle(ctx, async () => {
        await caller.requireRole('platform-admin');
      }),
  };
}
