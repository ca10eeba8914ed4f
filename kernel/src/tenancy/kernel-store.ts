import type { Page, Role, TenantLogo } from '@valueverse/plugin-sdk';

export type TenantStatus = 'active' | 'suspended';

export interface TenantRecord {
  readonly id: string;
  readonly name: string;
  readonly status: TenantStatus;
  /** Quotas and other tenant settings. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One entry of a tenant's plugin set: desired state. Secret config fields are stored encrypted. */
export interface TenantPluginRecord {
  readonly tenantId: string;
  readonly pluginId: string;
  readonly enabled: boolean;
  /** Plugin version the tenant runs, or null for "the installed one". */
  readonly version: string | null;
  /** Config with `x-secret` fields replaced by their ciphertext (see `SecretBox`). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Permissions granted to the plugin for this tenant (a copy of the manifest's at enable time). */
  readonly permissions: readonly string[];
  readonly updatedAt: string;
}

/** One page of the tenant list (`GET /api/v1/admin/tenants`). */
export interface TenantQuery {
  /** Case-insensitive: tenants whose id or name contains it. Empty or absent: every tenant. */
  readonly q?: string;
  /** Page size, 1-200. */
  readonly limit: number;
  /** `nextCursor` of the previous page (opaque; anything else is `VV_VALIDATION`). */
  readonly cursor?: string;
}

export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly platformAdmin: boolean;
  readonly createdAt: string;
}

/**
 * What a person says about themself, for messages addressed to them (`core.directory` hands it to plugins): each
 * null until they set it. `locale` is a canonical BCP 47 tag (`de-DE`), `timeZone` an IANA zone (`Europe/Berlin`).
 */
export interface UserProfile {
  readonly displayName: string | null;
  readonly locale: string | null;
  readonly timeZone: string | null;
}

export interface MembershipRecord {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: Role;
}

/**
 * Where the kernel keeps platform state: tenants, their plugin sets, users and memberships.
 * Implementations: `MemoryKernelStore` (tests) and the MikroORM/PostgreSQL store (embedded PGlite or a server).
 * Every implementation passes `kernel-store.contract.ts`.
 */
export interface KernelStore {
  /** Creates or migrates the schema; idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;

  /** One page of tenants sorted by id (code-point order), filtered by `q`. */
  listTenants(query: TenantQuery): Promise<Page<TenantRecord>>;
  /**
   * Ids of the active tenants that have the plugin enabled, sorted by id (who gets a run of a plugin's `perTenant`
   * schedule): one query, not one plugin-set read per tenant. With `includeSuspended`, suspended tenants that have it
   * enabled too (an uninstall must see every tenant whose plugin set names it, not only those serving now).
   */
  listTenantsWithPlugin(pluginId: string, options?: { readonly includeSuspended?: boolean }): Promise<string[]>;
  getTenant(id: string): Promise<TenantRecord | undefined>;
  /** Throws `VV_CONFLICT` when the id exists, `VV_VALIDATION` for an unknown status. */
  createTenant(tenant: Pick<TenantRecord, 'id' | 'name'> & Partial<Pick<TenantRecord, 'status' | 'settings'>>): Promise<TenantRecord>;
  updateTenant(id: string, patch: Partial<Pick<TenantRecord, 'name' | 'status' | 'settings'>>): Promise<TenantRecord | undefined>;
  /** Deletes the tenant with its plugin set, memberships and logo. */
  deleteTenant(id: string): Promise<boolean>;
  /**
   * The tenant's logo, kept apart from the tenant (`kernel.tenant_logos`) so that tenant reads (the tenant list, each
   * instance's tenant view) never carry the image: only the documents that show it read it.
   */
  getTenantLogo(tenantId: string): Promise<TenantLogo | undefined>;
  /** Sets the tenant's logo, or removes it with `null`. Throws `VV_TENANT_UNKNOWN` for an unknown tenant. */
  setTenantLogo(tenantId: string, logo: TenantLogo | null): Promise<void>;

  /** Sorted by plugin id. */
  listTenantPlugins(tenantId: string): Promise<TenantPluginRecord[]>;
  /**
   * Upserts all records in one transaction: a cascade either lands whole or not at all. The last record wins when
   * a plugin id repeats. Throws `VV_TENANT_UNKNOWN` when the tenant does not exist.
   */
  saveTenantPlugins(tenantId: string, records: readonly Omit<TenantPluginRecord, 'updatedAt'>[]): Promise<void>;
  /**
   * A number that grows on every `saveTenantPlugins` of the tenant and is never reused (not even after the tenant
   * is deleted and re-created); 0 before the first save. A plugin-set cache compares it to decide whether its copy
   * is stale.
   */
  getPluginSetVersion?(tenantId: string): Promise<number>;

  getUser(id: string): Promise<UserRecord | undefined>;
  /** Case-insensitive. */
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  /** Throws `VV_CONFLICT` when the email (case-insensitive) or the id exists. */
  createUser(user: Omit<UserRecord, 'createdAt'>): Promise<UserRecord>;
  /** Replaces the user's password hash; false when there is no such user. */
  setPasswordHash(userId: string, passwordHash: string): Promise<boolean>;
  /** The user's profile (every field null until set); undefined for an unknown user. */
  getUserProfile(userId: string): Promise<UserProfile | undefined>;
  /** Replaces the user's profile (checked by the caller, `checkUserProfile`); false when there is no such user. */
  setUserProfile(userId: string, profile: UserProfile): Promise<boolean>;
  /** Sorted by tenant id. */
  listMemberships(userId: string): Promise<MembershipRecord[]>;
  /**
   * Creates or changes the user's role in the tenant. Throws `VV_TENANT_UNKNOWN` for an unknown tenant,
   * `VV_NOT_FOUND` for an unknown user, `VV_VALIDATION` for an unknown role.
   */
  setMembership(membership: MembershipRecord): Promise<void>;
  /** The tenant's members with their emails and profiles, sorted by email. */
  listTenantMembers(tenantId: string): Promise<(MembershipRecord & UserProfile & { readonly email: string })[]>;
  /** False when there was no such membership. */
  removeMembership(userId: string, tenantId: string): Promise<boolean>;
}
