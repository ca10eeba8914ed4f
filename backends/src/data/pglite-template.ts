import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/**
 * A freshly initialised PGlite cluster, kept as a gzipped tar so a new embedded database starts from a copy instead
 * of running initdb again. initdb is most of a first start: on a shared 2-core machine it took 10-16 s and held a
 * second PGlite instance (a second WASM heap, RSS peak ~890 MB) while it ran; unpacking the template takes about a
 * second. `npm install` prepares it (`valueverse prepare`); a first start that finds none runs initdb as before and
 * leaves the template for the next one.
 *
 * The template is what initdb makes with PGlite's fixed arguments (UTF8, C.UTF-8, trust): nothing of ours is in
 * it, so one template serves every data directory. It lives beside PGlite in `node_modules/.cache/valueverse/` and
 * is named after PGlite's version, so upgrading PGlite (or reinstalling) never loads a cluster from another build.
 */
export interface PgliteTemplate {
  /** Where the template is (or would be) stored. */
  readonly path: string;
  /** The template's bytes (a gzipped tar), or undefined when there is none yet (or it cannot be read). */
  read(): Promise<Buffer | undefined>;
  /** Stores a dump of a cluster that initdb has just made (and nothing has written to since). */
  write(dump: Blob): Promise<void>;
}

let cached: PgliteTemplate | undefined;

/** The template of the installed PGlite. */
export function pgliteTemplate(): PgliteTemplate {
  if (cached) return cached;
  // dist/index.cjs → the package folder → node_modules (the one that holds @electric-sql/pglite).
  const entry = require.resolve('@electric-sql/pglite');
  const packageDir = dirname(dirname(entry));
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  // The WASM build is part of the key: a locally rebuilt PGlite with the same version number gets its own template.
  const build = createHash('sha256')
    .update(readFileSync(join(packageDir, 'dist', 'initdb.wasm')))
    .digest('hex')
    .slice(0, 12);
  cached = storedTemplate(join(dirname(dirname(packageDir)), '.cache', 'valueverse', `pglite-${version}-${build}.tar.gz`));
  return cached;
}

/** A template stored at `path` (a gzipped tar of a PGlite data directory). */
export function storedTemplate(path: string): PgliteTemplate {
  return {
    path,
    async read() {
      try {
        return await readFile(path);
      } catch {
        return undefined;
      }
    },
    async write(dump) {
      await mkdir(dirname(path), { recursive: true });
      // Write aside, then rename: processes booting at the same moment (jest workers) never read half a file.
      const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
      try {
        await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
        await rename(partial, path);
      } finally {
        await rm(partial, { force: true });
      }
    },
  };
}

/** Dumps a just-initialised cluster into the template; a failure (read-only node_modules, say) only costs speed. */
export async function saveTemplate(template: PgliteTemplate, pglite: PGlite): Promise<boolean> {
  try {
    const dump = await pglite.dumpDataDir('gzip');
    await template.write(dump);
    return true;
  } catch {
    return false;
  }
}
