import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CliUsageError, type CliCommand } from './cli-command';
import { DEFAULT_REGISTRY_URL, pluginTemplate } from './plugin-template';

const PLUGIN_ID = /^[a-z][a-z0-9-]{1,48}$/;

export interface CreatePluginOptions {
  /** The new plugin's id: lowercase letters, digits and hyphens, starting with a letter, 2-49 characters. */
  readonly id: string;
  /** The folder to create (default `./<id>`); it must not exist or be empty. */
  readonly dir?: string;
  /** Registry base URL `R` the SDK is installed from (default the local host's, `DEFAULT_REGISTRY_URL`). */
  readonly registry?: string;
  /** What a relative `dir` is resolved against (default the process's working folder). */
  readonly cwd?: string;
}

export interface CreatedPlugin {
  /** Absolute path of the plugin folder. */
  readonly dir: string;
  /** The files written, relative to `dir`. */
  readonly files: readonly string[];
}

/** This SDK's own version: the scaffold installs the same SDK (and testing package) that created it. */
function sdkVersion(): string {
  // dist/cli/ and src/cli/ both sit two levels below the package root.
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function registryUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliUsageError(`--registry: "${value}" is not a URL (e.g. ${DEFAULT_REGISTRY_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliUsageError(`--registry: "${value}" must be an http(s) URL`);
  if (url.search || url.hash) throw new CliUsageError(`--registry: "${value}" must be a base URL without query or fragment`);
  return url.href.replace(/\/+$/, '');
}

/**
 * Writes a new plugin folder that installs, tests, builds and packs as it is (see `pluginTemplate`). Refuses an
 * invalid id, a bad registry URL, or a folder that already has files, before writing anything.
 *
 * @example
 * await createPlugin({ id: 'time-tracking', registry: 'https://marketplace.example.com/api/v1/marketplace' });
 */
export async function createPlugin(options: CreatePluginOptions): Promise<CreatedPlugin> {
  if (!PLUGIN_ID.test(options.id)) throw new CliUsageError(`"${options.id}" is not a plugin id: lowercase letters, digits and hyphens, starting with a letter, 2-49 characters`);
  const registry = registryUrl(options.registry ?? DEFAULT_REGISTRY_URL);
  const dir = resolve(options.cwd ?? process.cwd(), options.dir ?? options.id);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new CliUsageError(`${dir} already exists and is not empty; choose another folder`);
  const files = pluginTemplate({ id: options.id, registry, sdkVersion: sdkVersion() });
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    // 'wx': never overwrite, should the folder gain a file between the check above and this write.
    writeFileSync(join(dir, path), text, { flag: 'wx' });
  }
  return { dir, files: [...files.keys()] };
}

/** `vv-plugin create <id> [dir] [--registry <R>]`: a new plugin folder that installs, tests and packs as it is. */
export const createCommand: CliCommand = {
  name: 'create',
  summary: 'create a plugin folder: manifest, one route, a passing test, build and pack set up',
  usage: [
    'vv-plugin create <id> [dir] [--registry <url>]',
    '',
    '  id                the plugin id: lowercase letters, digits and hyphens, starting with a letter',
    '  dir               the folder to create (default: ./<id>); it must not exist or be empty',
    `  --registry <url>  the registry whose /sdk serves the SDK tarballs (default: $VV_MARKETPLACE_URL, else ${DEFAULT_REGISTRY_URL})`,
  ].join('\n'),
  options: { registry: { type: 'string' } },
  async run({ positionals, values }, io) {
    const [id, dir, ...extra] = positionals;
    if (id === undefined) throw new CliUsageError('give the plugin id');
    if (extra.length > 0) throw new CliUsageError(`unexpected arguments: ${extra.join(' ')}`);
    const registry = typeof values.registry === 'string' ? values.registry : io.env.VV_MARKETPLACE_URL || undefined;
    const created = await createPlugin({ id, dir, registry, cwd: io.cwd });
    io.out(`created ${id} in ${created.dir} (${created.files.length} files)`);
    io.out('next:');
    io.out(`  cd ${relative(io.cwd, created.dir) || '.'}`);
    io.out('  npm install && npm test');
    return 0;
  },
};
