import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { encodeCursor, VvError, type Page, type TenantLogo } from '@valueverse/plugin-sdk';
import type { Database, KernelStore, MembershipRecord, TenantPluginRecord, TenantQuery, TenantRecord, UserProfile, UserRecord } from '@valueverse/kernel';
import { checkMembership, checkTenantStatus, tenantCursorId, tenantSearchText, type TenantStatus } from '@valueverse/kernel/backend';
import { MembershipEntity, TenantEntity, TenantPluginEntity, UserEntity, type MembershipRow, type TenantPluginRow, type TenantRow, type UserRow } from '../data/kernel-entities';
import { kernelMigrations } from '../data/kernel-migrations';

/** Exactly the expression `tenants_search_trgm_idx` (kernel_0007_tenant_search) is built on, so the search uses it. */
const TENANT_SEARCH_EXPRESSION = `lower((id || ' ' || name) collate "default")`;

export interface PostgresKernelStoreOptions {
  /** Close the database in `close()`. Off by default: whoever opened the database closes it. */
  readonly ownsDatabase?: boolean;
}

/**
 * `KernelStore` on PostgreSQL (a server or embedded PGlite) through MikroORM, tables in schema `kernel`.
 * Same semantics as `MemoryKernelStore`; both pass `kernel-store.contract.ts`. Every method works on its own
 * EntityManager fork, so the store holds no per-request state and is safe to share.
 */
export class PostgresKernelStore implements KernelStore {
  constructor(
    private readonly db: Database,
    private readonly options: PostgresKernelStoreOptions = {},
  ) {}

  async init(): Promise<void> {
    await this.db.migrate({ schema: 'kernel', migrations: kernelMigrations });
  }

  async close(): Promise<void> {
    if (this.options.ownsDatabase) await this.db.close();
  }

  async listTenants(query: TenantQuery): Promise<Page<TenantRecord>> {
    const q = tenantSearchText(query.q);
    const after = tenantCursorId(query.cursor);
    const where: string[] = [];
    const params: unknown[] = [];
    if (after !== undefined) where.push(`id > $${params.push(after)}`);
    if (q !== undefined) where.push(`${TENANT_SEARCH_EXPRESSION} like $${params.push(`%${q.replace(/[\\%_]/g, '\\$&')}%`)}`);
    const rows = await this.db.execute<{ id: string; name: string; status: string; settings: Record<string, unknown>; created_at: Date | string; updated_at: Date | string }>(
      `select id, name, status, settings, created_at, updated_at from kernel.tenants
        ${where.length > 0 ? `where ${where.join(' and ')}` : ''} order by id limit $${params.push(query.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, query.limit).map((r) => toTenantRecord(fromRawTenant(r)));
    return { items, nextCursor: rows.length > query.limit ? encodeCursor([items[items.length - 1]!.id]) : null };
  }

  async listTenantsWithPlugin(pluginId: string, options: { readonly includeSuspended?: boolean } = {}): Promise<string[]> {
    const rows = await this.db.execute<{ id: string }>(
      `select t.id from kernel.tenant_plugins p join kernel.tenants t on t.id = p.tenant_id
        where p.plugin_id = $1 and p.enabled and (t.status = 'active' or $2) order by t.id`,
      [pluginId, options.includeSuspended === true],
    );
    return rows.map((r) => r.id);
  }

  // getTenant and listTenantPlugins are the cold path of a request (a tenant's first on this instance, or after its
  // plugin set left the cache): one plain statement each, without an EntityManager fork, query building and
  // hydration, which cost as much CPU as the rest of that request (issue #14).
  async getTenant(id: string): Promise<TenantRecord | undefined> {
    const [row] = await this.db.execute<RawTenantRow>('select id, name, status, settings, created_at, updated_at from kernel.tenants where id = $1', [id]);
    return row ? toTenantRecord(fromRawTenant(row)) : undefined;
  }

  async createTenant(t: Pick<TenantRecord, 'id' | 'name'> & Partial<Pick<TenantRecord, 'status' | 'settings'>>): Promise<TenantRecord> {
    const status = checkTenantStatus(t.status ?? 'active');
    const now = new Date();
    const row: TenantRow = { id: t.id, name: t.name, status, settings: { ...(t.settings ?? {}) }, createdAt: now, updatedAt: now };
    try {
      await this.em().insert(TenantEntity, row);
    } catch (error) {
      if (constraintOf(error) === 'tenants_pkey') {
        throw new VvError('VV_CONFLICT', { detail: `Tenant "${t.id}" already exists`, cause: error });
      }
      throw error;
    }
    return toTenantRecord(row);
  }

  async updateTenant(id: string, patch: Partial<Pick<TenantRecord, 'name' | 'status' | 'settings'>>): Promise<TenantRecord | undefined> {
    if (patch.status !== undefined) checkTenantStatus(patch.status);
    return this.em().transactional(async (em) => {
      const row = await em.findOne(TenantEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) return undefined;
      if (patch.name !== undefined) row.name = patch.name;
      if (patch.status !== undefined) row.status = patch.status;
      if (patch.settings !== undefined) row.settings = { ...patch.settings };
      row.updatedAt = new Date();
      await em.flush();
      return toTenantRecord(row);
    });
  }

  async deleteTenant(id: string): Promise<boolean> {
    // Plugin set, memberships, logo and the plugin-set version go with it (on delete cascade).
    return (await this.em().nativeDelete(TenantEntity, { id })) > 0;
  }

  // kernel.tenant_logos has row-level security on app.tenant_id (kernel_0011_tenant_logos): each statement runs in
  // a transaction bound to its tenant.
  async getTenantLogo(tenantId: string): Promise<TenantLogo | undefined> {
    const rows = await this.db.withTenantTransaction(tenantId, (tx) =>
      tx.query<{ media_type: TenantLogo['mediaType']; data: Uint8Array }>('select media_type, data from kernel.tenant_logos where tenant_id = $1', [tenantId]),
    );
    return rows[0] ? { mediaType: rows[0].media_type, data: Buffer.from(rows[0].data).toString('base64') } : undefined;
  }

  async setTenantLogo(tenantId: string, logo: TenantLogo | null): Promise<void> {
    await this.db.withTenantTransaction(tenantId, async (tx) => {
      // FOR SHARE: a concurrent deleteTenant waits for this transaction instead of racing it.
      const tenant = await tx.query('select 1 from kernel.tenants where id = $1 for share', [tenantId]);
      if (tenant.length === 0) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
      if (!logo) {
        await tx.query('delete from kernel.tenant_logos where tenant_id = $1', [tenantId]);
        return;
      }
      await tx.query(
        `insert into kernel.tenant_logos (tenant_id, media_type, data, updated_at) values ($1, $2, $3, now())
         on conflict (tenant_id) do update set media_type = excluded.media_type, data = excluded.data, updated_at = excluded.updated_at`,
        [tenantId, logo.mediaType, Buffer.from(logo.data, 'base64')],
      );
    });
  }

  async listTenantPlugins(tenantId: string): Promise<TenantPluginRecord[]> {
    const rows = await this.db.execute<RawTenantPluginRow>(
      'select tenant_id, plugin_id, enabled, version, config, permissions, updated_at from kernel.tenant_plugins where tenant_id = $1 order by plugin_id',
      [tenantId],
    );
    return rows.map((r) =>
      toTenantPluginRecord({
        tenantId: r.tenant_id,
        pluginId: r.plugin_id,
        enabled: r.enabled,
        version: r.version,
        config: r.config,
        permissions: r.permissions,
        updatedAt: new Date(r.updated_at),
      }),
    );
  }

  async saveTenantPlugins(tenantId: string, records: readonly Omit<TenantPluginRecord, 'updatedAt'>[]): Promise<void> {
    await this.em().transactional(async (em) => {
      // FOR SHARE: a concurrent deleteTenant waits for this transaction instead of racing it.
      const tenant = await em.findOne(TenantEntity, { id: tenantId }, { lockMode: LockMode.PESSIMISTIC_READ, fields: ['id'] });
      if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
      if (records.length === 0) return;
      const now = new Date();
      // Last record per plugin wins, as in MemoryKernelStore (one INSERT … ON CONFLICT may not touch a row twice).
      const byPlugin = new Map<string, TenantPluginRow>();
      for (const r of records) {
        byPlugin.set(r.pluginId, {
          tenantId,
          pluginId: r.pluginId,
          enabled: r.enabled,
          version: r.version ?? null,
          config: { ...r.config },
          permissions: [...r.permissions],
          updatedAt: now,
        });
      }
      await em.upsertMany(TenantPluginEntity, [...byPlugin.values()]);
      await em.execute(
        `insert into kernel.plugin_set_versions (tenant_id, version) values (?, nextval('kernel.plugin_set_version_seq'))
         on conflict (tenant_id) do update set version = excluded.version`,
        [tenantId],
      );
    });
  }

  async getPluginSetVersion(tenantId: string): Promise<number> {
    const rows = await this.em().execute<{ version: string }[]>('select version from kernel.plugin_set_versions where tenant_id = ?', [tenantId]);
    return rows[0] ? Number(rows[0].version) : 0;
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const row = await this.em().findOne(UserEntity, { id });
    return row ? toUserRecord(row) : undefined;
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    // lower(email) is what the unique index users_email_lower_key is built on, so this lookup uses it.
    const row = await this.em().createQueryBuilder(UserEntity).select('*').where('lower(email) = lower(?)', [email]).getSingleResult();
    return row ? toUserRecord(row) : undefined;
  }

  async createUser(user: Omit<UserRecord, 'createdAt'>): Promise<UserRecord> {
    const row: UserRow = {
      id: user.id,
      email: user.email,
      passwordHash: user.passwordHash,
      platformAdmin: user.platformAdmin,
      createdAt: new Date(),
    };
    try {
      await this.em().insert(UserEntity, row);
    } catch (error) {
      const constraint = constraintOf(error);
      if (constraint === 'users_email_lower_key') {
        throw new VvError('VV_CONFLICT', { detail: `User "${user.email}" already exists`, cause: error });
      }
      if (constraint === 'users_pkey') {
        throw new VvError('VV_CONFLICT', { detail: `User id "${user.id}" already exists`, cause: error });
      }
      throw error;
    }
    return toUserRecord(row);
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<boolean> {
    const rows = await this.db.execute('update kernel.users set password_hash = $2 where id = $1 returning id', [userId, passwordHash]);
    return rows.length > 0;
  }

  async listMemberships(userId: string): Promise<MembershipRecord[]> {
    const rows = await this.em().find(MembershipEntity, { userId }, { orderBy: { tenantId: 'asc' } });
    return rows.map(toMembershipRecord);
  }

  async setMembership(membership: MembershipRecord): Promise<void> {
    const { userId, tenantId, role } = checkMembership(membership);
    try {
      await this.em().upsert(MembershipEntity, { userId, tenantId, role });
    } catch (error) {
      const constraint = constraintOf(error);
      if (constraint === 'memberships_tenant_fkey') {
        throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId }, cause: error });
      }
      if (constraint === 'memberships_user_fkey') {
        throw new VvError('VV_NOT_FOUND', { detail: `User "${userId}" does not exist`, cause: error });
      }
      throw error;
    }
  }

  async getUserProfile(userId: string): Promise<UserProfile | undefined> {
    const [row] = await this.db.execute<ProfileRow>('select display_name, locale, time_zone from kernel.users where id = $1', [userId]);
    return row ? toProfile(row) : undefined;
  }

  async setUserProfile(userId: string, profile: UserProfile): Promise<boolean> {
    const rows = await this.db.execute('update kernel.users set display_name = $2, locale = $3, time_zone = $4 where id = $1 returning id', [
      userId,
      profile.displayName,
      profile.locale,
      profile.timeZone,
    ]);
    return rows.length > 0;
  }

  async listTenantMembers(tenantId: string): Promise<(MembershipRecord & UserProfile & { email: string })[]> {
    const rows = await this.db.execute<{ user_id: string; tenant_id: string; role: MembershipRecord['role']; email: string } & ProfileRow>(
      `select m.user_id, m.tenant_id, m.role, u.email, u.display_name, u.locale, u.time_zone from kernel.memberships m join kernel.users u on u.id = m.user_id
        where m.tenant_id = $1 order by lower(u.email) collate "C"`,
      [tenantId],
    );
    return rows.map((r) => ({ userId: r.user_id, tenantId: r.tenant_id, role: r.role, email: r.email, ...toProfile(r) }));
  }

  async removeMembership(userId: string, tenantId: string): Promise<boolean> {
    const rows = await this.db.execute('delete from kernel.memberships where user_id = $1 and tenant_id = $2 returning user_id', [userId, tenantId]);
    return rows.length === 1;
  }

  private em(): EntityManager {
    return this.db.orm.em.fork();
  }
}

interface ProfileRow {
  display_name: string | null;
  locale: string | null;
  time_zone: string | null;
}

const toProfile = (r: ProfileRow): UserProfile => ({ displayName: r.display_name, locale: r.locale, timeZone: r.time_zone });

/** Name of the violated constraint: pg and PGlite both report it, and MikroORM's exceptions copy it over. */
function constraintOf(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/** A `kernel.tenants` row as plain SQL returns it (timestamps are Dates on pg, text on some drivers). */
interface RawTenantRow {
  id: string;
  name: string;
  status: string;
  settings: Record<string, unknown>;
  created_at: Date | string;
  updated_at: Date | string;
}

interface RawTenantPluginRow {
  tenant_id: string;
  plugin_id: string;
  enabled: boolean;
  version: string | null;
  config: Record<string, unknown>;
  permissions: string[];
  updated_at: Date | string;
}

function fromRawTenant(r: RawTenantRow): TenantRow {
  return { id: r.id, name: r.name, status: r.status, settings: r.settings, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at) };
}

function toTenantRecord(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status as TenantStatus,
    settings: row.settings,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toTenantPluginRecord(row: TenantPluginRow): TenantPluginRecord {
  return {
    tenantId: row.tenantId,
    pluginId: row.pluginId,
    enabled: row.enabled,
    version: row.version,
    config: row.config,
    permissions: row.permissions,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.passwordHash,
    platformAdmin: row.platformAdmin,
    createdAt: row.createdAt.toISOString(),
  };
}

function toMembershipRecord(row: MembershipRow): MembershipRecord {
  return { userId: row.userId, tenantId: row.tenantId, role: row.role as MembershipRecord['role'] };
}
