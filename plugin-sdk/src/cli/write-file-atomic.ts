import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file through a temporary sibling and a rename, so a reader (or a crash) never sees half a package.
 * `exclusive` refuses to replace an existing file (keys are never overwritten by accident).
 */
export async function writeFileAtomic(path: string, data: Buffer | string, options: { mode?: number; exclusive?: boolean } = {}): Promise<void> {
  if (options.exclusive) {
    await writeFile(path, data, { mode: options.mode ?? 0o644, flag: 'wx' });
    return;
  }
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data, { mode: options.mode ?? 0o644, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
