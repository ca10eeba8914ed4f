import type { PluginManifest } from '@valueverse/plugin-sdk';

// What the kernel needs of `@valueverse/plugin-sdk/package` (docs: PACKAGE-SPEC "Library"), as an interface so
// that the installer is tested with the real library and nothing else decides how a package is read.

export interface TrustedKey {
  readonly keyId: string;
  readonly publicKeyPem: string;
}

export interface VerifiedPackage {
  readonly pluginId: string;
  readonly version: string;
  readonly manifest: PluginManifest;
  readonly files: ReadonlyMap<string, Buffer>;
  readonly signer: { readonly keyId: string } | null;
  /** `sha512-<base64>` of the whole package file. */
  readonly integrity: string;
}

export interface PackageCodec {
  /**
   * Checks structure, every file's hash and the signature against `trustedKeys`.
   *
   * @throws PackageError `VV_PACKAGE_INVALID`, `VV_PACKAGE_MODIFIED`, `VV_SIGNATURE_INVALID`, `VV_SIGNER_UNTRUSTED`
   */
  verify(pkg: Buffer, options: { trustedKeys: readonly TrustedKey[]; allowUnsigned?: boolean }): Promise<VerifiedPackage>;
  /** The key id of an Ed25519 SPKI PEM public key; throws for anything else. */
  keyIdOf(publicKeyPem: string): string;
  /** Writes the files under `targetDir` (no traversal). */
  unpack(verified: VerifiedPackage, targetDir: string): Promise<void>;
}
