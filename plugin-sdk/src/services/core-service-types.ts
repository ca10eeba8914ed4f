import type { EntityManager, EntitySchema } from '@mikro-orm/core';
import type { TenantContext, UserContext } from '../http/http-router';

/** A structured logger (pino-compatible subset). */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Reads the plugin's per-tenant configuration (validated against the manifest `config` schema, secrets decrypted). */
export interface PluginConfigReader {
  forTenant(tenantId: string): Promise<Readonly<Record<string, unknown>>>;
}

/** The request being served, available anywhere below a route handler (AsyncLocalStorage). */
export interface RequestContext {
  readonly requestId: string;
  readonly tenant: TenantContext;
  readonly user: UserContext;
}

export interface RequestContextService {
  /** The current request, or undefined outside one (boot, jobs, event handlers). */
  current(): RequestContext | undefined;
}

/** An event as delivered to subscribers, on this instance or another. */
export interface EventEnvelope<P = unknown> {
  readonly id: string;
  readonly name: string;
  readonly tenantId: string;
  /** Id of the plugin that published it. */
  readonly source: string;
  readonly occurredAt: string;
  readonly payload: P;
}

/** Publishes and subscribes to tenant events. Names are checked against the manifest's `events.*` permissions. */
export interface EventBus {
  publish<P>(name: string, tenantId: string, payload: P): Promise<void>;
  /** `pattern` may end in `*` (e.g. `commitment.*`). Returns the unsubscribe function. */
  subscribe<P = unknown>(pattern: string, handler: (event: EventEnvelope<P>) => void | Promise<void>): () => void;
}

export interface JobContext<D> {
  readonly id: string;
  readonly name: string;
  readonly tenantId: string;
  readonly data: D;
  /** 1 on the first try. */
  readonly attempt: number;
}

export interface JobOptions {
  /** Tries in total, including the first (default 3). */
  readonly attempts?: number;
  /** First retry delay; doubles on each retry (exponential backoff). Default 1000 ms. */
  readonly backoffMs?: number;
}

/** Durable background work with retries; the queue name is namespaced by plugin id. */
export interface JobQueue {
  /**
   * Defines the handler of job `name` (letters, digits, `.`, `_`, `-`), in `setup`. A job that throws is retried
   * until it has had `attempts` tries, then kept as dead for admins to see and retry (`/api/v1/admin/jobs/dead`).
   */
  define<D>(name: string, handler: (job: JobContext<D>) => Promise<void>, options?: JobOptions): void;
  /**
   * Queues a job and returns its id. With `jobId`, enqueueing is idempotent: while a job with that id is waiting,
   * running or dead, enqueueing it again does nothing (and returns the same id); once it has succeeded, the id is
   * free again.
   *
   * @example
   * await jobs.enqueue('send-invoice', tenantId, { invoiceId }, { jobId: `invoice-${invoiceId}` });
   */
  enqueue<D>(name: string, tenantId: string, data: D, options?: { delayMs?: number; jobId?: string }): Promise<string>;
}

/** A transaction with `app.tenant_id` set, limited to the plugin's schema. */
export interface SqlTransaction {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/**
 * One step of a plugin's schema, as SQL. Statements run in the plugin's schema (`search_path` is set to it), in one
 * transaction with the rest of the pending steps. `down` undoes `up`, newest first.
 *
 * Every table with a `tenant_id` column is tenant-owned: after migrating, the kernel enables and forces row-level
 * security on it with a policy on `current_setting('app.tenant_id')`, and grants the application role access.
 */
export interface PluginMigration {
  /** Unique and ordered, e.g. `0001-value-models`. */
  readonly name: string;
  readonly up: readonly string[];
  readonly down: readonly string[];
}

/** What a plugin stores: its MikroORM entities (in its own schema) and the migrations that create them. */
export interface PluginDataModel {
  /**
   * MikroORM `EntitySchema`s (e.g. `new EntitySchema({ name, tableName, schema, properties })`), each with `schema`
   * set to the plugin's schema (its id with `-` → `_`). An entity with a `tenantId` property gets the kernel's
   * `tenant` filter, so every query through `em()` is limited to the current tenant.
   */
  readonly entities?: readonly EntitySchema<any, any>[];
  readonly migrations: readonly PluginMigration[];
}

/**
 * The plugin's database: its own PostgreSQL schema, tenant-bound transactions. Declare the data model with
 * `definePlugin({ database: { entities, migrations } })`; the kernel migrates it before the plugin's setup
 * (on install and on upgrade).
 */
export interface PluginDatabase {
  /** The plugin's PostgreSQL schema: its id with `-` replaced by `_`. */
  readonly schema: string;
  /**
   * Runs `work` in a transaction as the application role with `app.tenant_id` set: row-level security limits every
   * statement to the tenant's rows. Commits when `work` resolves, rolls back when it throws.
   */
  transaction<T>(tenantId: string, work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs `work` with a MikroORM EntityManager fork in such a transaction, the `tenant` filter set to `tenantId`.
   * Flushes and commits when `work` resolves, rolls back when it throws.
   */
  em<T>(tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T>;
}

export interface AuditEntry {
  readonly action: string;
  readonly tenantId?: string;
  /** User or API key id; defaults to the current request's user. */
  readonly actor?: string;
  readonly target?: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Append-only audit log. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

/** Identity of the plugin receiving the service. */
export interface PluginMetadata {
  readonly id: string;
  readonly version: string;
}

export type { TenantContext, UserContext };
