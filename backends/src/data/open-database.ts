import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { MikroORM, type EntitySchema, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { VvError, type Logger, type SqlTransaction } from '@valueverse/plugin-sdk';
import { kernelEntities } from './kernel-entities';
import { migrateSchema } from './migrate-schema';
import { bootPglite, createPgliteDriver } from './pglite-driver';
import { pgliteTemplate } from './pglite-template';
import { runRawStatement, runRawTransaction, withRawConnection } from './raw-connection';
import { inlineParameters, tenantBindingSql, type Database, type MigrateOptions, type TenantTransactionOptions } from '@valueverse/kernel/backend';

export interface OpenDatabaseOptions {
  /** `postgres://…` of a PostgreSQL server (`DATABASE_URL`). Unset: the embedded PGlite database. */
  readonly url?: string;
  /** Embedded only: PGlite keeps its files in `<dataDir>/pgdata` (`VV_DATA_DIR`). */
  readonly dataDir?: string;
  /**
   * Embedded only: start a new database from the stored initdb template (pglite-template.ts), and store one when
   * there is none; default true. False runs initdb every time (`VV_PGLITE_TEMPLATE=off`).
   */
  readonly pgliteTemplate?: boolean;
  /** Embedded only: keep everything in memory (tests). Wins over `dataDir`. */
  readonly inMemory?: boolean;
  readonly logger?: Logger;
  /** Entities to register besides the kernel's (MikroORM 6 discovers metadata at init). */
  readonly entities?: readonly EntitySchema[];
  /** Server only: most pooled connections (default 10). */
  readonly poolMax?: number;
}

/**
 * Opens the database: a PostgreSQL server when `url` is set, else PGlite in `<dataDir>/pgdata` or in memory.
 * Does not migrate; call `migrate` (the kernel store's `init()` migrates schema `kernel`).
 *
 * @example
 * const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.VV_DATA_DIR ?? './data', logger });
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const logger = options.logger;
  let pglite: PGlite | undefined;
  if (!options.url) {
    if (!options.inMemory && !options.dataDir) {
      throw new VvError('VV_CONFIG_INVALID', {
        params: { subject: 'the database', problems: 'set DATABASE_URL (url), VV_DATA_DIR (dataDir) or inMemory' },
      });
    }
    const location = options.inMemory ? 'memory://' : join(options.dataDir!, 'pgdata');
    const started = Date.now();
    pglite = await bootPglite(location, { template: options.pgliteTemplate === false ? undefined : pgliteTemplate() });
    logger?.info({ location, bootMs: Date.now() - started }, 'embedded PostgreSQL (PGlite) ready');
  }

  const config: Options<PostgreSqlDriver> = {
    entities: [...kernelEntities, ...(options.entities ?? [])],
    connect: false,
    // PGlite's one database always exists; on a server MikroORM creates a missing database on first start.
    ensureDatabase: !pglite,
    discovery: { warnWhenNoEntities: false, disableDynamicFileAccess: true },
    metadataCache: { enabled: false },
    debug: false,
    colors: false,
    logger: (message: string) => logger?.debug({ component: 'mikro-orm' }, message),
    ...(pglite
      ? { driver: createPgliteDriver(pglite) as unknown as typeof PostgreSqlDriver, dbName: 'postgres' }
      : {
          driver: PostgreSqlDriver,
          clientUrl: options.url,
          pool: { min: 0, max: options.poolMax ?? 10 },
          // knex reports a broken pooled connection ("Connection Error: …") on console.log by default: to the log.
          // A request that cannot get a connection within 10 s (knex's default is 60 s) answers 503 VV_UNAVAILABLE
          // with Retry-After rather than hanging while the database does not answer.
          driverOptions: { log: knexLog(logger), acquireConnectionTimeout: 10_000 },
        }),
  };
  const orm = await MikroORM.init<PostgreSqlDriver>(config);
  try {
    await orm.connect();
    const check = await orm.em.getConnection().checkConnection();
    if (!check.ok) throw check.error ?? new Error(check.reason);
  } catch (error) {
    await orm.close(true).catch(() => undefined);
    await pglite?.close().catch(() => undefined);
    throw new VvError('VV_DEPENDENCY_UNAVAILABLE', {
      params: { dependency: pglite ? 'Embedded PostgreSQL (PGlite)' : 'PostgreSQL', reason: (error as Error).message },
      cause: error,
    });
  }
  return new OrmDatabase(orm, pglite, logger);
}

class OrmDatabase implements Database {
  readonly kind: 'embedded' | 'server';
  private closing: Promise<void> | undefined;

  constructor(
    readonly orm: MikroORM<PostgreSqlDriver>,
    private readonly pglite: PGlite | undefined,
    private readonly logger: Logger | undefined,
  ) {
    this.kind = pglite ? 'embedded' : 'server';
  }

  private get knex() {
    return this.orm.em.getConnection().getKnex();
  }

  async execute<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return withRawConnection(this.knex, async (connection) => (await connection.query(sql, [...params])).rows as R[]);
  }

  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return runRawTransaction(this.knex, work);
  }

  async withTenantTransaction<T>(tenantId: string, work: (tx: SqlTransaction) => Promise<T>, options: TenantTransactionOptions = {}): Promise<T> {
    if (typeof tenantId !== 'string' || tenantId === '') {
      throw new VvError('VV_INTERNAL', { detail: 'withTenantTransaction needs a tenant id' });
    }
    return runRawTransaction(this.knex, work, tenantBindingSql({ tenantId, role: options.role, searchPath: options.searchPath }));
  }

  async statementAsTenant<R = Record<string, unknown>>(
    tenantId: string,
    sql: string,
    params: readonly unknown[] = [],
    options: TenantTransactionOptions & { readOnly?: boolean } = {},
  ): Promise<R[]> {
    if (typeof tenantId !== 'string' || tenantId === '') {
      throw new VvError('VV_INTERNAL', { detail: 'statementAsTenant needs a tenant id' });
    }
    // Inlined on both databases, so a statement the server path would refuse fails in embedded tests too.
    return runRawStatement<R>(
      this.knex,
      { sql, params, inlined: inlineParameters(sql, params) },
      tenantBindingSql({ tenantId, role: options.role, searchPath: options.searchPath }),
      { readOnly: options.readOnly },
    );
  }

  async migrate(options: MigrateOptions): Promise<string[]> {
    const applied = await migrateSchema(this.orm, { ...options, lock: this.kind === 'server' });
    if (applied.length > 0) this.logger?.info({ schema: options.schema, applied }, 'database migrations applied');
    return applied;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.orm.close(true);
      await this.pglite?.close();
    })();
    return this.closing;
  }
}

/** knex's `log` option: its warnings (a pooled connection that broke, say) go to the kernel's log, not stdout. */
function knexLog(logger: Logger | undefined): Record<'warn' | 'error' | 'deprecate' | 'debug', (message: unknown) => void> {
  const write = (level: 'warn' | 'error' | 'debug') => (message: unknown) => logger?.[level]({ component: 'knex' }, String(message));
  return { warn: write('warn'), error: write('error'), deprecate: write('warn'), debug: write('debug') };
}
