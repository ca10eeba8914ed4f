import type { PluginManifest } from '../manifest/plugin-manifest';
import type { PackageManifest, PackageSignature } from './package-manifest';

/** A package whose structure, file hashes and plugin identity were checked (and, from `verifyPackage`, its signer). */
export interface VerifiedPackage {
  readonly pluginId: string;
  readonly version: string;
  /** plugin.json, validated by `validateManifest`. */
  readonly manifest: PluginManifest;
  /** Path relative to `package/` → bytes; `MANIFEST.json` is not included. */
  readonly files: ReadonlyMap<string, Buffer>;
  /** The key that signed it; null only when it is unsigned and the caller allowed that. */
  readonly signer: { readonly keyId: string } | null;
  /** `sha512-<base64>` of the whole package file (Subresource Integrity / ssri style). */
  readonly integrity: string;
}

/**
 * What `inspectPackage` returns: a checked package and its signature, not yet checked against any key (`signer` is
 * the key id the signature claims, or null when unsigned).
 */
export interface InspectedPackage extends VerifiedPackage {
  readonly signature: PackageSignature | null;
  /** The signed part of MANIFEST.json, for `verifySignatureWith`. */
  readonly packageManifest: PackageManifest;
}
