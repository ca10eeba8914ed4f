import type { Configuration, MigrationObject, MigrationsOptions, MikroORM } from '@mikro-orm/core';
import type { Migrator as MigratorClass } from '@mikro-orm/migrations';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { VvError } from '@valueverse/plugin-sdk';
import { withRawConnection } from './raw-connection';

export interface MigrateSchemaOptions {
  /** The PostgreSQL schema the migrations own; its applied migrations are recorded in `<schema>.mikro_orm_migrations`. */
  readonly schema: string;
  /** Migration classes, oldest first (MikroORM `migrationsList`). */
  readonly migrations: readonly MigrationObject[];
  /**
   * Hold a PostgreSQL advisory lock while migrating, so instances starting together migrate one after the other
   * (the second then finds nothing pending). Needs a second pooled connection: on for servers, off for PGlite,
   * whose single connection is exclusive to one process anyway.
   */
  readonly lock: boolean;
  /** `up` (default) applies pending migrations; `down` reverts applied ones, newest first, through `to` (included). */
  readonly direction?: 'up' | 'down';
  /** With `down`: the last migration to revert; unset reverts the newest one only, `0` all. */
  readonly to?: string | 0;
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Applies the pending migrations of one schema, all in one transaction, and returns their names.
 *
 * Per-schema `migrationsList` runs, never a global schema diff: MikroORM's diff drops tables it does not know
 * (docs/stack.md "Known traps"), and every plugin owns its own schema.
 */
export async function migrateSchema(orm: MikroORM<PostgreSqlDriver>, options: MigrateSchemaOptions): Promise<string[]> {
  if (!schemaPattern.test(options.schema)) {
    throw new VvError('VV_CONFIG_INVALID', {
      params: { subject: 'migrations', problems: `schema name "${options.schema}" must match ${schemaPattern}` },
    });
  }
  if (options.direction !== 'down' && (await allApplied(orm, options.schema, options.migrations))) return [];
  const migrationOptions: MigrationsOptions = {
    ...orm.config.get('migrations'),
    tableName: `${options.schema}.mikro_orm_migrations`,
    migrationsList: [...options.migrations],
    transactional: true,
    allOrNothing: true,
    disableForeignKeys: false,
    snapshot: false,
    silent: true,
  };
  // Migrator reads its options from `em.config`; hand it a view of the ORM's configuration with this schema's
  // options, rather than mutating the shared configuration (two schemas may migrate at the same time).
  const config: Configuration = Object.create(orm.config, {
    get: {
      value: (key: string, fallback?: unknown) => (key === 'migrations' ? migrationOptions : orm.config.get(key as never, fallback as never)),
    },
  });
  const em = orm.em.fork();
  Object.defineProperty(em, 'config', { value: config });
  // Loaded only when there is something to migrate: most starts have nothing pending (issue #14).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Migrator } = require('@mikro-orm/migrations') as { Migrator: typeof MigratorClass };
  const migrator = new Migrator(em);
  const run = async (): Promise<string[]> =>
    (options.direction === 'down' ? await migrator.down(options.to === undefined ? undefined : { to: options.to }) : await migrator.up()).map((m) => m.name);
  if (!options.lock) return run();

  const key = `valueverse:migrate:${options.schema}`;
  return withRawConnection(orm.em.getConnection().getKnex(), async (connection) => {
    // A session lock on a connection of its own: the migrator's transaction runs on another pooled connection.
    await connection.query('select pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await run();
    } finally {
      try {
        await connection.query('select pg_advisory_unlock(hashtext($1))', [key]);
      } catch (error) {
        // Dropping the connection ends the session and with it the lock.
        connection.__knex__disposed = error;
      }
    }
  });
}

/**
 * Whether every listed migration is already recorded in `<schema>.mikro_orm_migrations`: the common case of a
 * start, answered with two small queries instead of MikroORM's Migrator (which creates its table if missing, reads
 * it, and loads umzug). No lock is needed to find nothing to do; anything pending goes the locked way.
 */
async function allApplied(orm: MikroORM<PostgreSqlDriver>, schema: string, migrations: readonly MigrationObject[]): Promise<boolean> {
  if (migrations.length === 0) return true;
  return withRawConnection(orm.em.getConnection().getKnex(), async (connection) => {
    // `schema` matched schemaPattern above, so it is safe inside the quotes.
    const table = `"${schema}".mikro_orm_migrations`;
    const exists = (await connection.query('select to_regclass($1) is not null as present', [table])).rows[0] as { present: boolean };
    if (!exists.present) return false;
    const { rows } = await connection.query(`select name from ${table}`);
    const applied = new Set((rows as { name: string }[]).map((row) => row.name));
    return migrations.every((migration) => applied.has(migration.name));
  });
}
