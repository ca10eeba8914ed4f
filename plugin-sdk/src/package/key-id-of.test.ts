import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { generateSigningKeyPair } from './generate-signing-key-pair';
import { keyIdOf } from './key-id-of';

describe('keyIdOf', () => {
  it('is the first 16 hex characters of SHA-256 over the raw 32-byte public key', () => {
    const { keyId, publicKeyPem, privateKeyPem } = generateSigningKeyPair();
    const raw = Buffer.from(createPublicKey(publicKeyPem).export({ format: 'jwk' }).x as string, 'base64url');
    expect(raw).toHaveLength(32);
    expect(keyId).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(keyIdOf(publicKeyPem)).toBe(keyId);
    expect(keyIdOf(privateKeyPem)).toBe(keyId);
  });

  it('differs between keys', () => {
    expect(generateSigningKeyPair().keyId).not.toBe(generateSigningKeyPair().keyId);
  });

  it('refuses what is not an Ed25519 key with VV_VALIDATION at /publicKeyPem', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    expect(() => keyIdOf(rsa.publicKey)).toThrow(expect.objectContaining({ code: 'VV_VALIDATION', errors: [expect.objectContaining({ pointer: '/publicKeyPem' })] }));
    expect(() => keyIdOf('not a key')).toThrow(expect.objectContaining({ code: 'VV_VALIDATION' }));
  });
});
