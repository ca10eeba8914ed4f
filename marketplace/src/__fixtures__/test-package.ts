import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { canonicalJson, keyIdOf, MANIFEST_FILE, signPackage, writePackageTarball, type PackageManifestFile } from '@valueverse/plugin-sdk/package';

export interface TestPackageOptions {
  readonly id: string;
  readonly version: string;
  readonly kernel?: string;
  readonly keywords?: readonly string[];
  readonly description?: string;
  readonly readme?: string;
  readonly icon?: { readonly name: 'icon.svg' | 'icon.png'; readonly bytes: Buffer };
  /** Merged over the generated plugin.json (e.g. an unknown key, to make it invalid). */
  readonly manifest?: Record<string, unknown>;
}

/** The files of a small plugin package (what `vv-plugin pack` makes of a folder), without MANIFEST.json. */
export function testPackageFiles(options: TestPackageOptions): Map<string, Buffer> {
  const manifest = {
    id: options.id,
    version: options.version,
    displayName: `Plugin ${options.id}`,
    description: options.description ?? `The ${options.id} test plugin`,
    kernel: options.kernel ?? '^1.0.0',
    main: 'dist/index.js',
    routes: [`/${options.id}`],
    permissions: [`events.publish:${options.id}.*`],
    ...options.manifest,
  };
  const files = new Map<string, Buffer>([
    ['plugin.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)],
    [
      'package.json',
      Buffer.from(JSON.stringify({ name: `@acme/${options.id}`, version: options.version, keywords: options.keywords ?? [], type: 'commonjs', main: 'dist/index.js' })),
    ],
    ['dist/index.js', Buffer.from(`"use strict";\nexports.default = { setup() {} };\n`)],
  ]);
  if (options.readme !== undefined) files.set('README.md', Buffer.from(options.readme));
  if (options.icon) files.set(options.icon.name, options.icon.bytes);
  return files;
}

/** A package file of `files` with an unsigned MANIFEST.json listing each file's SHA-256. */
export function packFiles(files: ReadonlyMap<string, Buffer>, identity?: { plugin: string; version: string }, privateKeyPem?: string): Buffer {
  const manifest = JSON.parse(files.get('plugin.json')!.toString('utf8')) as { id: string; version: string };
  const hashes: Record<string, string> = {};
  for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) hashes[path] = createHash('sha256').update(bytes).digest('hex');
  const manifestFile: PackageManifestFile = {
    manifest: { manifestVersion: 1, plugin: identity?.plugin ?? manifest.id, version: identity?.version ?? manifest.version, files: hashes },
    signature: null,
  };
  if (privateKeyPem !== undefined) {
    // Signed here rather than by `signPackage`, which checks the package first and so cannot sign a bad plugin.json.
    const key = createPrivateKey(privateKeyPem);
    const publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    const value = sign(null, Buffer.from(canonicalJson(manifestFile.manifest), 'utf8'), key).toString('base64');
    Object.assign(manifestFile, { signature: { algorithm: 'ed25519', keyId: keyIdOf(publicKeyPem), value } });
  }
  return writePackageTarball(new Map([...files, [MANIFEST_FILE, Buffer.from(JSON.stringify(manifestFile))]]));
}

/** A signed package of a small plugin. */
export function signedTestPackage(options: TestPackageOptions, privateKeyPem: string): Promise<Buffer> {
  return signPackage(packFiles(testPackageFiles(options)), privateKeyPem);
}
