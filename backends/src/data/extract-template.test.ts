import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extractTemplate } from './extract-template';

/** A ustar entry as PGlite's dumpDataDir writes them (name, octal mode and size, type flag, magic). */
function entry(name: string, type: '0' | '5' | '2', data = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write('0000644\0', 100);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(type, 156);
  header.write('ustar\0', 257);
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(body);
  return Buffer.concat([header, body]);
}
const archive = (...entries: Buffer[]) => gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));

describe('extractTemplate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vv-extract-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('unpacks folders and files (over 512 bytes too) into the target', () => {
    const big = Buffer.alloc(1300, 7);
    extractTemplate(archive(entry('/base', '5'), entry('/base/1', '5'), entry('/base/1/112', '0', big), entry('/PG_VERSION', '0', Buffer.from('18\n'))), join(dir, 'pgdata'));
    expect(readFileSync(join(dir, 'pgdata', 'PG_VERSION'), 'utf8')).toBe('18\n');
    expect(readFileSync(join(dir, 'pgdata', 'base', '1', '112')).equals(big)).toBe(true);
    expect(readdirSync(dir)).toEqual(['pgdata']);
  });

  it('refuses an entry outside the data directory and an unexpected entry type, leaving nothing behind', () => {
    expect(() => extractTemplate(archive(entry('../escape', '0', Buffer.from('x'))), join(dir, 'pgdata'))).toThrow(/leaves the data directory/);
    expect(() => extractTemplate(archive(entry('/link', '2')), join(dir, 'pgdata'))).toThrow(/unsupported type/);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
