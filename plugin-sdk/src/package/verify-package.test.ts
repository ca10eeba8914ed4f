import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { generateSigningKeyPair, type SigningKeyPair } from './generate-signing-key-pair';
import { inspectPackage } from './inspect-package';
import { PackageError } from './package-error';
import { packPluginDirectory } from './pack-plugin-directory';
import { parsePackageManifestFile } from './package-manifest';
import { readPackageEntries } from './read-package-entries';
import { signPackage } from './sign-package';
import { verifyPackage, type TrustedKey } from './verify-package';
import { writePackageTarball } from './write-package-tarball';

const FIXTURE = join(__dirname, '__fixtures__', 'hello-plugin');

let alice: SigningKeyPair;
let mallory: SigningKeyPair;
let unsigned: Buffer;
let signed: Buffer;
const trusted = (...pairs: SigningKeyPair[]): TrustedKey[] => pairs.map(({ keyId, publicKeyPem }) => ({ keyId, publicKeyPem }));

beforeAll(async () => {
  alice = generateSigningKeyPair();
  mallory = generateSigningKeyPair();
  unsigned = await packPluginDirectory(FIXTURE);
  signed = await signPackage(unsigned, alice.privateKeyPem);
});

/** The package with its entries changed by `change` (MANIFEST.json included, left as it is unless `change` edits it). */
async function repack(pkg: Buffer, change: (files: Map<string, Buffer>) => void): Promise<Buffer> {
  const files = await readPackageEntries(pkg);
  change(files);
  return writePackageTarball(files);
}

/** Rewrites MANIFEST.json through `change` (parsed form), keeping every other entry. */
async function editManifestFile(pkg: Buffer, change: (file: { manifest: Record<string, unknown>; signature: Record<string, unknown> | null }) => void): Promise<Buffer> {
  return repack(pkg, (files) => {
    const parsed = JSON.parse((files.get('MANIFEST.json') as Buffer).toString('utf8'));
    change(parsed);
    files.set('MANIFEST.json', Buffer.from(JSON.stringify(parsed)));
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected a rejection');
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('pack → sign → verify', () => {
  it('round-trips: the verified package names the plugin, its signer and every packed file', async () => {
    const verified = await verifyPackage(signed, { trustedKeys: trusted(alice) });
    expect(verified.pluginId).toBe('hello-fixture');
    expect(verified.version).toBe('1.2.3');
    expect(verified.signer).toEqual({ keyId: alice.keyId });
    expect(verified.manifest.routes).toEqual(['/hello-fixture']);
    expect([...verified.files.keys()].sort()).toEqual(['README.md', 'index.js', 'package.json', 'plugin.json', 'ui/elements.js']);
    expect(verified.integrity).toBe(`sha512-${createHash('sha512').update(signed).digest('base64')}`);
  });

  it('signs the manifest that lists the SHA-256 of every other entry', async () => {
    const files = await readPackageEntries(signed);
    const { manifest, signature } = parsePackageManifestFile(files.get('MANIFEST.json') as Buffer);
    expect(manifest).toMatchObject({ manifestVersion: 1, plugin: 'hello-fixture', version: '1.2.3' });
    expect(Object.keys(manifest.files).sort()).toEqual([...files.keys()].filter((p) => p !== 'MANIFEST.json').sort());
    for (const [path, hash] of Object.entries(manifest.files)) expect(hash).toBe(sha256(files.get(path) as Buffer));
    expect(signature).toMatchObject({ algorithm: 'ed25519', keyId: alice.keyId });
  });

  it('packs the same folder to the same bytes', async () => {
    expect((await packPluginDirectory(FIXTURE)).equals(unsigned)).toBe(true);
  });

  it('accepts a package re-signed with another trusted key by that key', async () => {
    const resigned = await signPackage(signed, mallory.privateKeyPem);
    expect((await verifyPackage(resigned, { trustedKeys: trusted(alice, mallory) })).signer).toEqual({ keyId: mallory.keyId });
  });

  it('inspects without trusting any key and reports the claimed signer', async () => {
    const inspected = await inspectPackage(signed);
    expect(inspected.signature).toMatchObject({ keyId: alice.keyId });
    expect(inspected.signer).toEqual({ keyId: alice.keyId });
  });
});

describe('a modified package is refused with VV_PACKAGE_MODIFIED', () => {
  it('when one byte of a file changed', async () => {
    const tampered = await repack(signed, (files) => {
      const main = Buffer.from(files.get('index.js') as Buffer);
      main[main.length - 2] ^= 0x01;
      files.set('index.js', main);
    });
    const error = await verifyPackage(tampered, { trustedKeys: trusted(alice) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageError);
    expect(error).toMatchObject({ code: 'VV_PACKAGE_MODIFIED', status: 422, extensions: { path: 'index.js' } });
  });

  it('when a file was added', async () => {
    const tampered = await repack(signed, (files) => files.set('lib/extra.js', Buffer.from('module.exports = 1;\n')));
    await expect(codeOf(verifyPackage(tampered, { trustedKeys: trusted(alice) }))).resolves.toBe('VV_PACKAGE_MODIFIED');
  });

  it('when a listed file was removed', async () => {
    const tampered = await repack(signed, (files) => files.delete('README.md'));
    await expect(codeOf(verifyPackage(tampered, { trustedKeys: trusted(alice) }))).resolves.toBe('VV_PACKAGE_MODIFIED');
  });

  it('when MANIFEST.json names another plugin id than plugin.json', async () => {
    const tampered = await editManifestFile(unsigned, (file) => (file.manifest.plugin = 'other-plugin'));
    await expect(codeOf(verifyPackage(tampered, { trustedKeys: [], allowUnsigned: true }))).resolves.toBe('VV_PACKAGE_MODIFIED');
  });

  it('when plugin.json says another version (re-hashed, so only the identity check catches it)', async () => {
    const tampered = await repack(unsigned, (files) => {
      const pluginJson = Buffer.from((files.get('plugin.json') as Buffer).toString('utf8').replace('"1.2.3"', '"9.9.9"'));
      files.set('plugin.json', pluginJson);
      const parsed = JSON.parse((files.get('MANIFEST.json') as Buffer).toString('utf8'));
      parsed.manifest.files['plugin.json'] = sha256(pluginJson);
      files.set('MANIFEST.json', Buffer.from(JSON.stringify(parsed)));
    });
    const error = await verifyPackage(tampered, { trustedKeys: [], allowUnsigned: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VV_PACKAGE_MODIFIED', extensions: { path: 'plugin.json' } });
  });

  it('when package.json says another version', async () => {
    const tampered = await repack(unsigned, (files) => {
      const packageJson = Buffer.from((files.get('package.json') as Buffer).toString('utf8').replace('"1.2.3"', '"1.2.4"'));
      files.set('package.json', packageJson);
      const parsed = JSON.parse((files.get('MANIFEST.json') as Buffer).toString('utf8'));
      parsed.manifest.files['package.json'] = sha256(packageJson);
      files.set('MANIFEST.json', Buffer.from(JSON.stringify(parsed)));
    });
    await expect(codeOf(verifyPackage(tampered, { trustedKeys: [], allowUnsigned: true }))).resolves.toBe('VV_PACKAGE_MODIFIED');
  });

  it('and is never signed', async () => {
    const tampered = await repack(unsigned, (files) => files.set('extra.txt', Buffer.from('x')));
    await expect(codeOf(signPackage(tampered, alice.privateKeyPem))).resolves.toBe('VV_PACKAGE_MODIFIED');
  });
});

describe('signatures', () => {
  it('a signature made with another key but naming a trusted key id is VV_SIGNATURE_INVALID', async () => {
    const byMallory = await signPackage(unsigned, mallory.privateKeyPem);
    const forged = await editManifestFile(byMallory, (file) => ((file.signature as Record<string, unknown>).keyId = alice.keyId));
    await expect(codeOf(verifyPackage(forged, { trustedKeys: trusted(alice) }))).resolves.toBe('VV_SIGNATURE_INVALID');
  });

  it('a corrupted signature is VV_SIGNATURE_INVALID', async () => {
    const corrupted = await editManifestFile(signed, (file) => {
      const value = Buffer.from((file.signature as { value: string }).value, 'base64');
      value[0] ^= 0xff;
      (file.signature as Record<string, unknown>).value = value.toString('base64');
    });
    await expect(codeOf(verifyPackage(corrupted, { trustedKeys: trusted(alice) }))).resolves.toBe('VV_SIGNATURE_INVALID');
  });

  it('a manifest changed after signing (hashes recomputed to match) is VV_SIGNATURE_INVALID', async () => {
    const changed = await repack(signed, (files) => {
      const readme = Buffer.from('# Replaced\n');
      files.set('README.md', readme);
      const parsed = JSON.parse((files.get('MANIFEST.json') as Buffer).toString('utf8'));
      parsed.manifest.files['README.md'] = sha256(readme);
      files.set('MANIFEST.json', Buffer.from(JSON.stringify(parsed)));
    });
    await expect(codeOf(verifyPackage(changed, { trustedKeys: trusted(alice) }))).resolves.toBe('VV_SIGNATURE_INVALID');
  });

  it('a valid signature by a key that is not trusted is VV_SIGNER_UNTRUSTED, naming the key', async () => {
    const error = await verifyPackage(signed, { trustedKeys: trusted(mallory) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VV_SIGNER_UNTRUSTED', extensions: { keyId: alice.keyId } });
  });

  it('a trusted-key entry labelled with another key id does not vouch for that key', async () => {
    await expect(codeOf(verifyPackage(signed, { trustedKeys: [{ keyId: alice.keyId, publicKeyPem: mallory.publicKeyPem }] }))).resolves.toBe('VV_SIGNER_UNTRUSTED');
  });

  it('an unsigned package is VV_SIGNATURE_INVALID unless allowUnsigned, and then has no signer', async () => {
    await expect(codeOf(verifyPackage(unsigned, { trustedKeys: trusted(alice) }))).resolves.toBe('VV_SIGNATURE_INVALID');
    const verified = await verifyPackage(unsigned, { trustedKeys: [], allowUnsigned: true });
    expect(verified.signer).toBeNull();
    expect(verified.pluginId).toBe('hello-fixture');
  });

  it('allowUnsigned does not excuse a bad signature', async () => {
    const corrupted = await editManifestFile(signed, (file) => ((file.signature as Record<string, unknown>).value = Buffer.alloc(64).toString('base64')));
    await expect(codeOf(verifyPackage(corrupted, { trustedKeys: trusted(alice), allowUnsigned: true }))).resolves.toBe('VV_SIGNATURE_INVALID');
  });

  it('refuses to sign with a key that is not Ed25519', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await expect(codeOf(signPackage(unsigned, rsa.privateKey))).resolves.toBe('VV_SIGNATURE_INVALID');
  });
});

describe('a package that is not one is VV_PACKAGE_INVALID', () => {
  it('without MANIFEST.json', async () => {
    const bare = await repack(unsigned, (files) => files.delete('MANIFEST.json'));
    await expect(codeOf(inspectPackage(bare))).resolves.toBe('VV_PACKAGE_INVALID');
  });

  it('without plugin.json', async () => {
    const bare = await repack(unsigned, (files) => files.delete('plugin.json'));
    await expect(codeOf(inspectPackage(bare))).resolves.toBe('VV_PACKAGE_INVALID');
  });

  it('without the ui elements file its plugin.json names (even when MANIFEST.json agrees)', async () => {
    const bare = await editManifestFile(unsigned, (file) => delete (file.manifest.files as Record<string, string>)['ui/elements.js']);
    const withoutUi = await repack(bare, (files) => files.delete('ui/elements.js'));
    await expect(inspectPackage(withoutUi)).rejects.toMatchObject({ code: 'VV_PACKAGE_INVALID', extensions: { path: 'ui/elements.js' } });
  });

  it('with a MANIFEST.json of another shape', async () => {
    const odd = await editManifestFile(unsigned, (file) => Object.assign(file, { trustMe: true }));
    await expect(codeOf(inspectPackage(odd))).resolves.toBe('VV_PACKAGE_INVALID');
  });

  it('with a plugin.json the kernel would refuse (VV_MANIFEST_INVALID, the kernel validator)', async () => {
    const bad = await repack(unsigned, (files) => {
      const pluginJson = Buffer.from((files.get('plugin.json') as Buffer).toString('utf8').replace('"routes"', '"rootes"'));
      files.set('plugin.json', pluginJson);
      const parsed = JSON.parse((files.get('MANIFEST.json') as Buffer).toString('utf8'));
      parsed.manifest.files['plugin.json'] = sha256(pluginJson);
      files.set('MANIFEST.json', Buffer.from(JSON.stringify(parsed)));
    });
    await expect(codeOf(inspectPackage(bad))).resolves.toBe('VV_MANIFEST_INVALID');
  });
});
