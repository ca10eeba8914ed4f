import type { CatalogEntry, PackageDetails } from '../registry-api';
import type { Registry } from '../registry/create-registry';

/**
 * The host's own registry as a package source, in process: the same answers as `RegistryClient` against
 * `<host>/api/v1/marketplace` (downloads counted, yanked versions downloadable by exact version), without a
 * round trip through the host's own HTTP listener (which may not listen yet, or only on an outside address).
 * Icon URLs are relative to the host (`/api/v1/marketplace/...`).
 */
export class LocalRegistrySource {
  constructor(
    private readonly registry: Pick<Registry, 'service' | 'basePath'>,
    private readonly maxCatalogEntries = 1000,
  ) {}

  async catalog(q = ''): Promise<CatalogEntry[]> {
    const entries: CatalogEntry[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.registry.service.catalog(
        { q: q.trim() === '' ? undefined : q.trim(), limit: Math.min(200, this.maxCatalogEntries - entries.length), after },
        (path) => `${this.registry.basePath}${path}`,
      );
      entries.push(...page.items);
      if (!page.nextCursor || entries.length >= this.maxCatalogEntries) return entries;
      after = page.items[page.items.length - 1]!.id;
    }
  }

  /** A package with its readme and every version; VV_PACKAGE_UNKNOWN when there is none. */
  async getPackage(id: string): Promise<PackageDetails> {
    return this.registry.service.getPackage(id, (path) => `${this.registry.basePath}${path}`);
  }

  async download(id: string, version: string): Promise<Buffer> {
    return (await this.registry.service.download(id, version)).content;
  }
}
