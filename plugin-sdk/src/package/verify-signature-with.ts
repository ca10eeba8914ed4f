import { verify } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { ed25519PublicKey } from './key-id-of';
import type { PackageSignature } from './package-manifest';

/**
 * Checks an Ed25519 package signature over `canonicalJson(manifestJson)` with one public key. Does not compare key
 * ids: the caller picks the key (e.g. the registry, by the publisher's keys with `keyIdOf(pem) === signature.keyId`).
 *
 * @param manifestJson the signed `manifest` member of MANIFEST.json
 * @param publicKeyPem SPKI PEM
 * @returns false for a wrong key, a changed manifest or a malformed signature; never throws for those
 * @throws VvError `VV_VALIDATION` when `publicKeyPem` is not an Ed25519 public key
 */
export function verifySignatureWith(pkgSignature: PackageSignature, manifestJson: unknown, publicKeyPem: string): boolean {
  const key = ed25519PublicKey(publicKeyPem);
  if (pkgSignature.algorithm !== 'ed25519') return false;
  const signature = Buffer.from(pkgSignature.value, 'base64');
  if (signature.length !== 64) return false;
  let bytes: Buffer;
  try {
    bytes = Buffer.from(canonicalJson(manifestJson), 'utf8');
  } catch {
    return false;
  }
  return verify(null, bytes, key, signature);
}
