import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundlePluginMain, isHostProvidedPackage } from './bundle-plugin-main';
import { checkPluginDirectory } from './check-plugin-directory';
import { MANIFEST_FILE, type PackageManifestFile } from './package-manifest';
import { packagePathOf } from './package-path-of';
import { writePackageTarball } from './write-package-tarball';

/** package.json members that describe the package; scripts (install hooks!), workspaces and exports are dropped. */
const KEPT_PACKAGE_FIELDS = ['name', 'version', 'description', 'license', 'author', 'contributors', 'homepage', 'repository', 'bugs', 'keywords'];
/** Top-level documents packed as they are, matched case-insensitively. */
const DOCUMENTS = /^(readme|license|licence|changelog)(\.(md|txt|markdown))?$/i;

function keptDependencies(deps: unknown): Record<string, string> | undefined {
  if (typeof deps !== 'object' || deps === null) return undefined;
  const kept = Object.entries(deps as Record<string, string>).filter(([name]) => isHostProvidedPackage(name));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/**
 * Packs a plugin folder into a package (`.vvpkg` bytes) with an unsigned `MANIFEST.json`: the main module bundled
 * with esbuild (everything but `HOST_PROVIDED_MODULES`: the SDK, other plugins' `/api` entries, `@mikro-orm/core`), plugin.json,
 * package.json reduced to its descriptive fields and the host-provided dependencies, README/LICENSE/CHANGELOG, and
 * the `ui.elements` file when the manifest names one. A `.ts` main is packed as the `.js` file of the same name, and a
 * main such as `./index.js` under its plain path (`index.js`); plugin.json's `main` then says so. Sign the result with `signPackage`.
 *
 * @example
 * writeFileSync('my-plugin-1.0.0.vvpkg', await signPackage(await packPluginDirectory('.'), privateKeyPem));
 *
 * @throws VvError `VV_MANIFEST_INVALID`; PackageError `VV_PACKAGE_INVALID` (package.json, code that does not bundle)
 */
export async function packPluginDirectory(dir: string): Promise<Buffer> {
  const { dir: root, manifest, packageJson } = await checkPluginDirectory(dir);
  const main = packagePathOf(manifest.main).replace(/\.ts$/, '.js');
  const files = new Map<string, Buffer>();

  files.set(main, await bundlePluginMain(root, manifest.main));
  files.set('plugin.json', main === manifest.main ? await readFile(join(root, 'plugin.json')) : Buffer.from(`${JSON.stringify({ ...manifest, main }, null, 2)}\n`));

  const packed: Record<string, unknown> = {};
  for (const field of KEPT_PACKAGE_FIELDS) if (packageJson[field] !== undefined) packed[field] = packageJson[field];
  // The bundle is CommonJS whatever the source was: "type": "module" would make Node read it as ESM.
  Object.assign(packed, { type: 'commonjs', main });
  const dependencies = keptDependencies(packageJson.dependencies);
  if (dependencies) packed.dependencies = dependencies;
  files.set('package.json', Buffer.from(`${JSON.stringify(packed, null, 2)}\n`));

  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isFile() && DOCUMENTS.test(entry.name)) files.set(entry.name, await readFile(join(root, entry.name)));
  }
  if (manifest.ui?.elements !== undefined) files.set(packagePathOf(manifest.ui.elements), await readFile(join(root, manifest.ui.elements)));

  const hashes: Record<string, string> = {};
  for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) hashes[path] = createHash('sha256').update(bytes).digest('hex');
  const manifestFile: PackageManifestFile = { manifest: { manifestVersion: 1, plugin: manifest.id, version: manifest.version, files: hashes }, signature: null };
  files.set(MANIFEST_FILE, Buffer.from(`${JSON.stringify(manifestFile, null, 2)}\n`));
  return writePackageTarball(files);
}
