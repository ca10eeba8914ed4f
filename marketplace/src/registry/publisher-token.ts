import { createHash, randomBytes } from 'node:crypto';

/** Publisher tokens start with this, so a bearer credential tells at once whether it is one (kernel API keys: `vvk_`). */
export const PUBLISHER_TOKEN_PREFIX = 'vvpub_';

/** A new publisher token: the prefix and 32 random bytes (base64url). Shown once; only its hash is stored. */
export function newPublisherToken(): string {
  return `${PUBLISHER_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * SHA-256 (hex) of a token: what the registry stores and looks tokens up by. A fast hash is enough for 256 random
 * bits (nothing to guess); a slow password hash would only slow every publish down.
 */
export function publisherTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isPublisherToken(credential: string): boolean {
  return credential.startsWith(PUBLISHER_TOKEN_PREFIX);
}
