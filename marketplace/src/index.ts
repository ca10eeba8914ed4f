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
