import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { npmTarball, type TarballFile } from './npm-tarball';
import { readLibraryPackage, readPackageJson } from './read-library-package';
import { readPluginApiPackage } from './read-plugin-api-package';
import type { SdkListing } from '../registry-api';
import type { SdkPackage } from './sdk-package';

export interface WorkspaceSdkTarballsOptions {
  /** Folders of the workspace libraries to serve (the SDK, the testing package and what they need at run time). */
  readonly libraries: readonly string[];
  /** Folders of first-party plugins; those with an `./api` export are served as API-only packages. */
  readonly plugins: readonly string[];
  /** How many built tarballs (per base URL and file) stay in memory; default 64. */
  readonly cacheSize?: number;
}

/** The packages an outside plugin author installs: the SDK and its testing package; both versions move together. */
export const SDK_ENTRY_PACKAGES = ['@valueverse/plugin-sdk', '@valueverse/plugin-testing'] as const;

const SCOPE = '@valueverse/';
const DEPENDENCY_KEYS = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const;

/**
 * npm-installable tarballs of the SDK for plugin authors outside this repository, built from the workspace's dist/
 * folders on first use: `@valueverse/plugin-sdk`, `@valueverse/plugin-testing`, the workspace packages they need at
 * run time, and each first-party plugin's public API. Every `@valueverse/*` dependency becomes the URL of its sibling
 * tarball under the registry's base URL `R` (`R/sdk/<file>`), so `npm install R/sdk/valueverse-plugin-sdk-0.1.0.tgz`
 * needs no npm scope registry; third-party dependencies keep their exact versions and come from the npm registry.
 * The registry serves `list` at `GET R/sdk` and `get` at `GET R/sdk/:file`.
 *
 * @example
 * const sdk = WorkspaceSdkTarballs.fromWorkspace();
 * const packages = await sdk.list('http://127.0.0.1:3000/api/v1/marketplace');
 */
export class WorkspaceSdkTarballs {
  readonly #options: WorkspaceSdkTarballsOptions;
  #packages: Map<string, SdkPackage> | undefined;
  // Insertion-ordered map as an LRU: a hit is re-inserted, the oldest entry leaves first. The base URL may come from
  // a request's Host header, so the number of URLs seen is not bounded by configuration.
  readonly #tarballs = new Map<string, Buffer>();

  constructor(options: WorkspaceSdkTarballsOptions) {
    this.#options = options;
  }

  /**
   * The packages of the npm workspace at `root` (by default the one this module is built in): the closure of
   * `@valueverse/*` run-time dependencies of the SDK and the testing package, and every workspace plugin with an
   * `./api` export.
   */
  static fromWorkspace(root: string = findWorkspaceRoot(__dirname)): WorkspaceSdkTarballs {
    const workspaces = (readPackageJson(root)['workspaces'] as string[] | undefined) ?? [];
    const dirs = workspaces.flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(join(root, pattern.slice(0, -2)))
            .map((name) => join(root, pattern.slice(0, -2), name))
            .filter((dir) => existsSync(join(dir, 'package.json')))
        : [join(root, pattern)],
    );
    const byName = new Map(dirs.filter((dir) => existsSync(join(dir, 'package.json'))).map((dir) => [readPackageJson(dir).name, dir]));
    const libraries: string[] = [];
    const pending: string[] = [...SDK_ENTRY_PACKAGES];
    while (pending.length > 0) {
      const name = pending.shift()!;
      const dir = byName.get(name);
      if (!dir) throw new Error(`SDK tarballs: ${name} is not a package of the workspace at ${root}`);
      if (libraries.includes(dir)) continue;
      libraries.push(dir);
      pending.push(...Object.keys(readPackageJson(dir).dependencies ?? {}).filter((dep) => dep.startsWith(SCOPE)));
    }
    const plugins = [...byName.entries()].filter(([name, dir]) => name.startsWith(`${SCOPE}plugin-`) && existsSync(join(dir, 'plugin.json'))).map(([, dir]) => dir);
    return new WorkspaceSdkTarballs({ libraries, plugins });
  }

  /** The packages served, with the URL each installs from under `baseUrl` (the `packages` of `GET R/sdk`). */
  async list(baseUrl: string): Promise<SdkListing['packages']> {
    const base = trimBase(baseUrl);
    return [...this.#load().values()].map((p) => ({ name: p.name, version: p.version, url: `${base}/sdk/${p.file}` }));
  }

  /** The tarball named `file` (`valueverse-kernel-0.1.0.tgz`) for base URL `baseUrl`, or undefined when no such package is served. */
  async get(file: string, baseUrl: string): Promise<Buffer | undefined> {
    const packages = this.#load();
    const pkg = packages.get(file);
    if (!pkg) return undefined;
    const base = trimBase(baseUrl);
    const key = `${base}\n${file}`;
    const cached = this.#tarballs.get(key);
    if (cached) {
      this.#tarballs.delete(key);
      this.#tarballs.set(key, cached);
      return cached;
    }
    const manifest = { ...pkg.manifest };
    for (const key of DEPENDENCY_KEYS) {
      const deps = manifest[key] as Record<string, string> | undefined;
      if (deps) manifest[key] = Object.fromEntries(Object.entries(deps).map(([name, version]) => [name, siblingUrl(packages, pkg, name, version, base)]));
    }
    const files = new Map<string, TarballFile>([['package.json', { data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) }], ...pkg.files]);
    const tarball = npmTarball(files);
    this.#tarballs.set(key, tarball);
    if (this.#tarballs.size > (this.#options.cacheSize ?? 64)) this.#tarballs.delete(this.#tarballs.keys().next().value!);
    return tarball;
  }

  #load(): Map<string, SdkPackage> {
    if (!this.#packages) {
      const libraries = this.#options.libraries.map(readLibraryPackage);
      const apis = this.#options.plugins.map(readPluginApiPackage).filter((p): p is SdkPackage => p !== undefined);
      this.#packages = new Map([...libraries, ...apis].map((p) => [p.file, p]));
    }
    return this.#packages;
  }
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

function siblingUrl(packages: ReadonlyMap<string, SdkPackage>, from: SdkPackage, name: string, version: string, base: string): string {
  if (!name.startsWith(SCOPE)) return version;
  const sibling = [...packages.values()].find((p) => p.name === name);
  // The workspace pins its own packages exactly; a range or another version would not match the one tarball served.
  if (!sibling || sibling.version !== version) throw new Error(`SDK tarballs: ${from.name} depends on ${name}@${version}, which is not among the packages served`);
  return `${base}/sdk/${sibling.file}`;
}

/** The nearest folder above `from` whose package.json declares npm workspaces. */
export function findWorkspaceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && readPackageJson(dir)['workspaces']) return dir;
    if (dirname(dir) === dir) throw new Error(`SDK tarballs: no npm workspace above ${from}`);
  }
}
