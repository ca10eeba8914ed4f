import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PGlite, types, type Results } from '@electric-sql/pglite';
import type { Configuration } from '@mikro-orm/core';
import { PostgreSqlConnection, PostgreSqlDriver, PostgreSqlKnexDialect, type Knex } from '@mikro-orm/postgresql';
import ClientPGLite from 'knex-pglite';
import { extractTemplate } from './extract-template';
import { pgliteTemplate, saveTemplate, type PgliteTemplate } from './pglite-template';

/** Where the embedded database lives: a directory, or `memory://` (gone on close; for tests). */
export type PgliteLocation = string;

/**
 * PostgreSQL settings for the embedded database, on top of PGlite's own (single-user, no fsync, no parallel
 * workers). PostgreSQL's default of 128 MB of shared buffers lives inside PGlite's WASM heap and is touched at
 * start: it made the embedded host ~120 MB larger for no gain, because the embedded database is one connection on
 * small data and its files are read through the operating system's page cache anyway. 16 MB is 2,048 pages, many
 * times what the product's working set needs (issue #14: embedded RSS < 400 MB).
 */
export const embeddedStartParams: readonly string[] = ['-c', 'shared_buffers=16MB'];

/**
 * Boots PGlite (PostgreSQL 18 in WASM; 4-6 s on these machines, so boot once and share).
 * Values come back as `pg` returns them under MikroORM (timestamps and int8 as strings, jsonb parsed), so raw SQL
 * gives the same JS types on the embedded default and on a server.
 *
 * With `template` (openDatabase passes the installed one unless VV_PGLITE_TEMPLATE=off), a new database (an empty
 * directory, or `memory://`) starts from that initdb template (pglite-template.ts) when it is stored; otherwise
 * initdb runs and its result becomes the template for the next new database.
 */
export async function bootPglite(location: PgliteLocation, options: { template?: PgliteTemplate } = {}): Promise<PGlite> {
  const inMemory = location.startsWith('memory://');
  const fresh = inMemory || !existsSync(join(location, 'PG_VERSION'));
  // A folder with files but no cluster in it (say, an initdb that died) is left to PGlite, as before the template.
  const unpackable = inMemory || !existsSync(location) || readdirSync(location).length === 0;
  const template = fresh && unpackable ? options.template : undefined;
  let archive = await template?.read();
  let loadDataDir: Blob | undefined;
  if (archive && inMemory) {
    loadDataDir = new Blob([archive]);
  } else if (archive) {
    // On disk we unpack it ourselves (extract-template.ts); PGlite then finds a cluster and resumes it.
    await mkdir(dirname(location), { recursive: true });
    try {
      extractTemplate(archive, location);
    } catch {
      // A damaged template (a truncated file, say) costs this start an initdb, which then replaces it.
      archive = undefined;
    }
  }
  if (!inMemory && !archive) await mkdir(location, { recursive: true });
  const asText = (value: string): string => value;
  const pglite = await PGlite.create(location, {
    startParams: [...PGlite.defaultStartParams, ...embeddedStartParams],
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: {
      [types.DATE]: asText,
      [types.TIMESTAMP]: asText,
      [types.TIMESTAMPTZ]: asText,
      [types.INTERVAL]: asText,
      [types.INT8]: asText,
    },
  });
  // Nothing but initdb has written to this cluster yet: it is the template every later new database can copy.
  if (template && !archive) await saveTemplate(template, pglite);
  return pglite;
}

/**
 * Makes sure the initdb template exists (`valueverse prepare`, run by `npm install`), so that a newcomer's first
 * `npm start` does not run initdb. Returns where it is, and whether this call made it.
 */
export async function preparePgliteTemplate(): Promise<{ path: string; created: boolean }> {
  const template = pgliteTemplate();
  if (await template.read()) return { path: template.path, created: false };
  // A database in memory, booted with no template: bootPglite runs initdb and saves the result.
  const pglite = await bootPglite('memory://', { template });
  await pglite.close();
  return { path: template.path, created: true };
}

interface KnexQueryObject {
  sql?: string;
  bindings?: unknown[];
  options?: Record<string, unknown>;
  response?: unknown;
}

// The few connection-level methods of knex-pglite's client that we reuse as they are (search path, version probe,
// result shaping). Connection acquisition and query execution are ours (see below).
const borrowed = ['setSchemaSearchPath', 'checkVersion', 'processResponse', '_stream'] as const;

// MikroORM types its dialect without knex's client members; we override those members, so widen the base type.
const KnexPostgresDialect = PostgreSqlKnexDialect as unknown as new (config: Record<string, unknown>) => object;

/**
 * A MikroORM driver class bound to one PGlite instance: MikroORM's PostgreSQL driver, platform and knex dialect,
 * with knex talking to PGlite in-process instead of a socket.
 *
 * Why a class per instance: knex deep-copies its `connection` option (a PGlite instance there hangs the copy), so
 * the instance travels in a closure instead. PGlite is one backend: the knex pool is fixed at `{min: 1, max: 1}`,
 * which also serialises transactions correctly (a transaction holds the only connection).
 */
export function createPgliteDriver(pglite: PGlite): new (config: Configuration) => PostgreSqlDriver {
  class PgliteKnexDialect extends KnexPostgresDialect {
    pglite!: PGlite;
    // Never cancel through a second connection: there is none.
    canCancelQuery = false;

    constructor(config: Record<string, unknown>) {
      super({ ...config, pool: { min: 1, max: 1 } });
    }

    _driver(): undefined {
      this.pglite = pglite;
      return undefined;
    }

    async _acquireOnlyConnection(): Promise<PGlite> {
      await pglite.waitReady;
      return pglite;
    }

    // The PGlite instance belongs to `Database`, which closes it after MikroORM; the pool must never close it
    // (knex-pglite's version does, which would kill the database when tarn recycles the connection).
    async destroyRawConnection(): Promise<void> {}

    validateConnection(connection: PGlite): boolean {
      return !connection.closed;
    }

    async _query(connection: PGlite, obj: KnexQueryObject): Promise<KnexQueryObject> {
      if (!obj.sql) throw new Error('The query is empty');
      // PGlite's query() uses the extended protocol, which takes one statement only, and MikroORM sends DDL batches
      // as one string; exec() (the simple protocol) takes any number. So SQL without parameters always goes through
      // exec() and gives the last statement's rows: no SQL lexer has to guess where statements end. A server would
      // run the same string the same way (node-postgres sends a parameterless query with the simple protocol too).
      if (!obj.bindings?.length) {
        const results = await connection.exec(obj.sql, obj.options);
        const last: Results = results.at(-1) ?? { rows: [], fields: [] };
        const affectedRows = results.reduce((sum, r) => sum + (r.affectedRows ?? 0), 0);
        obj.response = { ...last, affectedRows };
      } else {
        obj.response = await connection.query(obj.sql, obj.bindings, obj.options);
      }
      return obj;
    }
  }
  for (const name of borrowed) {
    const descriptor = Object.getOwnPropertyDescriptor(ClientPGLite.prototype, name);
    if (!descriptor) throw new Error(`knex-pglite no longer provides ${name}; review pglite-driver.ts`);
    Object.defineProperty(PgliteKnexDialect.prototype, name, descriptor);
  }

  class PgliteConnection extends PostgreSqlConnection {
    override createKnex(): void {
      // MikroORM types the dialect parameter as a string; knex takes a client class as well.
      this.client = this.createKnexClient(PgliteKnexDialect as unknown as string);
      (this.client.client as unknown as { ormConfig: Configuration }).ormConfig = this.config;
      this.connected = true;
    }

    // knex creates its pool only when `connection` is truthy; an empty object keeps PGlite out of it.
    override getConnectionOptions(): Knex.PgConnectionConfig {
      return {};
    }

    override getClientUrl(): string {
      return 'pglite://embedded';
    }
  }

  return class PgliteDriver extends PostgreSqlDriver {
    constructor(config: Configuration) {
      super(config);
      // PostgreSqlDriver hard-wires its socket connection class; swap in ours before anything connects.
      const self = this as unknown as { connection: PostgreSqlConnection; replicas: PostgreSqlConnection[] };
      self.connection = new PgliteConnection(this.config);
      self.replicas = [];
    }
  };
}
