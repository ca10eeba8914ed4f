import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VvError, isVvError, isVvPlugin, validateManifest, type PluginManifest, type VvPlugin } from '@valueverse/plugin-sdk';

/**
 * One plugin folder found by `discoverPlugins`. Exactly one of `manifest` and `error` is set: a folder whose
 * manifest is unreadable, invalid or a duplicate carries only the error.
 */
export interface DiscoveredPlugin {
  /** Absolute path of the plugin folder. */
  readonly dir: string;
  readonly manifest?: PluginManifest;
  readonly error?: VvError;
  /** Absolute path of the module to load (`main`, or `src/index.ts` with `preferSource`); '' when there is an error. */
  readonly entry: string;
}

function manifestError(source: string, pointer: string, message: string, cause?: unknown, plugin = source): VvError {
  return new VvError('VV_MANIFEST_INVALID', {
    params: { plugin, source, problems: `${pointer || '(root)'} ${message}` },
    errors: [{ pointer, message, in: 'manifest' }],
    cause,
  });
}

/** The folder names directly under `dir`, sorted so discovery (and "the later duplicate") is the same everywhere. */
async function pluginFolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    // Symlinks are followed (an installed plugin may be linked in); hidden folders (.git, .cache) never hold plugins.
    return entries
      .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    // A plugins directory that does not exist yet (e.g. installed plugins before the first install) holds none.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new VvError('VV_CONFIG_INVALID', {
      params: { subject: `plugin directory "${dir}"`, problems: (error as Error).message },
      cause: error,
    });
  }
}

/** Reads and validates one folder's plugin.json; undefined when the folder has none (it is not a plugin). */
async function readManifest(dir: string): Promise<{ manifest?: PluginManifest; error?: VvError } | undefined> {
  const source = join(dir, 'plugin.json');
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return { error: manifestError(source, '', `cannot read plugin.json: ${(error as Error).message}`, error) };
  }
  let raw: unknown;
  try {
    // Editors on Windows may save a byte-order mark, which JSON.parse refuses.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { error: manifestError(source, '', `is not valid JSON: ${(error as Error).message}`, error) };
  }
  try {
    return { manifest: validateManifest(raw, source) };
  } catch (error) {
    if (isVvError(error)) return { error };
    throw error;
  }
}

/**
 * Finds plugins: every immediate subfolder of each of `dirs` that has a `plugin.json`. Folders are visited in the
 * order of `dirs`, then by name; a plugin whose id was already found gets a `VV_MANIFEST_INVALID` error (pointer
 * `/id`) naming both folders, so the first one found wins.
 *
 * @param options.preferSource use `src/index.ts` when it exists instead of the built `main` (jest and ts runners,
 *   where `dist/` is not built)
 */
export async function discoverPlugins(dirs: readonly string[], options: { preferSource?: boolean } = {}): Promise<DiscoveredPlugin[]> {
  const found: DiscoveredPlugin[] = [];
  const firstDirOf = new Map<string, string>();
  for (const dir of dirs.map((d) => resolve(d))) {
    const folders = (await pluginFolders(dir)).map((name) => join(dir, name));
    // Read in parallel, then judge in order: duplicates must be decided deterministically.
    const manifests = await Promise.all(folders.map((folder) => readManifest(folder)));
    folders.forEach((folder, k) => {
      const read = manifests[k];
      if (!read) return;
      if (read.error || !read.manifest) {
        found.push({ dir: folder, error: read.error, entry: '' });
        return;
      }
      const { manifest } = read;
      const first = firstDirOf.get(manifest.id);
      if (first !== undefined) {
        const message = `plugin id "${manifest.id}" is already used by the plugin in ${first}; the one in ${folder} is ignored`;
        found.push({ dir: folder, error: manifestError(join(folder, 'plugin.json'), '/id', message, undefined, manifest.id), entry: '' });
        return;
      }
      firstDirOf.set(manifest.id, folder);
      const source = join(folder, 'src', 'index.ts');
      const entry = options.preferSource && existsSync(source) ? source : resolve(folder, manifest.main);
      found.push({ dir: folder, manifest, entry });
    });
  }
  return found;
}

/**
 * Loads a plugin module and returns its `plugin` export.
 *
 * @throws VvError `VV_MANIFEST_INVALID` (pointer `/main`) when the file does not exist or does not
 *   `export const plugin = definePlugin(...)`; `VV_PLUGIN_FAILED` (with `cause`) when the module throws while loading
 */
export function loadPluginModule(entry: string): VvPlugin {
  if (!existsSync(entry)) {
    throw manifestError(entry, '/main', `no module at ${entry} (is the plugin built?)`);
  }
  let exports: unknown;
  try {
    // Plain `require` on purpose: under jest it goes through jest's module registry and transform, so a plugin's
    // TypeScript source (and the SDK's source export condition) load without a build.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exports = require(entry);
  } catch (error) {
    throw new VvError('VV_PLUGIN_FAILED', {
      params: { plugin: entry, state: 'failed', reason: `loading ${entry} threw: ${(error as Error)?.message ?? String(error)}` },
      cause: error,
    });
  }
  const candidate = (exports as { plugin?: unknown } | null)?.plugin;
  if (isVvPlugin(candidate)) return candidate;
  const hasDefault = isVvPlugin((exports as { default?: unknown } | null)?.default);
  const message =
    `${entry} must \`export const plugin = definePlugin(...)\`` +
    (hasDefault
      ? ' (found a default export: plugins use the named export `plugin`)'
      : candidate === undefined
        ? ' (no export named `plugin`)'
        : ' (its `plugin` export was not made by definePlugin)');
  throw manifestError(entry, '/main', message);
}
