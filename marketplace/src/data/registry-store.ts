import type { Database } from '@valueverse/kernel';
import { VvError, type SqlTransaction } from '@valueverse/plugin-sdk';
import semver from 'semver';
import { MARKETPLACE_SCHEMA, marketplaceMigrations } from './marketplace-migrations';

/** A publisher as the registry keeps it (the token hash never leaves the store). */
export interface PublisherRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface PublisherKeyRecord {
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface VersionRecord {
  readonly packageId: string;
  readonly version: string;
  readonly kernel: string;
  readonly manifest: Record<string, unknown>;
  readonly displayName: string;
  readonly description: string;
  readonly categories: string[];
  readonly permissions: string[];
  readonly iconPath: string | null;
  readonly size: number;
  readonly integrity: string;
  readonly signerKeyId: string;
  readonly publishedBy: string;
  readonly publishedAt: string;
  readonly yankedAt: string | null;
  readonly downloads: number;
}

export interface PackageRecord {
  readonly id: string;
  readonly publisher: { readonly id: string; readonly name: string };
  readonly displayName: string;
  readonly description: string;
  readonly categories: string[];
  readonly latestVersion: string | null;
  /** The `kernel` range of `latestVersion`. */
  readonly latestKernel: string | null;
  /** Whether `latestVersion` has an icon. */
  readonly latestHasIcon: boolean;
  readonly downloads: number;
}

/** What a publish writes: the version's metadata and the package file (and its icon, if any). */
export interface NewVersion {
  readonly packageId: string;
  readonly version: string;
  readonly publisherId: string;
  readonly kernel: string;
  readonly manifest: Record<string, unknown>;
  readonly displayName: string;
  readonly description: string;
  readonly categories: readonly string[];
  readonly permissions: readonly string[];
  readonly readme: string;
  readonly icon: { readonly path: string; readonly bytes: Buffer } | null;
  readonly content: Buffer;
  readonly integrity: string;
  readonly signerKeyId: string;
}

export interface SearchQuery {
  readonly q?: string;
  readonly category?: string;
  readonly limit: number;
  readonly after?: string;
}

interface VersionRow {
  package_id: string;
  version: string;
  kernel_range: string;
  manifest: Record<string, unknown> | string;
  display_name: string;
  description: string;
  categories: string[];
  permissions: string[] | string;
  icon_path: string | null;
  size: number;
  integrity: string;
  signer_key_id: string;
  published_by: string;
  published_ms: number;
  yanked_ms: number | null;
  downloads: number;
}

interface PackageRow {
  id: string;
  publisher_id: string;
  publisher_name: string;
  display_name: string;
  description: string;
  categories: string[];
  latest_version: string | null;
  latest_kernel: string | null;
  latest_icon: string | null;
  downloads: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());
const epochMs = (column: string): string => `(extract(epoch from ${column}) * 1000)::float8`;
const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);
/** PGlite answers bytea as a Uint8Array, `pg` as a Buffer: one type for callers. */
const bytes = (value: Uint8Array): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
const constraintOf = (error: unknown): string | undefined => {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
};

const VERSION_COLUMNS = `package_id, version, kernel_range, manifest, display_name, description, categories, permissions, icon_path, size, integrity,
  signer_key_id, published_by, ${epochMs('published_at')} as published_ms, ${epochMs('yanked_at')} as yanked_ms, downloads::float8 as downloads`;

const PACKAGE_SELECT = `select p.id, p.publisher_id, u.name as publisher_name, p.display_name, p.description, p.categories, p.latest_version,
    lv.kernel_range as latest_kernel, lv.icon_path as latest_icon,
    coalesce((select sum(v.downloads) from marketplace.package_versions v where v.package_id = p.id), 0)::float8 as downloads
  from marketplace.packages p join marketplace.publishers u on u.id = p.publisher_id
  left join marketplace.package_versions lv on lv.package_id = p.id and lv.version = p.latest_version`;

function toVersion(row: VersionRow): VersionRecord {
  return {
    packageId: row.package_id,
    version: row.version,
    kernel: row.kernel_range,
    manifest: json(row.manifest),
    displayName: row.display_name,
    description: row.description,
    categories: row.categories,
    permissions: json(row.permissions),
    iconPath: row.icon_path,
    size: Number(row.size),
    integrity: row.integrity,
    signerKeyId: row.signer_key_id,
    publishedBy: row.published_by,
    publishedAt: iso(row.published_ms)!,
    yankedAt: iso(row.yanked_ms),
    downloads: Number(row.downloads),
  };
}

function toPackage(row: PackageRow): PackageRecord {
  return {
    id: row.id,
    publisher: { id: row.publisher_id, name: row.publisher_name },
    displayName: row.display_name,
    description: row.description,
    categories: row.categories,
    latestVersion: row.latest_version,
    latestKernel: row.latest_kernel,
    latestHasIcon: row.latest_icon !== null,
    downloads: Number(row.downloads),
  };
}

/**
 * The version a package shows by default: the highest non-yanked release, else the highest non-yanked pre-release
 * (npm's `latest` rule); null when every version is yanked.
 */
export function latestOf(versions: readonly { version: string; yanked: boolean }[]): string | null {
  const live = versions.filter((v) => !v.yanked).map((v) => v.version);
  const releases = live.filter((v) => semver.prerelease(v) === null);
  const pool = releases.length > 0 ? releases : live;
  return pool.length === 0 ? null : pool.sort(semver.rcompare)[0]!;
}

/** `%` and `_` are LIKE wildcards; a search for them means the characters themselves. */
const likeEscaped = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The registry's tables in schema `marketplace` (marketplace-migrations.ts), on the kernel's database (PGlite or
 * PostgreSQL, opened by `openDatabase`). Raw SQL through MikroORM's connection, like the kernel's stores.
 */
export class RegistryStore {
  constructor(readonly db: Database) {}

  /** Applies the pending migrations of schema `marketplace`. */
  async init(): Promise<string[]> {
    return this.db.migrate({ schema: MARKETPLACE_SCHEMA, migrations: marketplaceMigrations });
  }

  /** Reverts every migration of schema `marketplace` (its tables and data go). */
  async revertAll(): Promise<string[]> {
    return this.db.migrate({ schema: MARKETPLACE_SCHEMA, migrations: marketplaceMigrations, direction: 'down', to: 0 });
  }

  async createPublisher(id: string, name: string, tokenHash: string): Promise<PublisherRecord> {
    try {
      const [row] = await this.db.execute<{ id: string; name: string; created_ms: number }>(
        `insert into marketplace.publishers (id, name, token_hash) values ($1, $2, $3) returning id, name, ${epochMs('created_at')} as created_ms`,
        [id, name, tokenHash],
      );
      return { id: row!.id, name: row!.name, createdAt: iso(row!.created_ms)! };
    } catch (error) {
      if (constraintOf(error) === 'publishers_name_lower_key') throw new VvError('VV_CONFLICT', { params: { reason: `A publisher named "${name}" exists` } });
      throw error;
    }
  }

  async getPublisher(id: string): Promise<(PublisherRecord & { keys: PublisherKeyRecord[] }) | undefined> {
    const [row] = await this.db.execute<{ id: string; name: string; created_ms: number }>(
      `select id, name, ${epochMs('created_at')} as created_ms from marketplace.publishers where id = $1`,
      [id],
    );
    if (!row) return undefined;
    const keys = await this.db.execute<{ key_id: string; public_key_pem: string; created_ms: number; revoked_ms: number | null }>(
      `select key_id, public_key_pem, ${epochMs('created_at')} as created_ms, ${epochMs('revoked_at')} as revoked_ms
         from marketplace.publisher_keys where publisher_id = $1 order by created_at, key_id`,
      [id],
    );
    return {
      id: row.id,
      name: row.name,
      createdAt: iso(row.created_ms)!,
      keys: keys.map((k) => ({ keyId: k.key_id, publicKeyPem: k.public_key_pem, createdAt: iso(k.created_ms)!, revokedAt: iso(k.revoked_ms) })),
    };
  }

  /** The publisher whose current token hashes to `tokenHash`. */
  async publisherByTokenHash(tokenHash: string): Promise<PublisherRecord | undefined> {
    const [row] = await this.db.execute<{ id: string; name: string; created_ms: number }>(
      `select id, name, ${epochMs('created_at')} as created_ms from marketplace.publishers where token_hash = $1`,
      [tokenHash],
    );
    return row && { id: row.id, name: row.name, createdAt: iso(row.created_ms)! };
  }

  /** Replaces the publisher's token (the old one stops working at once); false when there is no such publisher. */
  async replaceToken(publisherId: string, tokenHash: string): Promise<boolean> {
    const rows = await this.db.execute('update marketplace.publishers set token_hash = $2, token_created_at = now() where id = $1 returning id', [publisherId, tokenHash]);
    return rows.length === 1;
  }

  async addKey(publisherId: string, keyId: string, publicKeyPem: string): Promise<void> {
    try {
      await this.db.execute('insert into marketplace.publisher_keys (key_id, publisher_id, public_key_pem) values ($1, $2, $3)', [keyId, publisherId, publicKeyPem]);
    } catch (error) {
      const constraint = constraintOf(error);
      if (constraint === 'publisher_keys_pkey') {
        throw new VvError('VV_CONFLICT', { params: { reason: `Key ${keyId} is already registered (a revoked key cannot come back: generate a new one)` } });
      }
      if (constraint === 'publisher_keys_publisher_fkey') throw new VvError('VV_PUBLISHER_UNKNOWN', { params: { publisher: publisherId } });
      throw error;
    }
  }

  /** Marks the key revoked (kept, so the versions it signed still name it); false when the publisher has no such key. */
  async revokeKey(publisherId: string, keyId: string): Promise<boolean> {
    const rows = await this.db.execute('update marketplace.publisher_keys set revoked_at = coalesce(revoked_at, now()) where publisher_id = $1 and key_id = $2 returning key_id', [
      publisherId,
      keyId,
    ]);
    return rows.length === 1;
  }

  /** The publisher's keys that may sign new publishes. */
  async activeKeys(publisherId: string): Promise<{ keyId: string; publicKeyPem: string }[]> {
    const rows = await this.db.execute<{ key_id: string; public_key_pem: string }>(
      'select key_id, public_key_pem from marketplace.publisher_keys where publisher_id = $1 and revoked_at is null order by key_id',
      [publisherId],
    );
    return rows.map((r) => ({ keyId: r.key_id, publicKeyPem: r.public_key_pem }));
  }

  /**
   * Writes a new version in one transaction: claims the package id for the publisher on its first publish (refusing
   * an id another publisher owns), inserts the version and its bytes, and moves the package's `latest`.
   */
  async publish(input: NewVersion): Promise<VersionRecord> {
    return this.db.transaction(async (tx) => {
      await tx.query('insert into marketplace.packages (id, publisher_id) values ($1, $2) on conflict (id) do nothing', [input.packageId, input.publisherId]);
      // Locks the package row: concurrent publishes of one package go one after the other.
      const [owner] = await tx.query<{ publisher_id: string }>('select publisher_id from marketplace.packages where id = $1 for update', [input.packageId]);
      if (owner!.publisher_id !== input.publisherId) throw new VvError('VV_PACKAGE_ID_TAKEN', { params: { package: input.packageId } });
      const [exists] = await tx.query('select 1 from marketplace.package_versions where package_id = $1 and version = $2', [input.packageId, input.version]);
      if (exists) throw new VvError('VV_PACKAGE_VERSION_EXISTS', { params: { package: input.packageId, version: input.version } });
      const [row] = await tx.query<VersionRow>(
        `insert into marketplace.package_versions (package_id, version, kernel_range, manifest, display_name, description, categories, readme, icon_path,
           permissions, size, integrity, signer_key_id, published_by)
         values ($1, $2, $3, $4::jsonb, $5, $6, $7::text[], $8, $9, $10::jsonb, $11, $12, $13, $14)
         returning ${VERSION_COLUMNS}`,
        [
          input.packageId,
          input.version,
          input.kernel,
          JSON.stringify(input.manifest),
          input.displayName,
          input.description,
          [...input.categories],
          input.readme,
          input.icon?.path ?? null,
          JSON.stringify(input.permissions),
          input.content.length,
          input.integrity,
          input.signerKeyId,
          input.publisherId,
        ],
      );
      await tx.query('insert into marketplace.package_blobs (package_id, version, content, icon) values ($1, $2, $3, $4)', [
        input.packageId,
        input.version,
        input.content,
        input.icon?.bytes ?? null,
      ]);
      await this.refreshLatest(tx, input.packageId);
      return toVersion(row!);
    });
  }

  /** Marks a version yanked (idempotent) and moves the package's `latest`; false when there is no such version. */
  async yank(packageId: string, version: string): Promise<VersionRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<VersionRow>(
        `update marketplace.package_versions set yanked_at = coalesce(yanked_at, now()) where package_id = $1 and version = $2 returning ${VERSION_COLUMNS}`,
        [packageId, version],
      );
      if (!row) return undefined;
      await this.refreshLatest(tx, packageId);
      return toVersion(row);
    });
  }

  /** The package's display fields follow its latest non-yanked version (or stay as they were when all are yanked). */
  private async refreshLatest(tx: SqlTransaction, packageId: string): Promise<void> {
    const versions = await tx.query<{ version: string; yanked: boolean }>(
      'select version, yanked_at is not null as yanked from marketplace.package_versions where package_id = $1',
      [packageId],
    );
    const latest = latestOf(versions);
    if (latest === null) {
      await tx.query('update marketplace.packages set latest_version = null, updated_at = now() where id = $1', [packageId]);
      return;
    }
    await tx.query(
      `update marketplace.packages p set latest_version = v.version, display_name = v.display_name, description = v.description, categories = v.categories,
         updated_at = now()
       from marketplace.package_versions v where p.id = $1 and v.package_id = p.id and v.version = $2`,
      [packageId, latest],
    );
  }

  /**
   * Packages with a non-yanked version, by id, `q` matching the id, display name, description or a category (any
   * case), `category` one of its categories; a page of `limit` after the id `after`.
   */
  async search(query: SearchQuery): Promise<{ items: PackageRecord[]; more: boolean }> {
    const params: unknown[] = [];
    const where = ['p.latest_version is not null'];
    if (query.q) {
      params.push(`%${likeEscaped(query.q.toLowerCase())}%`);
      where.push(`lower(p.id || ' ' || p.display_name || ' ' || p.description || ' ' || array_to_string(p.categories, ' ')) like $${params.length}`);
    }
    if (query.category) {
      params.push([query.category]);
      where.push(`p.categories @> $${params.length}::text[]`);
    }
    if (query.after !== undefined) {
      params.push(query.after);
      where.push(`p.id > $${params.length}`);
    }
    params.push(query.limit + 1);
    const rows = await this.db.execute<PackageRow>(`${PACKAGE_SELECT} where ${where.join(' and ')} order by p.id limit $${params.length}`, params);
    return { items: rows.slice(0, query.limit).map(toPackage), more: rows.length > query.limit };
  }

  async getPackage(id: string): Promise<(PackageRecord & { readme: string; versions: VersionRecord[] }) | undefined> {
    const [row] = await this.db.execute<PackageRow>(`${PACKAGE_SELECT} where p.id = $1`, [id]);
    if (!row) return undefined;
    const versions = (await this.db.execute<VersionRow>(`select ${VERSION_COLUMNS} from marketplace.package_versions where package_id = $1`, [id])).map(toVersion);
    versions.sort((a, b) => semver.rcompare(a.version, b.version));
    // The readme shown is the latest version's (else the newest version's, when every version is yanked).
    const shown = row.latest_version ?? versions[0]?.version ?? null;
    const [readme] = shown ? await this.db.execute<{ readme: string }>('select readme from marketplace.package_versions where package_id = $1 and version = $2', [id, shown]) : [];
    return { ...toPackage(row), readme: readme?.readme ?? '', versions };
  }

  async getVersion(packageId: string, version: string): Promise<VersionRecord | undefined> {
    const [row] = await this.db.execute<VersionRow>(`select ${VERSION_COLUMNS} from marketplace.package_versions where package_id = $1 and version = $2`, [packageId, version]);
    return row && toVersion(row);
  }

  /** The package file of one version, counting the download; undefined when there is no such version. */
  async download(packageId: string, version: string): Promise<{ content: Buffer; integrity: string } | undefined> {
    const [row] = await this.db.execute<{ content: Uint8Array; integrity: string }>(
      `with counted as (
         update marketplace.package_versions set downloads = downloads + 1 where package_id = $1 and version = $2 returning package_id, version, integrity
       )
       select b.content, c.integrity from counted c join marketplace.package_blobs b on b.package_id = c.package_id and b.version = c.version`,
      [packageId, version],
    );
    return row && { content: bytes(row.content), integrity: row.integrity };
  }

  async icon(packageId: string, version: string): Promise<{ path: string; bytes: Buffer } | undefined> {
    const [row] = await this.db.execute<{ icon_path: string | null; icon: Uint8Array | null }>(
      `select v.icon_path, b.icon from marketplace.package_versions v join marketplace.package_blobs b on b.package_id = v.package_id and b.version = v.version
        where v.package_id = $1 and v.version = $2`,
      [packageId, version],
    );
    return row?.icon_path && row.icon ? { path: row.icon_path, bytes: bytes(row.icon) } : undefined;
  }
}
