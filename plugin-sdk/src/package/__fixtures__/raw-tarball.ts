import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';

/** One entry of a hand-made tarball: any type, any path, even a `size` that lies, so tests can build what `writePackageTarball` never would. */
export interface RawEntry extends HeaderData {
  readonly path: string;
  readonly body?: Buffer | string;
}

/** A gzip'ed tar of exactly these entries, in this order (tests of hostile packages). */
export function rawTarball(entries: readonly RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const { body, ...data } of entries) {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    const header = new Header({ mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), type: 'File', ...data, size: data.size ?? bytes.length });
    header.encode();
    parts.push(header.block as Buffer, bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}
