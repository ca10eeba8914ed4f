import { encodeCursor, VvError, type Page, type TenantLogo } from '@valueverse/plugin-sdk';
import type { KernelStore, MembershipRecord, TenantPluginRecord, TenantQuery, TenantRecord, UserProfile, UserRecord } from './kernel-store';
import { checkMembership, checkTenantStatus, tenantCursorId, tenantSearchText } from './kernel-store-checks';

/** Code-point order, as PostgreSQL sorts the kernel's `collate "C"` ids (localeCompare would differ by locale). */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const noProfile: UserProfile = Object.freeze({ displayName: null, locale: null, timeZone: null });

/** In-memory `KernelStore` for unit tests and benchmarks; same semantics as the PostgreSQL store. */
export class MemoryKernelStore implements KernelStore {
  private readonly tenants = new Map<string, TenantRecord>();
  private readonly logos = new Map<string, TenantLogo>();
  private readonly plugins = new Map<string, Map<string, TenantPluginRecord>>();
  private readonly pluginSetVersions = new Map<string, number>();
  private lastPluginSetVersion = 0;
  private readonly users = new Map<string, UserRecord>();
  private readonly profiles = new Map<string, UserProfile>();
  private readonly memberships = new Map<string, MembershipRecord>();

  async init(): Promise<void> {}
  async close(): Promise<void> {}

  async listTenants(query: TenantQuery): Promise<Page<TenantRecord>> {
    const q = tenantSearchText(query.q);
    const after = tenantCursorId(query.cursor);
    const matching = [...this.tenants.values()]
      .filter((t) => (after === undefined || t.id > after) && (q === undefined || `${t.id} ${t.name}`.toLowerCase().includes(q)))
      .sort((a, b) => byCodePoint(a.id, b.id));
    const items = matching.slice(0, query.limit);
    return { items, nextCursor: matching.length > query.limit ? encodeCursor([items[items.length - 1]!.id]) : null };
  }

  async listTenantsWithPlugin(pluginId: string, options: { readonly includeSuspended?: boolean } = {}): Promise<string[]> {
    return [...this.tenants.values()]
      .filter((t) => (t.status === 'active' || options.includeSuspended === true) && this.plugins.get(t.id)?.get(pluginId)?.enabled === true)
      .map((t) => t.id)
      .sort(byCodePoint);
  }

  async getTenant(id: string): Promise<TenantRecord | undefined> {
    return this.tenants.get(id);
  }

  async createTenant(t: Pick<TenantRecord, 'id' | 'name'> & Partial<Pick<TenantRecord, 'status' | 'settings'>>): Promise<TenantRecord> {
    const status = checkTenantStatus(t.status ?? 'active');
    if (this.tenants.has(t.id)) throw new VvError('VV_CONFLICT', { detail: `Tenant "${t.id}" already exists` });
    const now = new Date().toISOString();
    const record: TenantRecord = { id: t.id, name: t.name, status, settings: t.settings ?? {}, createdAt: now, updatedAt: now };
    this.tenants.set(t.id, record);
    return record;
  }

  async updateTenant(id: string, patch: Partial<Pick<TenantRecord, 'name' | 'status' | 'settings'>>): Promise<TenantRecord | undefined> {
    if (patch.status !== undefined) checkTenantStatus(patch.status);
    const current = this.tenants.get(id);
    if (!current) return undefined;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    const next: TenantRecord = { ...current, ...defined, updatedAt: new Date().toISOString() };
    this.tenants.set(id, next);
    return next;
  }

  async deleteTenant(id: string): Promise<boolean> {
    this.plugins.delete(id);
    this.pluginSetVersions.delete(id);
    for (const [key, m] of this.memberships) if (m.tenantId === id) this.memberships.delete(key);
    this.logos.delete(id);
    return this.tenants.delete(id);
  }

  async getTenantLogo(tenantId: string): Promise<TenantLogo | undefined> {
    return this.logos.get(tenantId);
  }

  async setTenantLogo(tenantId: string, logo: TenantLogo | null): Promise<void> {
    if (!this.tenants.has(tenantId)) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
    if (logo) this.logos.set(tenantId, { mediaType: logo.mediaType, data: logo.data });
    else this.logos.delete(tenantId);
  }

  async listTenantPlugins(tenantId: string): Promise<TenantPluginRecord[]> {
    return [...(this.plugins.get(tenantId)?.values() ?? [])].sort((a, b) => byCodePoint(a.pluginId, b.pluginId));
  }

  async saveTenantPlugins(tenantId: string, records: readonly Omit<TenantPluginRecord, 'updatedAt'>[]): Promise<void> {
    if (!this.tenants.has(tenantId)) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
    if (records.length === 0) return;
    const set = this.plugins.get(tenantId) ?? new Map<string, TenantPluginRecord>();
    const now = new Date().toISOString();
    for (const r of records) set.set(r.pluginId, { ...r, tenantId, updatedAt: now });
    this.plugins.set(tenantId, set);
    this.pluginSetVersions.set(tenantId, ++this.lastPluginSetVersion);
  }

  async getPluginSetVersion(tenantId: string): Promise<number> {
    return this.pluginSetVersions.get(tenantId) ?? 0;
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    return this.users.get(id);
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.email.toLowerCase() === wanted);
  }

  async createUser(user: Omit<UserRecord, 'createdAt'>): Promise<UserRecord> {
    if (await this.findUserByEmail(user.email)) throw new VvError('VV_CONFLICT', { detail: `User "${user.email}" already exists` });
    if (this.users.has(user.id)) throw new VvError('VV_CONFLICT', { detail: `User id "${user.id}" already exists` });
    const record: UserRecord = { ...user, createdAt: new Date().toISOString() };
    this.users.set(user.id, record);
    return record;
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user) return false;
    this.users.set(userId, { ...user, passwordHash });
    return true;
  }

  async listMemberships(userId: string): Promise<MembershipRecord[]> {
    return [...this.memberships.values()].filter((m) => m.userId === userId).sort((a, b) => byCodePoint(a.tenantId, b.tenantId));
  }

  async setMembership(membership: MembershipRecord): Promise<void> {
    const { userId, tenantId, role } = checkMembership(membership);
    if (!this.tenants.has(tenantId)) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
    if (!this.users.has(userId)) throw new VvError('VV_NOT_FOUND', { detail: `User "${userId}" does not exist` });
    this.memberships.set(`${userId}\u0000${tenantId}`, { userId, tenantId, role });
  }

  async getUserProfile(userId: string): Promise<UserProfile | undefined> {
    if (!this.users.has(userId)) return undefined;
    return this.profiles.get(userId) ?? noProfile;
  }

  async setUserProfile(userId: string, profile: UserProfile): Promise<boolean> {
    if (!this.users.has(userId)) return false;
    this.profiles.set(userId, { displayName: profile.displayName, locale: profile.locale, timeZone: profile.timeZone });
    return true;
  }

  async listTenantMembers(tenantId: string): Promise<(MembershipRecord & UserProfile & { email: string })[]> {
    return [...this.memberships.values()]
      .filter((m) => m.tenantId === tenantId)
      .map((m) => ({ ...m, email: this.users.get(m.userId)!.email, ...(this.profiles.get(m.userId) ?? noProfile) }))
      .sort((a, b) => byCodePoint(a.email.toLowerCase(), b.email.toLowerCase()));
  }

  async removeMembership(userId: string, tenantId: string): Promise<boolean> {
    return this.memberships.delete(`${userId}\u0000${tenantId}`);
  }
}
