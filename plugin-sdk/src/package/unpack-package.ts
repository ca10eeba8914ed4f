import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { PackageError } from './package-error';
import type { VerifiedPackage } from './verified-package';

/**
 * Writes a verified package's files under `targetDir` (created if missing), so the plugin loads from there
 * (`targetDir/plugin.json`, its `main`, ...). Each path is resolved and checked to stay inside `targetDir` once more
 * before anything is written, so a `VerifiedPackage` built by hand cannot write elsewhere either. Files get mode 0644.
 * Use a new (or empty) folder per version: an existing file is never overwritten or followed (fails with `EEXIST`).
 *
 * @throws PackageError `VV_PACKAGE_INVALID` for a path outside `targetDir` (nothing is written then); a Node
 *   `EEXIST` error when a file is already there
 */
export async function unpackPackage(verified: VerifiedPackage, targetDir: string): Promise<void> {
  const root = resolve(targetDir);
  const targets: [string, Buffer][] = [];
  for (const [path, bytes] of verified.files) {
    const target = resolve(root, path);
    const inside = relative(root, target);
    if (path === '' || path.includes('\\') || path.includes('\0') || isAbsolute(path) || inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
      throw new PackageError('VV_PACKAGE_INVALID', `"${path}" would be written outside ${targetDir}`, { path });
    }
    targets.push([target, bytes]);
  }
  await mkdir(root, { recursive: true });
  for (const [target, bytes] of targets) {
    await mkdir(dirname(target), { recursive: true });
    // 'wx': an existing file (or a symlink planted in the target folder) is an error, never followed or overwritten.
    await writeFile(target, bytes, { mode: 0o644, flag: 'wx' });
  }
}
