import type { EntityManager, EntitySchema, MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { VvError, type Logger, type PluginDatabase, type PluginDataModel, type PluginManifest, type PluginMigration } from '@valueverse/plugin-sdk';
import type { PluginRecord } from '../lifecycle/plugin-state';
import type { Database } from './database-api';
import { searchPathOf } from './tenant-binding';

// Each plugin owns a PostgreSQL schema named after it and a role of its own. The role owns nothing: tables belong
// to the migrating (owner) role, so row-level security applies to the plugin's queries, and the role's grants
// reach its own schema only, so a plugin cannot read another plugin's tables even with raw SQL.

/** The PostgreSQL schema of a plugin: its id with `-` replaced by `_`. */
export function pluginSchemaOf(pluginId: string): string {
  return pluginId.replace(/-/g, '_');
}

/** The role a plugin's tenant transactions run as (`set local role`). Cluster-wide in PostgreSQL, created once. */
export function pluginRoleOf(pluginId: string): string {
  return `vv_plugin_${pluginSchemaOf(pluginId)}`;
}

const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/** Wraps the plugin's SQL steps as MikroORM migrations that run in its schema. */
function toMigrationObjects(schema: string, migrations: readonly PluginMigration[]): MigrationObject[] {
  const seen = new Set<string>();
  return migrations.map((step, index) => {
    if (typeof step.name !== 'string' || !/^[A-Za-z0-9._-]{1,120}$/.test(step.name) || seen.has(step.name)) {
      throw new VvError('VV_MANIFEST_INVALID', {
        params: { subject: `database migration ${index}`, problems: `name "${String(step.name)}" must be unique and match [A-Za-z0-9._-]{1,120}` },
      });
    }
    seen.add(step.name);
    const statements = (list: readonly string[]) => [`set local search_path to ${quote(schema)}, public`, ...list];
    class PluginStep extends Migration {
      override async up(): Promise<void> {
        for (const sql of statements(step.up)) this.addSql(sql);
      }
      override async down(): Promise<void> {
        for (const sql of statements(step.down)) this.addSql(sql);
      }
    }
    Object.defineProperty(PluginStep, 'name', { value: step.name });
    return { name: step.name, class: PluginStep };
  });
}

/**
 * Installs or upgrades a plugin's data model: creates its schema and role, applies pending migrations (one
 * transaction, advisory-locked on servers), then re-applies grants and row-level security to every table of the
 * schema that has a `tenant_id` column (idempotent, so tables added by any migration are covered), and registers
 * its entities with the tenant filter.
 */
export async function installPluginDataModel(database: Database, manifest: PluginManifest, model: PluginDataModel): Promise<string[]> {
  const schema = pluginSchemaOf(manifest.id);
  const role = pluginRoleOf(manifest.id);
  await database.execute(`create schema if not exists ${quote(schema)}`);
  // Two hosts (or test databases) on one cluster may create the role at the same moment: tolerate the loser.
  await database.execute(`do $$ begin
    if not exists (select 1 from pg_roles where rolname = '${role}') then create role ${quote(role)} nologin; end if;
  exception when duplicate_object or unique_violation then null; end $$`);
  const applied = await database.migrate({ schema, migrations: toMigrationObjects(schema, model.migrations) });
  await secureSchema(database, schema, role);
  registerEntities(database, schema, model.entities ?? []);
  return applied;
}

/**
 * Reverts a plugin's migrations, newest first, through `through` (reverted too); `0` reverts them all. For
 * downgrades and uninstalls; the plugin must not be serving while it runs.
 */
export async function revertPluginDataModel(database: Database, manifest: PluginManifest, model: PluginDataModel, through: string | 0 = 0): Promise<string[]> {
  const schema = pluginSchemaOf(manifest.id);
  return database.migrate({ schema, migrations: toMigrationObjects(schema, model.migrations), direction: 'down', to: through });
}

async function secureSchema(database: Database, schema: string, role: string): Promise<void> {
  await database.transaction(async (tx) => {
    await tx.query(`grant usage on schema ${quote(schema)} to ${quote(role)}`);
    await tx.query(`grant select, insert, update, delete on all tables in schema ${quote(schema)} to ${quote(role)}`);
    await tx.query(`grant usage, select, update on all sequences in schema ${quote(schema)} to ${quote(role)}`);
    // MikroORM's bookkeeping is the owner's business, not the plugin's.
    await tx.query(`revoke all on table ${quote(schema)}.mikro_orm_migrations from ${quote(role)}`);
    const tables = await tx.query<{ table_name: string }>(
      `select c.table_name from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = $1 and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'`,
      [schema],
    );
    for (const { table_name: table } of tables) {
      const name = `${quote(schema)}.${quote(table)}`;
      await tx.query(`alter table ${name} enable row level security`);
      await tx.query(`alter table ${name} force row level security`);
      await tx.query(`drop policy if exists tenant_isolation on ${name}`);
      // current_setting(…, true) is null when unset: no tenant, no rows.
      await tx.query(`create policy tenant_isolation on ${name}
        using (tenant_id::text = current_setting('app.tenant_id', true))
        with check (tenant_id::text = current_setting('app.tenant_id', true))`);
    }
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EntitySchema is invariant in its type parameters; any entity is accepted here
function registerEntities(database: Database, schema: string, entities: readonly EntitySchema<any, any>[]): void {
  if (entities.length === 0) return;
  const known = database.orm.getMetadata().getAll();
  // Entities of this schema already registered are an earlier version of the same plugin (an upgrade or roll-back at
  // run time): their metadata is replaced. A name registered for another schema is another plugin's.
  const replaced: string[] = [];
  for (const entity of entities) {
    const meta = entity.meta;
    if (meta.schema !== schema) {
      throw new VvError('VV_MANIFEST_INVALID', {
        params: { subject: `entity ${meta.className}`, problems: `its schema must be "${schema}" (got "${String(meta.schema)}")` },
      });
    }
    const existing = known[meta.className];
    if (existing && existing.schema === schema) replaced.push(meta.className);
    else if (existing) {
      throw new VvError('VV_CONFLICT', { params: { reason: `an entity named "${meta.className}" is already registered; prefix entity names with the plugin` } });
    }
    if (meta.properties.tenantId) {
      // Default on and without parameters it fails closed ("No arguments provided for filter").
      meta.filters.tenant = { name: 'tenant', cond: (args: Record<string, unknown>) => ({ tenantId: args.tenantId }), default: true };
    }
  }
  database.orm.discoverEntity([...entities], replaced);
}

/** The `core.db` service of one plugin. */
export function pluginDatabase(database: Database, manifest: PluginManifest): PluginDatabase {
  const schema = pluginSchemaOf(manifest.id);
  const role = pluginRoleOf(manifest.id);
  const checkTenant = (tenantId: string) => {
    if (typeof tenantId !== 'string' || tenantId === '') throw new VvError('VV_INTERNAL', { detail: `plugin "${manifest.id}" opened a tenant transaction without a tenant id` });
  };
  return {
    schema,
    transaction: (tenantId, work) => {
      checkTenant(tenantId);
      return database.withTenantTransaction(tenantId, work, { role, searchPath: schema });
    },
    read: (tenantId, sql, params) => {
      checkTenant(tenantId);
      return database.statementAsTenant(tenantId, sql, params, { role, searchPath: schema, readOnly: true });
    },
    statement: (tenantId, sql, params) => {
      checkTenant(tenantId);
      return database.statementAsTenant(tenantId, sql, params, { role, searchPath: schema });
    },
    em: async <T>(tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> => {
      checkTenant(tenantId);
      const em = database.orm.em.fork({ clear: true, useContext: false, schema }) as SqlEntityManager;
      em.setFilterParams('tenant', { tenantId });
      // begin/commit on this fork rather than em.transactional(), which forks it again, clones its event manager and
      // merges the identity map back into this fork that nobody reads afterwards: about a quarter of the CPU of an
      // empty tenant transaction (issue #14). A transactional() inside `work` still nests as a savepoint.
      await em.begin();
      try {
        // One statement, not three: each costs a round trip and a pass through MikroORM and knex.
        await em.execute(`select set_config('role', ?, true), set_config('app.tenant_id', ?, true), set_config('search_path', ?, true)`, [role, tenantId, searchPathOf(schema)]);
        const result = await work(em);
        await em.commit(); // flushes, then commits
        return result;
      } catch (error) {
        // A rollback that fails too (the connection is gone) must not hide why the transaction failed.
        await em.rollback().catch(() => undefined);
        throw error;
      }
    },
  };
}

/**
 * The lifecycle's hook before a plugin's setup: migrates the plugin's data model when it declares one, refusing a
 * plugin whose manifest lacks permission `db` or that runs where no database is configured.
 */
export function installDataModelOnSetup(database: Database | undefined, logger: Logger): (record: PluginRecord) => Promise<void> {
  return async (record) => {
    const model = record.plugin?.database;
    if (!model) return;
    if (!record.manifest.permissions?.includes('db')) {
      throw new VvError('VV_SERVICE_NOT_DECLARED', { params: { plugin: record.id, service: 'core.db', reason: 'it declares a database but its manifest lacks permission "db"' } });
    }
    if (!database) throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'database', reason: `no database is configured for plugin "${record.id}"` } });
    const applied = await installPluginDataModel(database, record.manifest, model);
    if (applied.length > 0) logger.info({ plugin: record.id, applied }, `plugin "${record.id}" migrated`);
  };
}
