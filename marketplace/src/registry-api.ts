// The registry's HTTP API as JSON shapes (docs: /work PACKAGE-SPEC "Registry HTTP API"; README "Marketplace").
// Shared by the server (registry/) and the client (client/registry-client.ts), so both sides read one definition.

/** Where the host mounts the registry; a standalone registry serves the same paths under its own base URL. */
export const MARKETPLACE_BASE_PATH = '/api/v1/marketplace';

/** One package in a search result (`GET R/packages`): its newest non-yanked version. */
export interface CatalogEntry {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly categories: readonly string[];
  readonly latestVersion: string;
  /** The manifest's `kernel` range of `latestVersion`: whether a deployment can run it. */
  readonly kernel: string;
  readonly publisher: PublisherRef;
  readonly downloads: number;
  /** Absolute URL of the package's icon, when its latest version has one. */
  readonly icon?: string;
}

export interface PublisherRef {
  readonly id: string;
  readonly name: string;
}

/** `GET R/packages`: a cursor page like every list of the platform. */
export interface CatalogPage {
  readonly items: CatalogEntry[];
  readonly nextCursor: string | null;
}

/** One version of a package (`GET R/packages/:id` lists them, newest first). */
export interface PackageVersionSummary {
  readonly version: string;
  /** The manifest's `kernel` range. */
  readonly kernel: string;
  readonly publishedAt: string;
  readonly yanked: boolean;
  /** `sha512-<base64>` of the package file: what `download` answers in `X-Package-Integrity`. */
  readonly integrity: string;
  readonly signer: { readonly keyId: string };
  readonly permissions: readonly string[];
  /** Bytes of the package file. */
  readonly size: number;
  readonly downloads: number;
}

/** `GET R/packages/:id/versions/:version` and the answer of a publish. */
export interface PackageVersionDetails extends PackageVersionSummary {
  readonly id: string;
  /** The plugin's `plugin.json`, as validated at publish. */
  readonly manifest: Record<string, unknown>;
}

/** `GET R/packages/:id`. */
export interface PackageDetails {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  /** `README.md` of the newest version, or an empty string. */
  readonly readme: string;
  readonly categories: readonly string[];
  readonly publisher: PublisherRef;
  readonly downloads: number;
  readonly latestVersion: string | null;
  readonly icon?: string;
  readonly versions: PackageVersionSummary[];
}

/** `POST R/publishers` and `POST R/publishers/:id/tokens`: the token is shown in this answer only. */
export interface PublisherWithToken extends PublisherRef {
  readonly token: string;
}

/** `GET R/sdk`: the npm-installable tarballs for plugin authors outside a checkout. */
export interface SdkListing {
  readonly packages: { readonly name: string; readonly version: string; readonly url: string }[];
}

/** Header carrying a download's integrity (`sha512-<base64>`, as `npm`'s ssri writes it). */
export const INTEGRITY_HEADER = 'X-Package-Integrity';
