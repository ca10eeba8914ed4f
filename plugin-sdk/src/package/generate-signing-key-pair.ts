import { generateKeyPairSync } from 'node:crypto';
import { keyIdOf } from './key-id-of';

/** An Ed25519 key pair for signing packages, as PEM text. */
export interface SigningKeyPair {
  readonly keyId: string;
  /** PKCS#8 PEM: keep it secret (files holding it are written with mode 0600). */
  readonly privateKeyPem: string;
  /** SPKI PEM: register it with the registry and give it to the operators who should trust your packages. */
  readonly publicKeyPem: string;
}

/**
 * Generates an Ed25519 key pair for `signPackage`.
 *
 * @example
 * const { keyId, privateKeyPem, publicKeyPem } = generateSigningKeyPair();
 */
export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { keyId: keyIdOf(publicKey), privateKeyPem: privateKey, publicKeyPem: publicKey };
}
