import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, relative, sep } from 'node:path';
import type { TarballFile } from './npm-tarball';
import { exportTargets, publishableExports } from './publishable-exports';
import { tarballFileName, type PublishedManifest, type SdkPackage } from './sdk-package';

/** package.json keys a published package keeps; scripts, devDependencies, workspaces and `files` do not travel. */
const KEPT_KEYS = ['name', 'version', 'description', 'license', 'type', 'main', 'types', 'exports', 'bin', 'dependencies', 'peerDependencies', 'peerDependenciesMeta', 'engines'];

/** Built files that are not part of what a package runs: tests, fixtures, source maps of sources not shipped, tsc's build state. */
const EXCLUDED = [/(^|\/)(__fixtures__|node_modules)\//, /\.(test|spec|contract)\.[^/]*$/, /\.tsbuildinfo$/, /\.map$/];

export interface WorkspacePackageJson {
  readonly name: string;
  readonly version: string;
  readonly main?: string;
  readonly types?: string;
  readonly exports?: unknown;
  readonly bin?: string | Record<string, string>;
  readonly files?: readonly string[];
  readonly dependencies?: Record<string, string>;
  readonly [key: string]: unknown;
}

export function readPackageJson(dir: string): WorkspacePackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as WorkspacePackageJson;
}

function binTargets(bin: WorkspacePackageJson['bin']): string[] {
  return bin === undefined ? [] : typeof bin === 'string' ? [bin] : Object.values(bin);
}

function walk(dir: string, root: string, into: Set<string>): void {
  const stats = statSync(dir);
  if (stats.isFile()) {
    into.add(relative(root, dir).split(sep).join('/'));
    return;
  }
  for (const name of readdirSync(dir)) walk(join(dir, name), root, into);
}

/**
 * A workspace library (the SDK, the kernel, its backends, the testing package) as an SDK tarball: its built dist/,
 * what its `files`, `exports`, `main`, `types` and `bin` name (without the source condition, which points at src/),
 * and a package.json without scripts or devDependencies. Fails when the build is missing, naming the command.
 */
export function readLibraryPackage(dir: string): SdkPackage {
  const pkg = readPackageJson(dir);
  const exports = publishableExports(pkg.exports);
  const roots = [...(pkg.files?.filter((f) => !f.startsWith('!')) ?? ['dist']), ...exportTargets(exports), ...binTargets(pkg.bin), pkg.main, pkg.types, 'README.md', 'LICENSE'];
  const paths = new Set<string>();
  for (const root of roots) {
    if (root === undefined) continue;
    const path = join(dir, normalize(root));
    if (existsSync(path)) walk(path, dir, paths);
    else if (root !== 'README.md' && root !== 'LICENSE')
      throw new Error(`${pkg.name}: ${root} does not exist in ${dir}; build the workspace first (npx tsc -b tsconfig.build.json)`);
  }
  paths.delete('package.json');
  const executables = new Set(binTargets(pkg.bin).map((target) => normalize(target).split(sep).join('/')));
  const files = new Map<string, TarballFile>();
  for (const path of [...paths].sort()) {
    if (EXCLUDED.some((pattern) => pattern.test(path))) continue;
    files.set(path, { data: readFileSync(join(dir, path)), executable: executables.has(path) });
  }
  const manifest = Object.fromEntries(KEPT_KEYS.filter((key) => pkg[key] !== undefined).map((key) => [key, key === 'exports' ? exports : pkg[key]])) as PublishedManifest;
  return { name: pkg.name, version: pkg.version, file: tarballFileName(pkg.name, pkg.version), manifest, files };
}
