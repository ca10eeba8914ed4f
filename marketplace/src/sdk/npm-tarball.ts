import { gzipSync } from 'node:zlib';
import { Header, Pax, type HeaderData } from 'tar';

/** The modification time npm pack gives every entry, so the same files always make the same bytes (and integrity). */
const NPM_PACK_MTIME = new Date('1985-10-26T08:15:00.000Z');

/** One file of a tarball: its bytes and whether it is executable (a `bin` target). */
export interface TarballFile {
  readonly data: Buffer;
  readonly executable?: boolean;
}

function block(size: number): Buffer {
  return Buffer.alloc(Math.ceil(size / 512) * 512);
}

/**
 * A gzip'ed tar in npm-pack layout: every file under `package/`, package.json first and the rest sorted, owner 0,
 * npm's fixed mtime, so `npm install <url>` accepts it and building twice yields identical bytes.
 */
export function npmTarball(files: ReadonlyMap<string, TarballFile>): Buffer {
  const paths = [...files.keys()].sort((a, b) => (a === 'package.json' ? -1 : b === 'package.json' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const chunks: Buffer[] = [];
  for (const path of paths) {
    const file = files.get(path)!;
    const data: HeaderData = { path: `package/${path}`, mode: file.executable ? 0o755 : 0o644, uid: 0, gid: 0, size: file.data.length, mtime: NPM_PACK_MTIME, type: 'File' };
    const header = new Header(data);
    const headerBlock = Buffer.alloc(512);
    // ustar holds 100 + 155 characters of path; longer ones need a pax extended header before the entry.
    if (header.encode(headerBlock, 0)) chunks.push(new Pax(data).encode());
    chunks.push(headerBlock);
    const body = block(file.data.length);
    file.data.copy(body);
    chunks.push(body);
  }
  chunks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}
