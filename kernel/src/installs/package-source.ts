/** One plugin as the configured registry lists it. */
export interface CatalogEntry {
  readonly id: string;
  readonly displayName: string;
  readonly description?: string;
  readonly categories?: readonly string[];
  readonly latestVersion: string;
  readonly publisher?: unknown;
  readonly downloads?: number;
  /** The latest version's manifest `kernel` range, when the registry tells it. */
  readonly kernel?: string;
  readonly icon?: string;
}

/**
 * Where installs come from: the marketplace registry (`VV_MARKETPLACE_URL`, or the one the host mounts). The host
 * wires it to the marketplace's `RegistryClient`.
 */
export interface PackageSource {
  catalog(q: string): Promise<CatalogEntry[]>;
  /** The package file of one version. */
  download(id: string, version: string): Promise<Buffer>;
}
