import { Parser, type ReadEntry } from 'tar';
import { PACKAGE_LIMITS } from './package-limits';
import { PackageError } from './package-error';

const PREFIX = 'package/';
/** Regular files; every other type (links, devices, FIFOs) could reach outside the folder it is unpacked into. */
const FILE_TYPES: ReadonlySet<string> = new Set(['File', 'OldFile', 'ContiguousFile']);

function invalid(reason: string, path?: string): PackageError {
  return new PackageError('VV_PACKAGE_INVALID', reason, path === undefined ? {} : { path });
}

/**
 * The path of an entry relative to `package/`, or a refusal. Only plain relative paths pass: no absolute path, drive
 * letter, backslash, NUL, empty, `.` or `..` segment, so the same string is safe to join to any target folder.
 */
function relativePath(entryPath: string, isDirectory: boolean): string {
  const path = isDirectory ? entryPath.replace(/\/+$/, '') : entryPath;
  if (isDirectory && `${path}/` === PREFIX) return '';
  if (!path.startsWith(PREFIX)) throw invalid(`entry "${entryPath}" is not under "package/"`, entryPath);
  const relative = path.slice(PREFIX.length);
  if (relative === '') return '';
  if (/[\\\0]/.test(relative) || /^[A-Za-z]:/.test(relative)) throw invalid(`entry "${entryPath}" has a backslash, NUL or drive letter in its path`, entryPath);
  if (relative.split('/').some((part) => part === '' || part === '.' || part === '..')) throw invalid(`entry "${entryPath}" has an empty, "." or ".." path segment`, entryPath);
  return relative;
}

/**
 * Reads a package's tar entries into memory, checking while it streams: gzip only, at most
 * `PACKAGE_LIMITS.maxEntries` entries and `maxUnpackedBytes` bytes, regular files and directories only, every path
 * under `package/` and free of traversal, no path twice. Nothing is written to disk.
 *
 * @returns path relative to `package/` → bytes, `MANIFEST.json` included, directories left out
 * @throws PackageError `VV_PACKAGE_INVALID`
 */
export async function readPackageEntries(pkg: Buffer): Promise<Map<string, Buffer>> {
  if (pkg.length > PACKAGE_LIMITS.maxPackageBytes) throw invalid(`the package is ${pkg.length} bytes; the limit is ${PACKAGE_LIMITS.maxPackageBytes}`);
  // gzip magic: a plain tar (or brotli/zstd, which the parser would also accept) is not the documented format.
  if (pkg.length < 2 || pkg[0] !== 0x1f || pkg[1] !== 0x8b) throw invalid('not a gzip file');

  const files = new Map<string, Buffer>();
  const seen = new Set<string>();
  let entries = 0;
  let declaredBytes = 0;
  let failure: unknown;

  // strict: a bad checksum, truncated archive or broken gzip stream is an error, not a skipped entry.
  const parser = new Parser({ strict: true, brotli: false, zstd: false });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('error', (error: unknown) => {
      failure ??= error;
      reject(failure);
    });
    parser.on('close', () => (failure === undefined ? resolve() : reject(failure)));
  });
  const stop = (error: PackageError): void => {
    failure ??= error;
    parser.abort(error);
  };

  parser.on('entry', (entry: ReadEntry) => {
    try {
      entries += 1;
      if (entries > PACKAGE_LIMITS.maxEntries) throw invalid(`more than ${PACKAGE_LIMITS.maxEntries} entries`);
      const isDirectory = entry.type === 'Directory';
      if (!isDirectory && !FILE_TYPES.has(entry.type)) throw invalid(`entry "${entry.path}" is a ${entry.type}; only regular files and directories are allowed`, entry.path);
      const path = relativePath(entry.path, isDirectory);
      const key = isDirectory ? `${path}/` : path;
      if (seen.has(key)) throw invalid(`entry "${entry.path}" appears twice`, entry.path);
      seen.add(key);
      if (isDirectory) {
        entry.resume();
        return;
      }
      // The header's size is checked before the body is read, the bytes actually received while reading.
      declaredBytes += entry.size;
      if (declaredBytes > PACKAGE_LIMITS.maxUnpackedBytes) throw invalid(`more than ${PACKAGE_LIMITS.maxUnpackedBytes} bytes unpacked`);
      const chunks: Buffer[] = [];
      let received = 0;
      entry.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > entry.size) stop(invalid(`entry "${entry.path}" is longer than its header says`, entry.path));
        else chunks.push(chunk);
      });
      entry.on('end', () => {
        if (failure === undefined) files.set(path, Buffer.concat(chunks, received));
      });
    } catch (error) {
      entry.resume();
      stop(error as PackageError);
    }
  });

  parser.end(pkg);
  try {
    await done;
  } catch (error) {
    if (error instanceof PackageError) throw error;
    throw new PackageError('VV_PACKAGE_INVALID', `not a readable gzip'ed tar: ${(error as Error).message}`, {}, error);
  }
  if (failure !== undefined) throw failure instanceof PackageError ? failure : invalid(String(failure));
  return files;
}
