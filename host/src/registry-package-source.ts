import type { PackageSource } from '@valueverse/kernel';
import { RegistryClient } from '@valueverse/marketplace';

/**
 * Where the host's installs come from: the registry at `VV_MARKETPLACE_URL`, or else the host's own registry
 * (mounted at `/api/v1/marketplace`), reached over loopback HTTP once the host listens — so a one-command start can
 * publish to itself and install from itself. Undefined when there is neither (a worker without VV_MARKETPLACE_URL:
 * it installs from the package files the installing instance stored in the database).
 */
export function registryPackageSource(marketplaceUrl: string | undefined, ownUrl: () => string | undefined): PackageSource {
  let client: RegistryClient | undefined = marketplaceUrl ? new RegistryClient({ baseUrl: marketplaceUrl }) : undefined;
  const current = (): RegistryClient => {
    if (client) return client;
    const url = ownUrl();
    if (!url) throw new Error('the host has no registry to install from yet (it is not listening, and VV_MARKETPLACE_URL is not set)');
    client = new RegistryClient({ baseUrl: `${url}/api/v1/marketplace` });
    return client;
  };
  return {
    catalog: (q) => current().catalog(q),
    getPackage: (id) => current().getPackage(id),
    download: (id, version) => current().download(id, version),
  };
}
