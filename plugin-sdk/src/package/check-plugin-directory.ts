import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VvError } from '../errors/vv-error';
import type { PluginManifest } from '../manifest/plugin-manifest';
import { validateManifest } from '../manifest/validate-manifest';
import { PackageError } from './package-error';

/** A plugin folder that `vv-plugin validate` accepts and `packPluginDirectory` can pack. */
export interface CheckedPluginDirectory {
  /** Absolute path of the folder. */
  readonly dir: string;
  readonly manifest: PluginManifest;
  /** The parsed package.json. */
  readonly packageJson: Readonly<Record<string, unknown>>;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readJson(path: string, name: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PackageError('VV_PACKAGE_INVALID', `no readable ${name} in ${resolve(path, '..')}`, { path: name }, error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    if (name === 'plugin.json') {
      throw new VvError('VV_MANIFEST_INVALID', {
        params: { plugin: path, source: path, problems: 'not JSON' },
        errors: [{ pointer: '', message: 'is not JSON', in: 'manifest' }],
        cause: error,
      });
    }
    throw new PackageError('VV_PACKAGE_INVALID', `${name} is not JSON`, { path: name }, error);
  }
}

/**
 * Checks a plugin folder before packing: plugin.json valid by `validateManifest` (the kernel's own check), its
 * `main` (and `ui.elements`, when named) present, and package.json present with the same version.
 *
 * @throws VvError `VV_MANIFEST_INVALID` for plugin.json and a missing main or ui file; PackageError
 *   `VV_PACKAGE_INVALID` for a missing or disagreeing package.json
 */
export async function checkPluginDirectory(dir: string): Promise<CheckedPluginDirectory> {
  const root = resolve(dir);
  const source = join(root, 'plugin.json');
  const manifest = validateManifest(await readJson(source, 'plugin.json'), source);
  const missing = [
    ...((await isFile(join(root, manifest.main))) ? [] : [{ pointer: '/main', message: `"${manifest.main}" does not exist in ${root} (build the plugin first?)` }]),
    ...(manifest.ui?.elements === undefined || (await isFile(join(root, manifest.ui.elements)))
      ? []
      : [{ pointer: '/ui/elements', message: `"${manifest.ui.elements}" does not exist in ${root}` }]),
  ];
  if (missing.length > 0) {
    throw new VvError('VV_MANIFEST_INVALID', {
      params: { plugin: manifest.id, source, problems: missing.map((p) => `${p.pointer} ${p.message}`).join('; ') },
      errors: missing.map((p) => ({ ...p, in: 'manifest' as const })),
    });
  }
  const packageJson = await readJson(join(root, 'package.json'), 'package.json');
  if (typeof packageJson !== 'object' || packageJson === null || Array.isArray(packageJson))
    throw new PackageError('VV_PACKAGE_INVALID', 'package.json is not an object', { path: 'package.json' });
  const version = (packageJson as { version?: unknown }).version;
  if (version !== manifest.version) {
    throw new PackageError('VV_PACKAGE_INVALID', `package.json has version ${JSON.stringify(version)} but plugin.json has "${manifest.version}"; they must agree`, {
      path: 'package.json',
    });
  }
  return { dir: root, manifest, packageJson: packageJson as Record<string, unknown> };
}
