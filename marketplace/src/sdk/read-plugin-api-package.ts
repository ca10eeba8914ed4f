import { existsSync, readFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { moduleClosure } from './module-closure';
import type { TarballFile } from './npm-tarball';
import { readPackageJson } from './read-library-package';
import { publishableExports } from './publishable-exports';
import { tarballFileName, type PublishedManifest, type SdkPackage } from './sdk-package';

interface ApiTargets {
  readonly types?: string;
  readonly default?: string;
}

function relativePath(target: string): string {
  return normalize(target).split(sep).join('/');
}

/**
 * A first-party plugin's public API as an SDK tarball: `@valueverse/plugin-<id>` limited to its `./api` export (the
 * service refs other plugins depend on), the declaration files its types reach, and plugin.json — no
 * implementation. Dependencies are the packages those files import (the SDK, another plugin's API), at the versions
 * the plugin declares. Undefined for a plugin without an `./api` export.
 */
export function readPluginApiPackage(dir: string): SdkPackage | undefined {
  const pkg = readPackageJson(dir);
  const api = (publishableExports(pkg.exports) as Record<string, unknown> | undefined)?.['./api'] as ApiTargets | undefined;
  if (!api) return undefined;
  if (!api.default || !api.types) throw new Error(`${pkg.name}: its ./api export needs both "types" and "default" targets`);
  const entries = [api.default, api.types].map(relativePath);
  for (const entry of entries) {
    if (!existsSync(join(dir, entry))) throw new Error(`${pkg.name}: ${entry} does not exist in ${dir}; build the workspace first (npx tsc -b tsconfig.build.json)`);
  }
  const closure = moduleClosure(dir, entries);
  const declared = pkg.dependencies ?? {};
  const dependencies: Record<string, string> = {};
  for (const name of closure.packages) {
    const version = declared[name];
    if (version === undefined) throw new Error(`${pkg.name}: its API files import ${name}, which its package.json does not list in dependencies`);
    dependencies[name] = version;
  }
  const files = new Map<string, TarballFile>(closure.files.map((path) => [path, { data: readFileSync(join(dir, path)) }]));
  files.set('plugin.json', { data: readFileSync(join(dir, 'plugin.json')) });
  const manifest: PublishedManifest = {
    name: pkg.name,
    version: pkg.version,
    description: `Public API of the ${pkg.name.replace('@valueverse/plugin-', '')} plugin: its service refs and types, without implementation`,
    ...(pkg['license'] === undefined ? {} : { license: pkg['license'] }),
    type: pkg['type'] ?? 'commonjs',
    exports: { './api': { types: `./${entries[1]}`, default: `./${entries[0]}` }, './plugin.json': './plugin.json', './package.json': './package.json' },
    dependencies,
  };
  return { name: pkg.name, version: pkg.version, file: tarballFileName(pkg.name, pkg.version), manifest, files };
}
