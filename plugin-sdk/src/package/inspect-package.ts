import { createHash } from 'node:crypto';
import { validateManifest } from '../manifest/validate-manifest';
import { PackageError } from './package-error';
import { packageIntegrity } from './package-integrity';
import { packagePathOf } from './package-path-of';
import { MANIFEST_FILE, parsePackageManifestFile } from './package-manifest';
import { readPackageEntries } from './read-package-entries';
import type { InspectedPackage } from './verified-package';

function parseJson(bytes: Buffer, name: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new PackageError('VV_PACKAGE_INVALID', `${name} is not JSON`, { path: name });
  }
}

function modified(reason: string, path?: string): PackageError {
  return new PackageError('VV_PACKAGE_MODIFIED', reason, path === undefined ? {} : { path });
}

/**
 * Reads a package and checks everything but the signature: a safe gzip'ed tar within the limits, `MANIFEST.json`
 * listing exactly the other entries with their SHA-256, the plugin id and version of MANIFEST.json equal to
 * plugin.json's (and package.json's version), and plugin.json valid by `validateManifest` with its `main` (and `ui.elements`) inside.
 * For registries (which check the signature against the publisher's keys with `verifySignatureWith`) and tools;
 * a host installs only what `verifyPackage` accepts.
 *
 * @throws PackageError `VV_PACKAGE_INVALID` or `VV_PACKAGE_MODIFIED`; VvError `VV_MANIFEST_INVALID` for a bad plugin.json
 */
export async function inspectPackage(pkg: Buffer): Promise<InspectedPackage> {
  const entries = await readPackageEntries(pkg);
  const manifestBytes = entries.get(MANIFEST_FILE);
  if (manifestBytes === undefined) throw new PackageError('VV_PACKAGE_INVALID', `no ${MANIFEST_FILE}: the package was not made by "vv-plugin pack"`);
  const { manifest: packageManifest, signature } = parsePackageManifestFile(manifestBytes);
  const files = new Map(entries);
  files.delete(MANIFEST_FILE);
  for (const name of ['plugin.json', 'package.json']) {
    if (!files.has(name)) throw new PackageError('VV_PACKAGE_INVALID', `no ${name} in the package`, { path: name });
  }

  // Integrity before anything else is read from the content: a tampered package is reported as such, whatever else is wrong with it.
  const listed = packageManifest.files;
  for (const [path, bytes] of files) {
    if (!Object.hasOwn(listed, path)) throw modified(`"${path}" is not listed in ${MANIFEST_FILE}`, path);
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== listed[path]) throw modified(`"${path}" does not match its SHA-256 in ${MANIFEST_FILE}`, path);
  }
  for (const path of Object.keys(listed)) {
    if (!files.has(path)) throw modified(`"${path}" is listed in ${MANIFEST_FILE} but missing`, path);
  }

  const pluginJson = parseJson(files.get('plugin.json') as Buffer, 'plugin.json') as { id?: unknown; version?: unknown };
  const packageJson = parseJson(files.get('package.json') as Buffer, 'package.json') as { version?: unknown };
  if (pluginJson?.id !== packageManifest.plugin)
    throw modified(`plugin.json names plugin ${JSON.stringify(pluginJson?.id)}, ${MANIFEST_FILE} "${packageManifest.plugin}"`, 'plugin.json');
  if (pluginJson.version !== packageManifest.version) {
    throw modified(`plugin.json has version ${JSON.stringify(pluginJson.version)}, ${MANIFEST_FILE} "${packageManifest.version}"`, 'plugin.json');
  }
  if (packageJson?.version !== packageManifest.version) {
    throw modified(`package.json has version ${JSON.stringify(packageJson?.version)}, ${MANIFEST_FILE} "${packageManifest.version}"`, 'package.json');
  }

  const manifest = validateManifest(pluginJson, `${packageManifest.plugin}@${packageManifest.version}/plugin.json`);
  for (const [key, path] of [['main', manifest.main] as const, ['ui.elements', manifest.ui?.elements] as const]) {
    if (path !== undefined && !files.has(packagePathOf(path))) throw new PackageError('VV_PACKAGE_INVALID', `the manifest's ${key} file "${path}" is not in the package`, { path });
  }

  return {
    pluginId: manifest.id,
    version: manifest.version,
    manifest,
    files,
    signer: signature === null ? null : { keyId: signature.keyId },
    integrity: packageIntegrity(pkg),
    signature,
    packageManifest,
  };
}
