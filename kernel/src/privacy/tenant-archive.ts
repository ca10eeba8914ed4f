import { createHash } from 'node:crypto';
import { VvError, type PrivacyTables } from '@valueverse/plugin-sdk';
import { readPackageEntries, writePackageTarball } from '@valueverse/plugin-sdk/package';

/** One file of an export: `<plugin>/<table>.jsonl`, one JSON row a line. */
export interface ArchiveFile {
  readonly path: string;
  readonly plugin: string;
  readonly table: string;
  readonly rows: number;
  readonly sha256: string;
}

/** `manifest.json` of a tenant export. */
export interface ArchiveManifest {
  readonly format: 'valueverse.tenant-export';
  readonly version: 1;
  readonly tenantId: string;
  readonly createdAt: string;
  readonly plugins: readonly string[];
  readonly files: readonly ArchiveFile[];
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes a tenant export as a gzip'ed tar (the plugin package layout: every entry under `package/`): one JSON Lines
 * file per plugin and table and `manifest.json` with each file's row count and SHA-256.
 */
export function writeTenantArchive(tenantId: string, data: ReadonlyMap<string, PrivacyTables>, createdAt = new Date()): { archive: Buffer; manifest: ArchiveManifest } {
  const files = new Map<string, Buffer>();
  const listed: ArchiveFile[] = [];
  for (const [plugin, tables] of data) {
    for (const [table, rows] of Object.entries(tables)) {
      const path = `${plugin}/${table}.jsonl`;
      const bytes = Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join(''), 'utf8');
      files.set(path, bytes);
      listed.push({ path, plugin, table, rows: rows.length, sha256: sha256(bytes) });
    }
  }
  const manifest: ArchiveManifest = { format: 'valueverse.tenant-export', version: 1, tenantId, createdAt: createdAt.toISOString(), plugins: [...data.keys()], files: listed };
  files.set('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2), 'utf8'));
  return { archive: writePackageTarball(files), manifest };
}

const invalid = (reason: string) => new VvError('VV_IMPORT_INVALID', { params: { reason } });

/** Reads and checks an export: every file the manifest lists is present with its SHA-256 and row count. */
export async function readTenantArchive(archive: Buffer): Promise<{ manifest: ArchiveManifest; data: Map<string, PrivacyTables> }> {
  let entries: Map<string, Buffer>;
  try {
    entries = await readPackageEntries(archive);
  } catch (error) {
    throw new VvError('VV_IMPORT_INVALID', { params: { reason: (error as Error).message }, cause: error });
  }
  const manifestBytes = entries.get('manifest.json');
  if (!manifestBytes) throw invalid('manifest.json is missing');
  let manifest: ArchiveManifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as ArchiveManifest;
  } catch {
    throw invalid('manifest.json is not JSON');
  }
  if (manifest?.format !== 'valueverse.tenant-export' || manifest.version !== 1 || !Array.isArray(manifest.files)) throw invalid('manifest.json is not a version 1 tenant export');
  const data = new Map<string, Record<string, Record<string, unknown>[]>>();
  for (const file of manifest.files) {
    const bytes = entries.get(file.path);
    if (!bytes) throw invalid(`${file.path} is missing`);
    if (sha256(bytes) !== file.sha256) throw invalid(`the SHA-256 of ${file.path} differs from the manifest`);
    const lines = bytes
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
    if (lines.length !== file.rows) throw invalid(`${file.path} holds ${lines.length} rows; the manifest says ${file.rows}`);
    const tables = data.get(file.plugin) ?? {};
    tables[file.table] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    data.set(file.plugin, tables);
  }
  return { manifest, data };
}
