import type { EntityManager, EntitySchema } from '@mikro-orm/core';
import type { Role, TenantContext, TenantLogo, UserContext } from '../http/http-router';
import type { Logger } from './logger';

export type { Logger };

/** Reads the plugin's per-tenant configuration (validated against the manifest `config` schema, secrets decrypted). */
export interface PluginConfigReader {
  forTenant(tenantId: string): Promise<Readonly<Record<string, unknown>>>;
}

/** The request being served, available anywhere below a route handler (AsyncLocalStorage). */
export interface RequestContext {
  readonly requestId: string;
  readonly tenant: TenantContext;
  /** The caller; absent on a public route (`access: 'public'`), which has none. */
  readonly user?: UserContext;
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
  /** The id `enqueue` returned; for a scheduled run `scheduled:<slot, ISO 8601>` (`...:<tenantId>` per tenant). */
  readonly id: string;
  /** `<plugin>.<name>`. */
  readonly name: string;
  /**
   * The tenant the job is for. A run of a platform-wide schedule (see `JobQueue.schedule`) has `'*'`, which no
   * tenant id can be: tenant-bound services (`db.transaction`, `config.forTenant`) see nothing for it.
   */
  readonly tenantId: string;
  /** What `enqueue` was given; undefined for a scheduled run. */
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

/**
 * When a scheduled job runs: either a period (`everyMs`, `offsetMs`) or a calendar (`cron`, `timezone`), never both.
 * A slot that passes while no instance runs the plugin is skipped, not caught up.
 *
 * @example
 * { everyMs: 300_000 }                              // every 5 minutes, at :00, :05, ... UTC
 * { cron: '0 2 * * *' }                             // every day at 02:00 UTC
 * { cron: '0 0 1 * *', perTenant: true }            // a monthly invoice run per tenant, on the 1st at 00:00 UTC
 * { cron: '0 9 * * MON', timezone: 'Europe/Berlin' } // Mondays at 09:00 in Berlin, summer and winter time
 */
export type JobSchedule = PeriodJobSchedule | CronJobSchedule;

/**
 * Runs at each `offsetMs + k × everyMs` milliseconds after the Unix epoch, i.e. on fixed UTC slots that do not move
 * when instances start or restart.
 */
export interface PeriodJobSchedule {
  /** The period: a whole number of milliseconds, at least 100. */
  readonly everyMs: number;
  /**
   * Where in the period the runs fall, `0 <= offsetMs < everyMs` (default 0). `{ everyMs: 86_400_000, offsetMs:
   * 7_200_000 }` runs every day at 02:00 UTC.
   */
  readonly offsetMs?: number;
  readonly cron?: never;
  readonly timezone?: never;
  /**
   * One run per slot for each active tenant that has the plugin enabled, with that `tenantId` (each retried and
   * dead-lettered on its own), instead of one platform-wide run with tenantId `'*'` (default false).
   */
  readonly perTenant?: boolean;
}

/**
 * Runs at each minute that a cron expression matches on the wall clock of `timezone`: "at 02:00", "on the 1st of
 * the month", "Mondays at 09:00 Berlin time", which a fixed period cannot say once months and daylight saving time
 * vary in length.
 */
export interface CronJobSchedule {
  /**
   * A standard 5-field cron expression: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or JAN-DEC),
   * day of week (0-7 or SUN-SAT; 0 and 7 are Sunday). Each field is `*`, a value, a range `a-b`, a list `a,b,c`, or
   * a step after `*` or a range (`0-59/15` or `*` then `/15`: every 15 minutes); names are case-insensitive. As in
   * Vixie cron, when both day fields are restricted (neither starts with `*`) a day runs if EITHER matches:
   * `0 0 1 * MON` runs on the 1st and on every Monday. A day that a month lacks is skipped (`0 0 31 * *` runs in 7
   * months a year, `0 0 29 2 *` in leap years); an expression that can never run is refused when declared.
   */
  readonly cron: string;
  /**
   * The IANA time zone whose wall clock the expression is read on (default `'UTC'`), e.g. `'Europe/Berlin'`. On
   * daylight saving changes, a time the clocks skip runs at the first instant after the gap (`30 2 * * *` runs at
   * 03:00 that day) and a time they repeat runs once, the first time.
   */
  readonly timezone?: string;
  readonly everyMs?: never;
  readonly offsetMs?: never;
  /** As for a period: one run per slot for each tenant that has the plugin enabled (default false). */
  readonly perTenant?: boolean;
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
  /**
   * Runs the defined job `name` on a schedule: once per slot for the whole deployment, however many instances
   * declare it (the BullMQ queue keeps one schedule per job in Redis; the embedded one uses a timer). Declare it in
   * `setup`, after `define`, on every boot: declaring the same schedule again keeps it as it is, and a different
   * one replaces it. Runs start once the plugins have started. Each run is a job like an enqueued one (attempts,
   * backoff, dead letters) with `data` undefined and the id and tenant described in `JobContext`.
   *
   * On Redis a schedule outlives the code that declared it: dropping the `schedule` call does not stop it (there is
   * no unschedule yet); dropping the job's `define` does.
   *
   * @example
   * jobs.define('evaluate', async (job) => evaluateTenant(job.tenantId));
   * jobs.schedule('evaluate', { everyMs: 86_400_000, offsetMs: 300_000, perTenant: true }); // daily at 00:05 UTC
   * jobs.define('invoice', async (job) => invoiceTenant(job.tenantId));
   * jobs.schedule('invoice', { cron: '0 6 1 * *', timezone: 'Europe/Berlin', perTenant: true }); // 1st, 06:00 Berlin
   */
  schedule(name: string, schedule: JobSchedule): void;
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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EntitySchema is invariant; a plugin lists entities of any type
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
   * Runs one read-only statement (`$1, $2…` placeholders; write types as casts, `$2::uuid`) for the tenant, as
   * `transaction` would, and returns its rows, in one round trip to the database where `transaction` takes three
   * (begin, statement, commit): for reads on a hot path. Values: strings, finite numbers, booleans, dates, JSON
   * objects, arrays of those, and null. The statement may not hold string literals, quoted identifiers, comments or
   * a `;` (pass values as parameters).
   */
  read<R = Record<string, unknown>>(tenantId: string, sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * `read` for a statement that may write: one statement in a transaction of its own (committed when it
   * succeeds), in one round trip. For a write on a hot path that needs nothing between its statement and the commit.
   */
  statement<R = Record<string, unknown>>(tenantId: string, sql: string, params?: readonly unknown[]): Promise<R[]>;
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

/** Identity of the plugin receiving the service, and what the platform around it does. */
export interface PluginMetadata {
  readonly id: string;
  readonly version: string;
  /**
   * Whether the platform meters its tenants' usage (the host's `VV_PLATFORM_METERING_TENANT`): usage events only
   * platform metering reads (such as Monte Carlo trials) are worth publishing only when it is on.
   */
  readonly platformMetering?: boolean;
}

export type { TenantContext, UserContext };

/** What `OutboundHttp.fetch` takes besides the standard `RequestInit`. */
export interface OutboundRequestInit extends RequestInit {
  /**
   * The tenant the call is made for. Needed to call a destination the tenant configured (a URL in one of the
   * manifest's `outbound.configFields`, e.g. an AI base URL); calls to the manifest's fixed `outbound.origins` need
   * none.
   */
  readonly tenantId?: string;
}

/**
 * The one way a plugin calls out over HTTP (permission `http.outbound`). Same shape as `fetch`, but each call is
 * checked first: the URL must match the manifest's `outbound.origins` or the tenant's value of one of its
 * `outbound.configFields`; the host is resolved and every address checked (link-local, cloud metadata, unspecified,
 * multicast always refused; loopback and private ranges unless the operator allows them), and the connection goes to
 * the address that was checked. A refused call rejects with `VV_OUTBOUND_REFUSED` before anything is sent.
 * Redirects are never followed: a 3xx answer is returned as is (calling its `Location` is a new, checked call).
 *
 * @example
 * const res = await outbound.fetch(`${config.baseUrl}/chat/completions`, { method: 'POST', body, tenantId });
 * const viaLangChain = new ChatOpenAI({ configuration: { baseURL, fetch: (url, init) => outbound.fetch(url, { ...init, tenantId }) } });
 */
export interface OutboundHttp {
  fetch(input: string | URL | Request, init?: OutboundRequestInit): Promise<Response>;
  /**
   * For a protocol other than HTTP (SMTP): resolves `host` and applies the operator's address policy (loopback,
   * private, link-local and metadata addresses refused unless allowed) to every address, as `fetch` does; returns the
   * address to connect to (connect to it, not to the name, so what was checked is what is reached). The manifest's
   * HTTP allowlist does not apply. Absent in a sandbox. Throws VV_OUTBOUND_REFUSED.
   */
  resolveDestination?(host: string, port: number, init?: { readonly tenantId?: string }): Promise<{ readonly address: string; readonly family: 4 | 6 }>;
}

/** A business counter of a plugin (see `PluginMetrics`). */
export interface BusinessCounter {
  /**
   * Adds `value` (default 1, must be positive). `labels` gives a value to each label the counter declared (64
   * characters at most); a label left out counts as "".
   */
  inc(labels?: Readonly<Record<string, string>>, value?: number): void;
}

/**
 * Business counters on the host's `/metrics` (`coreServices.metrics`, no permission needed): what a plugin did, for
 * dashboards and alerts, e.g. models evaluated or commitments signed. A counter `name` of plugin `value-committer`
 * is exported as `vv_value_committer_<name>_total`. Label values must come from a small fixed set (a kind, an
 * outcome): never a tenant id, a user or a free-form value, which would make the series unbounded.
 *
 * @example
 * const signed = metrics.counter('commitments_signed', { help: 'Commitments signed', labels: ['outcome'] });
 * signed.inc({ outcome: 'signed' });
 */
export interface PluginMetrics {
  /**
   * The counter `name` (`[a-z][a-z0-9_]*`, up to 60 characters, without a `_total` suffix), created on the first
   * call; later calls return the same counter. Throws VV_VALIDATION for a bad name or label.
   */
  counter(name: string, options: { readonly help: string; readonly labels?: readonly string[] }): BusinessCounter;
}

/** A member of a tenant, as `core.directory` lists it. */
export interface DirectoryMember {
  readonly userId: string;
  readonly email: string;
  /** The member's role in the tenant. */
  readonly role: Role;
  /** How the person wants to be addressed (`PUT /api/v1/me/profile`); null until they say. */
  readonly displayName: string | null;
  /** Their language, a canonical BCP 47 tag (`de-DE`); null until they say. */
  readonly locale: string | null;
  /** Their IANA time zone (`Europe/Berlin`); null until they say. */
  readonly timeZone: string | null;
}

/**
 * `core.directory` (needs permission `directory`): the members of a tenant, read-only, for plugins that address
 * people by role, by name, in their language and on their clock (notifications). A plugin reads only tenants that
 * have it enabled, and within a request only the request's tenant; there are no credentials in the answer.
 *
 * @example
 * const admins = await directory.members(tenantId, { atLeast: 'tenant-admin' });
 */
export interface TenantDirectory {
  /**
   * The tenant's members sorted by user id, optionally only those whose role is `atLeast` or stronger
   * (viewer < member < tenant-admin < platform-admin) and/or whose id is in `userIds`.
   * Throws VV_PLUGIN_NOT_ENABLED for a tenant that has not enabled the plugin, VV_FORBIDDEN for another tenant than
   * the request's.
   */
  members(tenantId: string, query?: { readonly atLeast?: Role; readonly userIds?: readonly string[] }): Promise<DirectoryMember[]>;
}

/**
 * `core.secrets`: encryption at rest with the platform's key (`VV_ENCRYPTION_KEY`, AES-256-GCM), as the kernel seals
 * config secrets. A value is bound to the plugin that sealed it: another plugin, or the kernel, cannot open it, and
 * the plugin cannot open theirs. Store what `seal` returns; call `open` when the plaintext is needed.
 *
 * @example
 * const stored = secrets.seal(apiKey);
 * const apiKey = secrets.open(stored);
 */
export interface PluginSecrets {
  /** Encrypts `plaintext` with the newest key (a random IV each call). */
  seal(plaintext: string): string;
  /** Decrypts a `seal` result of this plugin; throws VV_INTERNAL when it is altered, another's, or sealed with a key no longer configured. */
  open(sealed: string): string;
  /**
   * False when `sealed` was sealed with an older key (a key rotation is under way): seal the plaintext again and store
   * it, so the old key can be dropped.
   */
  isCurrent(sealed: string): boolean;
}

/**
 * Which of the plugins a manifest names (under `requires` or `optional`, or the plugin itself) a tenant has enabled
 * (`coreServices.plugins`, no permission needed): for a plugin whose features depend on another being switched on for
 * the tenant (the value agent offers a plugin's tools only then). Asking about a plugin the manifest does not name
 * throws `VV_SERVICE_NOT_DECLARED`.
 *
 * @example
 * if (await plugins.isEnabled(tenantId, 'value-committer')) tools.push(proposeCommitment);
 */
/**
 * `core.branding`: what the tenant shows its customers beyond its colours (those are on `request.tenant.branding`).
 * The logo is kept apart from the tenant so that only the documents that show it read it.
 */
export interface TenantBrandingService {
  /**
   * The tenant's logo, or undefined when it has none. Within a request, only the request's tenant (VV_FORBIDDEN for
   * another); the tenant must have the plugin enabled (VV_PLUGIN_NOT_ENABLED). On the embedded database it opens a
   * transaction of its own: call it outside `db.transaction`.
   */
  logo(tenantId: string): Promise<TenantLogo | undefined>;
}

export interface TenantPlugins {
  /** True when `pluginId` is enabled for `tenantId` (false for an unknown tenant). */
  isEnabled(tenantId: string, pluginId: string): Promise<boolean>;
}
