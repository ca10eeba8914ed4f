import { mkdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(header: Buffer, start: number, length: number): number {
  const text = field(header, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/**
 * Unpacks the initdb template (a gzipped ustar archive written by PGlite's `dumpDataDir`) into `target`, which must
 * not exist yet: files go to a sibling folder first and are renamed into place, so a start that dies halfway
 * leaves no half cluster behind (the next start unpacks again).
 *
 * Why not PGlite's own `loadDataDir`: it writes each file through Emscripten's file system onto Node's, opening it
 * twice; for the ~1,000 files of a fresh cluster that was about a second of CPU on a busy machine, and held the
 * archive three times in memory. Only regular files and folders are expected; anything else is refused.
 */
export function extractTemplate(archive: Buffer, target: string): void {
  const tar = gunzipSync(archive);
  const staging = `${target}.unpacking-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    let offset = 0;
    while (offset + BLOCK <= tar.length) {
      const header = tar.subarray(offset, offset + BLOCK);
      if (header.every((byte) => byte === 0)) break;
      const name = [field(header, 345, 155), field(header, 0, 100)].filter(Boolean).join('/');
      const size = octal(header, 124, 12);
      const type = String.fromCharCode(header[156] ?? 0);
      const relative = normalize(name.replace(/^\/+/, ''));
      if (relative === '..' || relative.startsWith(`..${sep}`)) throw new Error(`template entry "${name}" leaves the data directory`);
      const path = join(staging, relative);
      if (type === '5') {
        mkdirSync(path, { recursive: true, mode: 0o700 });
      } else if (type === '0' || type === '\0') {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        // PostgreSQL wants its files private to its user (it refuses group/other bits on the data directory).
        writeFileSync(path, tar.subarray(offset + BLOCK, offset + BLOCK + size), { mode: 0o600 });
      } else {
        throw new Error(`template entry "${name}" has unsupported type "${type}"`);
      }
      offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
