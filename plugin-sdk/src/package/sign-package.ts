import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { inspectPackage } from './inspect-package';
import { keyIdOf } from './key-id-of';
import { PackageError } from './package-error';
import { MANIFEST_FILE, type PackageManifestFile } from './package-manifest';
import { writePackageTarball } from './write-package-tarball';

function privateKey(privateKeyPem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new PackageError('VV_SIGNATURE_INVALID', 'the signing key is not a PEM private key', {}, error);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new PackageError('VV_SIGNATURE_INVALID', `the signing key is ${key.asymmetricKeyType ?? 'of unknown type'}, not Ed25519`);
  return key;
}

/**
 * Signs a package: checks it as `inspectPackage` does (a modified package is never signed), then rewrites
 * `MANIFEST.json` with an Ed25519 signature over `canonicalJson(manifest)`. A package signed before is re-signed.
 *
 * @example
 * const signed = await signPackage(await packPluginDirectory('plugins/my-plugin'), readFileSync('key.pem', 'utf8'));
 *
 * @param privateKeyPem PKCS#8 PEM of an Ed25519 key (`generateSigningKeyPair`)
 * @throws PackageError `VV_PACKAGE_INVALID`/`VV_PACKAGE_MODIFIED` for the package, `VV_SIGNATURE_INVALID` for a key that is not Ed25519
 */
export async function signPackage(pkg: Buffer, privateKeyPem: string): Promise<Buffer> {
  const key = privateKey(privateKeyPem);
  const inspected = await inspectPackage(pkg);
  const manifest = inspected.packageManifest;
  const keyId = keyIdOf(createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string);
  const value = sign(null, Buffer.from(canonicalJson(manifest), 'utf8'), key).toString('base64');
  const manifestFile: PackageManifestFile = { manifest, signature: { algorithm: 'ed25519', keyId, value } };
  const files = new Map(inspected.files);
  files.set(MANIFEST_FILE, Buffer.from(`${JSON.stringify(manifestFile, null, 2)}\n`, 'utf8'));
  return writePackageTarball(files);
}
