import { PackageError } from './package-error';

/** The name of the signed manifest inside a package (under `package/`). */
export const MANIFEST_FILE = 'MANIFEST.json';

/** The signed part of `MANIFEST.json`: which plugin and version, and the SHA-256 of every other entry. */
export interface PackageManifest {
  readonly manifestVersion: 1;
  readonly plugin: string;
  readonly version: string;
  /** Path relative to `package/` → lower-case hex SHA-256 of its bytes; every entry except `MANIFEST.json`. */
  readonly files: Readonly<Record<string, string>>;
}

/** An Ed25519 signature over `canonicalJson(manifest)`. */
export interface PackageSignature {
  readonly algorithm: 'ed25519';
  /** `keyIdOf` the signing key's public half. */
  readonly keyId: string;
  /** Base64 of the 64-byte signature. */
  readonly value: string;
}

/** The content of `package/MANIFEST.json`. */
export interface PackageManifestFile {
  readonly manifest: PackageManifest;
  readonly signature: PackageSignature | null;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(reason: string): PackageError {
  return new PackageError('VV_PACKAGE_INVALID', `MANIFEST.json ${reason}`);
}

function onlyKeys(value: Record<string, unknown>, keys: readonly string[], where: string): void {
  const extra = Object.keys(value).filter((key) => !keys.includes(key));
  if (extra.length > 0) throw invalid(`has unknown key(s) ${extra.map((k) => `"${k}"`).join(', ')} in ${where}`);
}

/**
 * Reads `MANIFEST.json` strictly: unknown keys are refused, since anything outside the signed `manifest` would be
 * data a verifier trusts without a signature covering it.
 *
 * @throws PackageError `VV_PACKAGE_INVALID` when it is not JSON or not of the documented shape
 */
export function parsePackageManifestFile(bytes: Buffer): PackageManifestFile {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('is not JSON');
  }
  if (!isRecord(raw)) throw invalid('is not an object');
  onlyKeys(raw, ['manifest', 'signature'], '(root)');
  const { manifest, signature } = raw;
  if (!isRecord(manifest)) throw invalid('has no "manifest" object');
  onlyKeys(manifest, ['manifestVersion', 'plugin', 'version', 'files'], '"manifest"');
  if (manifest.manifestVersion !== 1) throw invalid(`has manifestVersion ${JSON.stringify(manifest.manifestVersion)}; this SDK reads version 1`);
  if (typeof manifest.plugin !== 'string' || manifest.plugin === '') throw invalid('has no "manifest.plugin" string');
  if (typeof manifest.version !== 'string' || manifest.version === '') throw invalid('has no "manifest.version" string');
  if (!isRecord(manifest.files)) throw invalid('has no "manifest.files" object');
  for (const [path, hash] of Object.entries(manifest.files)) {
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) throw invalid(`lists "${path}" without a SHA-256 hex digest`);
  }
  if (signature !== null) {
    if (!isRecord(signature)) throw invalid('has a "signature" that is neither null nor an object');
    onlyKeys(signature, ['algorithm', 'keyId', 'value'], '"signature"');
    if (signature.algorithm !== 'ed25519') throw invalid(`has signature algorithm ${JSON.stringify(signature.algorithm)}; only "ed25519" is accepted`);
    if (typeof signature.keyId !== 'string' || !KEY_ID.test(signature.keyId)) throw invalid('has a signature keyId that is not 16 hex characters');
    if (typeof signature.value !== 'string' || !BASE64.test(signature.value)) throw invalid('has a signature value that is not base64');
  }
  return raw as unknown as PackageManifestFile;
}
