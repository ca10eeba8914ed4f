import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { ScureBase32Plugin, generateSecret, generateSync, generateURI, verifySync } from 'otplib';

// RFC 6238 TOTP over RFC 4226 HOTP with HMAC-SHA1, 30-second steps and 6 digits (what authenticator apps use), by
// otplib with node:crypto for the HMAC. Secrets are RFC 4648 base32 without padding, as before, so stored secrets
// keep working.

const crypto = new NodeCryptoPlugin();
const base32 = new ScureBase32Plugin();

/** RFC 4648 base32 without padding (the `secret` of an otpauth:// URI). */
export function base32Encode(bytes: Uint8Array): string {
  return base32.encode(bytes);
}

/** The bytes of an RFC 4648 base32 text, in any case, padded or not. */
export function base32Decode(text: string): Buffer {
  return Buffer.from(base32.decode(text.replace(/=+$/, '')));
}

/** HOTP value of `counter` (RFC 4226 §5.3, dynamic truncation). */
export function hotp(key: Uint8Array, counter: number, digits: 6 | 7 | 8 = 6, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  return generateSync({ strategy: 'hotp', secret: key, counter, digits, algorithm, crypto });
}

export const TOTP_STEP_SECONDS = 30;

/**
 * The time step whose code matches, trying the current step and one either side (clock drift), or undefined.
 * The caller must refuse a step it accepted before (replay).
 */
export function verifyTotp(secretBase32: string, code: string, atMs = Date.now(), window = 1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const result = verifySync({
    secret: secretBase32,
    token: code,
    epoch: Math.floor(atMs / 1000),
    period: TOTP_STEP_SECONDS,
    epochTolerance: window * TOTP_STEP_SECONDS,
    crypto,
    base32,
  });
  // The strategy is TOTP, so a valid result carries its time step (the type is the union with HOTP's).
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** A new 160-bit secret, base32. */
export function generateTotpSecret(): string {
  return generateSecret({ length: 20, crypto, base32 });
}

/** `otpauth://` URI for QR codes (Key Uri Format). */
export function otpauthUri(secretBase32: string, account: string, issuer = 'ValueVerse'): string {
  return generateURI({ issuer, label: account, secret: secretBase32, algorithm: 'sha1', digits: 6, period: TOTP_STEP_SECONDS });
}
