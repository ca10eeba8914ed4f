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
  define<D>(name: string, handler: (job: JobContext<D>) => Promise<void>, options?: JobOptions): void;
  enqueue<D>(name: string, tenantId: string, data: D, options?: { delayMs?: number; jobId?: string }): Promise<string>;
}

/** A transaction with `app.tenant_id` set, limited to the plugin's schema. */
export interface SqlTransaction {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** The plugin's database: its own PostgreSQL schema, tenant-bound transactions. */
export interface PluginDatabase {
  readonly schema: string;
  transaction<T>(tenantId: string, work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
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
