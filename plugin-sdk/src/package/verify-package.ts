import { inspectPackage } from './inspect-package';
import { keyIdOf } from './key-id-of';
import { PackageError } from './package-error';
import type { VerifiedPackage } from './verified-package';
import { verifySignatureWith } from './verify-signature-with';

/** A public key the caller trusts to sign packages. */
export interface TrustedKey {
  readonly keyId: string;
  /** SPKI PEM. */
  readonly publicKeyPem: string;
}

/** Options of `verifyPackage`. */
export interface VerifyPackageOptions {
  readonly trustedKeys: readonly TrustedKey[];
  /** Accept an unsigned package (its `signer` is then null). Signed packages are verified either way. */
  readonly allowUnsigned?: boolean;
}

/**
 * Everything a host checks before installing a package: `inspectPackage`'s structure, hashes and identity, then the
 * signature against the trusted keys. Keys are matched by the id computed from their PEM, so a trusted-key entry
 * with a wrong `keyId` label cannot vouch for another key's signatures.
 *
 * @example
 * const verified = await verifyPackage(bytes, { trustedKeys: [{ keyId, publicKeyPem }] });
 * await unpackPackage(verified, `${dataDir}/plugins/${verified.pluginId}/${verified.version}`);
 *
 * @throws PackageError `VV_PACKAGE_INVALID`, `VV_PACKAGE_MODIFIED`, `VV_SIGNATURE_INVALID` (bad or missing
 *   signature), `VV_SIGNER_UNTRUSTED` (signed by a key not in `trustedKeys`); VvError `VV_MANIFEST_INVALID`
 */
export async function verifyPackage(pkg: Buffer, opts: VerifyPackageOptions): Promise<VerifiedPackage> {
  const inspected = await inspectPackage(pkg);
  const { signature, packageManifest } = inspected;
  const verified: VerifiedPackage = {
    pluginId: inspected.pluginId,
    version: inspected.version,
    manifest: inspected.manifest,
    files: inspected.files,
    signer: null,
    integrity: inspected.integrity,
  };
  const subject = { plugin: inspected.pluginId, version: inspected.version };
  if (signature === null) {
    if (opts.allowUnsigned === true) return verified;
    throw new PackageError('VV_SIGNATURE_INVALID', `${subject.plugin}@${subject.version} is not signed`, subject);
  }
  const key = opts.trustedKeys.find((candidate) => keyIdOf(candidate.publicKeyPem) === signature.keyId);
  if (key === undefined) {
    throw new PackageError('VV_SIGNER_UNTRUSTED', `${subject.plugin}@${subject.version} is signed by key ${signature.keyId}, which is not trusted`, {
      ...subject,
      keyId: signature.keyId,
    });
  }
  if (!verifySignatureWith(signature, packageManifest, key.publicKeyPem)) {
    throw new PackageError('VV_SIGNATURE_INVALID', `the signature of ${subject.plugin}@${subject.version} does not verify with key ${signature.keyId}`, {
      ...subject,
      keyId: signature.keyId,
    });
  }
  return { ...verified, signer: { keyId: signature.keyId } };
}
