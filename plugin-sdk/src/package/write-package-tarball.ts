import { gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';

/** npm's fixed mtime (1985-10-26T08:15:00Z): packing the same files twice gives the same bytes. */
const FIXED_MTIME = new Date('1985-10-26T08:15:00.000Z');
const BLOCK = 512;

function headerBlocks(path: string, size: number): Buffer[] {
  const data = { path, mode: 0o644, uid: 0, gid: 0, size, mtime: FIXED_MTIME, type: 'File' as const, uname: '', gname: '' };
  const header = new Header(data);
  header.encode();
  // Paths longer than ustar's 100 + 155 characters go into a PAX extended header before the entry, as tar's Pack does.
  const blocks: Buffer[] = header.needPax ? [new Pax({ ...data, atime: undefined, ctime: undefined }).encode()] : [];
  blocks.push(header.block as Buffer);
  return blocks;
}

/**
 * Writes files as a gzip'ed tar in npm-pack layout (every entry under `package/`, sorted by path, fixed mtime and
 * owner, mode 0644), the same bytes for the same files.
 *
 * @param files path relative to `package/` → bytes
 */
export function writePackageTarball(files: ReadonlyMap<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const path of [...files.keys()].sort()) {
    const data = files.get(path) as Buffer;
    parts.push(...headerBlocks(`package/${path}`, data.length), data);
    const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2)); // end-of-archive marker: two zero blocks
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
