// @valueverse/marketplace: the plugin registry (mounted by the host at /api/v1/marketplace, or standalone through
// `node marketplace/dist/cli.js serve`) and the client a deployment installs from (issue #15).
export {
  MARKETPLACE_BASE_PATH,
  INTEGRITY_HEADER,
  type CatalogEntry,
  type CatalogPage,
  type PackageDetails,
  type PackageVersionDetails,
  type PackageVersionSummary,
  type PublisherRef,
  type PublisherWithToken,
  type SdkListing,
} from './registry-api';
export { parseCatalogQuery, type CatalogQuery } from './http/list-query';
export { WorkspaceSdkTarballs, SDK_ENTRY_PACKAGES, findWorkspaceRoot, type WorkspaceSdkTarballsOptions } from './sdk/workspace-sdk-tarballs';
export { RegistryClient, type RegistryClientOptions } from './client/registry-client';
export { LocalRegistrySource } from './client/local-registry-source';
export { createRegistry, type Registry, type RegistryOptions } from './registry/create-registry';
export type { SdkTarballs, RequireAdmin, RegistryRouteInfo } from './http/registry-routes';
export { RegistryService, type PublisherView } from './registry/registry-service';
export { RegistryStore } from './data/registry-store';
export { marketplaceMigrations, MARKETPLACE_SCHEMA } from './data/marketplace-migrations';
export { PUBLISHER_TOKEN_PREFIX } from './registry/publisher-token';
export { startRegistryServer, type RunningRegistry } from './standalone/registry-server';
export { loadRegistryEnvConfig, type RegistryEnvConfig } from './standalone/registry-env-config';
