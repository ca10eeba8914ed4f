import type { MigrationObject, MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { SqlTransaction } from '@valueverse/plugin-sdk';

// The contract of the kernel's database. Its implementation (MikroORM on a PostgreSQL server, or embedded PGlite)
// is `openDatabase` in @valueverse/backend-defaults.

export interface MigrateOptions {
  readonly schema: string;
  readonly migrations: readonly MigrationObject[];
  readonly direction?: 'up' | 'down';
  /** With `down`: revert newest first through this migration (included); `0` reverts all; unset the newest only. */
  readonly to?: string | 0;
}

export interface TenantTransactionOptions {
  /** Run as this role (`set local role`): a non-owner role, so row-level security applies. */
  readonly role?: string;
  /** Schema first on the search path. */
  readonly searchPath?: string;
}

/** The kernel's database: MikroORM on PostgreSQL, embedded (PGlite) or a server, with raw SQL helpers. */
export interface Database {
  /** `embedded` (PGlite, one connection) or `server` (pooled `pg` connections). */
  readonly kind: 'embedded' | 'server';
  /** The MikroORM instance. Use `orm.em.fork()` per unit of work; the global EntityManager is not allowed. */
  readonly orm: MikroORM<PostgreSqlDriver>;
  /** Runs one statement with PostgreSQL placeholders (`$1`, `$2`…) and returns its rows. */
  execute<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `work` in a transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * Like `transaction`, with `app.tenant_id` set for the transaction only (`set_config(…, true)`): what row-level
   * security policies on `current_setting('app.tenant_id')` will check.
   */
  withTenantTransaction<T>(tenantId: string, work: (tx: SqlTransaction) => Promise<T>, options?: TenantTransactionOptions): Promise<T>;
  /**
   * One statement in a transaction of its own (`begin read only` with `readOnly`), bound to the tenant like
   * `withTenantTransaction`, returning its rows. On a server it is one round trip: `begin`, the binding, the
   * statement (its parameters inlined as literals by `inlineParameters`) and `commit` in one simple-protocol
   * message. Embedded, a transaction with bound parameters.
   */
  statementAsTenant<R = Record<string, unknown>>(
    tenantId: string,
    sql: string,
    params?: readonly unknown[],
    options?: TenantTransactionOptions & { readonly readOnly?: boolean },
  ): Promise<R[]>;
  /**
   * Applies the pending migrations of one schema in one transaction and returns the names applied; with
   * `direction: 'down'` reverts (newest first) and returns the names reverted.
   */
  migrate(options: MigrateOptions): Promise<string[]>;
  /** Closes MikroORM's pool, then PGlite. Idempotent. */
  close(): Promise<void>;
}
