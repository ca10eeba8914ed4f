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

/** One version of a package in the registry's details. */
export interface PackageVersionInfo {
  readonly version: string;
  /** The manifest's `kernel` range. */
  readonly kernel: string;
  readonly publishedAt?: string;
  readonly yanked?: boolean;
  /** `sha512-<base64>` of the package file. */
  readonly integrity?: string;
  /** The key that signed this version (registries refuse unsigned packages). */
  readonly signer: { readonly keyId: string };
  readonly permissions: readonly string[];
  /** Bytes of the package file. */
  readonly size?: number;
}

/** One package as the configured registry describes it: readme and every version, newest first. */
export interface PackageDetails {
  readonly id: string;
  readonly displayName: string;
  readonly description?: string;
  readonly readme?: string;
  readonly categories?: readonly string[];
  readonly publisher?: { readonly id: string; readonly name: string };
  readonly downloads?: number;
  readonly latestVersion: string | null;
  readonly icon?: string;
  readonly versions: readonly PackageVersionInfo[];
}

/**
 * Where installs come from: the marketplace registry (`VV_MARKETPLACE_URL`, or the one the host mounts). The host
 * wires it to the marketplace's `RegistryClient`.
 */
export interface PackageSource {
  catalog(q: string): Promise<CatalogEntry[]>;
  /** One package's details; rejects with `VV_PACKAGE_UNKNOWN` when the registry has none of that id. */
  getPackage(id: string): Promise<PackageDetails>;
  /** The package file of one version. */
  download(id: string, version: string): Promise<Buffer>;
}
