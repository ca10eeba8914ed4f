import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { VvError } from '../errors/vv-error';

/** Parses an Ed25519 public key (SPKI PEM); anything else is a `VV_VALIDATION` problem at `/publicKeyPem`. */
export function ed25519PublicKey(publicKeyPem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (error) {
    throw new VvError('VV_VALIDATION', {
      detail: 'Not a PEM public key',
      errors: [{ pointer: '/publicKeyPem', message: 'must be an Ed25519 public key (SPKI PEM)' }],
      cause: error,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new VvError('VV_VALIDATION', {
      detail: `Not an Ed25519 key (${key.asymmetricKeyType ?? 'unknown type'})`,
      errors: [{ pointer: '/publicKeyPem', message: 'must be an Ed25519 public key (SPKI PEM)' }],
    });
  }
  return key;
}

/**
 * The id of an Ed25519 public key: the first 16 hex characters of SHA-256 over the raw 32-byte key (the last 32
 * bytes of its SPKI DER). Short enough to read aloud, and what `MANIFEST.json` names as the signer.
 *
 * @param publicKeyPem SPKI PEM (`-----BEGIN PUBLIC KEY-----`); a private key PEM is accepted too, its public half is used
 * @throws VvError `VV_VALIDATION` when the PEM is not an Ed25519 key
 */
export function keyIdOf(publicKeyPem: string): string {
  const der = ed25519PublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256')
    .update(der.subarray(der.length - 32))
    .digest('hex')
    .slice(0, 16);
}
