/**
 * The person a privacy request is about. `pseudonym` is what replaces them wherever a record must stay (audit
 * entries, foreign keys): the same value in every plugin for one request, e.g. `erased-3f9c…`.
 */
export interface PrivacySubject {
  /** The user id (`kernel.users.id`), when the person has an account. */
  readonly userId?: string;
  /** The email address, matched case-insensitively. */
  readonly email?: string;
  /** Names the person is known by (display names, contact names), matched case-insensitively. */
  readonly names?: readonly string[];
  readonly pseudonym: string;
}

/** A plugin's rows for one tenant: table name → rows as JSON values (dates as ISO strings). */
export type PrivacyTables = Readonly<Record<string, readonly Record<string, unknown>[]>>;

/** What one handler did: rows changed (erase: pseudonymised or deleted; purge: deleted) per table. */
export interface PrivacyReport {
  readonly rows: Readonly<Record<string, number>>;
}

/**
 * The privacy contract (modelled on Shopify's mandatory `customers/data_request`, `customers/redact` and
 * `shop/redact` webhooks). A plugin whose manifest says `"personalData": true` registers it in setup with
 * `registrar.privacy(…)`; the kernel refuses to start such a plugin without it (`VV_PRIVACY_HANDLERS_MISSING`).
 * The kernel calls it for tenant exports, imports, erasure requests and the purge of deleted tenants, whether the
 * plugin is enabled for the tenant or not.
 *
 * @example
 * setup({ db }, registrar) {
 *   registrar.privacy(tablePrivacy(db, [{ table: 'customers' }, { table: 'invoices' }]));
 * }
 */
export interface PluginPrivacy {
  /** Every row the plugin keeps for the tenant, or only those about `subject` (a data request). */
  export(tenantId: string, subject?: PrivacySubject): Promise<PrivacyTables>;
  /** Writes an export of this plugin back into an empty tenant (another deployment's, or the same id re-created). */
  import(tenantId: string, tables: PrivacyTables): Promise<PrivacyReport>;
  /** Removes or pseudonymises every trace of `subject` in the tenant's data. */
  erase(tenantId: string, subject: PrivacySubject): Promise<PrivacyReport>;
  /** Deletes everything the plugin keeps for the tenant (the tenant was deleted and its retention ended). */
  purge(tenantId: string): Promise<PrivacyReport>;
  /**
   * Retention: per data class the plugin keeps (e.g. `measurements`, `usage-events`), deletes the tenant's records
   * older than `before` and returns how many went. The kernel's scheduled retention job calls it with each tenant's
   * policy for that class (`/api/v1/admin/tenants/:tenantId/retention`).
   */
  readonly retention?: Readonly<Record<string, (tenantId: string, before: Date) => Promise<number>>>;
}
