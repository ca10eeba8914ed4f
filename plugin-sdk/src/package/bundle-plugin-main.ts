import { join } from 'node:path';
import { PackageError } from './package-error';

/**
 * What the host provides to every installed plugin, left out of the bundle: the SDK (and its sub-paths), the public
 * API entries of other plugins, and MikroORM's core (`EntitySchema` and the rest): the host's ORM discovers a
 * plugin's entities and hands it EntityManagers, which only works with the host's own copy of the classes, not a
 * bundled one. Everything else the plugin imports is bundled into its main file.
 */
export const HOST_PROVIDED_MODULES: readonly string[] = Object.freeze(['@valueverse/plugin-sdk', '@valueverse/plugin-*/api', '@mikro-orm/core']);

/** True for a dependency name the host provides (so pack keeps it in package.json). */
export function isHostProvidedPackage(name: string): boolean {
  return name === '@valueverse/plugin-sdk' || name === '@mikro-orm/core' || (name.startsWith('@valueverse/plugin-') && name !== '@valueverse/plugin-testing');
}

/**
 * Bundles a plugin's main module and what it imports into one CommonJS file for Node, with esbuild. Migrations,
 * models and routes are whatever the main module reaches, so they are inside too.
 *
 * @param dir the plugin folder
 * @param main the manifest's `main` (a .js, .cjs or .ts file)
 * @returns the bundled code
 * @throws PackageError `VV_PACKAGE_INVALID` with esbuild's messages when the code does not bundle
 */
export async function bundlePluginMain(dir: string, main: string): Promise<Buffer> {
  // Loaded on demand: only packing needs esbuild, verifying and unpacking (in the host) do not.
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({
      absWorkingDir: dir,
      entryPoints: [join(dir, main)],
      outfile: join(dir, '.vv-pack', 'main.js'),
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node24',
      external: [...HOST_PROVIDED_MODULES],
      // Class and function names appear in logs and errors; keep them readable.
      keepNames: true,
      sourcemap: false,
      logLevel: 'silent',
    });
    const [output] = result.outputFiles;
    return Buffer.from(output.contents);
  } catch (error) {
    const messages = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const detail = messages.map((m) => (m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text)).join('; ') || (error as Error).message;
    throw new PackageError('VV_PACKAGE_INVALID', `"${main}" does not bundle: ${detail}`, { path: main }, error);
  }
}
