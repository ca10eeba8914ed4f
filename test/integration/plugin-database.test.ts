import { EntitySchema } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { PluginManifest } from '@valueverse/plugin-sdk';
import type { Database } from '@valueverse/kernel';
import { openDatabase } from '../../backends/src/data/open-database';
import { installPluginDataModel, pluginDatabase, revertPluginDataModel } from '../../kernel/src/data/plugin-database';

interface Note {
  id: number;
  tenantId: string;
  body: string;
}

const noteEntity = new EntitySchema<Note>({
  name: 'NotesNote',
  tableName: 'notes',
  schema: 'notes_plugin',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    tenantId: { type: 'string', fieldName: 'tenant_id' },
    body: { type: 'text' },
  },
});

const manifest = { id: 'notes-plugin', version: '1.0.0', displayName: 'Notes', kernel: '^1.0.0', main: 'x', permissions: ['db'] } as PluginManifest;
const model = {
  entities: [noteEntity],
  migrations: [
    {
      name: '0001-notes',
      up: ['create table notes (id serial primary key, tenant_id text not null, body text not null)'],
      down: ['drop table notes'],
    },
    { name: '0002-tags', up: ['create table tags (name text primary key)'], down: ['drop table tags'] },
  ],
};

describe('plugin data model on embedded PostgreSQL', () => {
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase({ inMemory: true });
  }, 60_000);
  afterAll(() => database.close());

  it('migrates the schema once, in order, and again finds nothing pending', async () => {
    expect(await installPluginDataModel(database, manifest, model)).toEqual(['0001-notes', '0002-tags']);
    const db = pluginDatabase(database, manifest);
    expect(db.schema).toBe('notes_plugin');
    const again = await openDatabaseTwin(database);
    expect(again).toEqual([]);
  });

  it('limits entity queries to the tenant (filter) and raw SQL to the tenant (row-level security)', async () => {
    const db = pluginDatabase(database, manifest);
    await db.em('acme', async (em) => {
      em.persist(em.create(noteEntity, { tenantId: 'acme', body: 'acme note' }));
    });
    await db.em('globex', async (em) => {
      em.persist(em.create(noteEntity, { tenantId: 'globex', body: 'globex note' }));
    });
    const acme = await db.em('acme', (em) => em.find(noteEntity, {}));
    expect(acme.map((n) => n.body)).toEqual(['acme note']);
    // Raw SQL that forgets the tenant condition still sees only the tenant's rows.
    const raw = await db.transaction('globex', (tx) => tx.query<{ body: string }>('select body from notes'));
    expect(raw.map((r) => r.body)).toEqual(['globex note']);
  });

  it('refuses to write a row for another tenant', async () => {
    const db = pluginDatabase(database, manifest);
    await expect(db.transaction('acme', (tx) => tx.query("insert into notes (tenant_id, body) values ('globex', 'sneaky')"))).rejects.toThrow(/row-level security/);
    const rows = await database.execute<{ n: string }>("select count(*)::text as n from notes_plugin.notes where body = 'sneaky'");
    expect(rows[0].n).toBe('0');
  });

  it('returns no rows as the plugin role without app.tenant_id', async () => {
    const rows = await database.transaction(async (tx) => {
      await tx.query('set local role vv_plugin_notes_plugin');
      return tx.query('select * from notes_plugin.notes');
    });
    expect(rows).toEqual([]);
  });

  it('runs em() as the plugin role with the tenant and schema bound, and leaves the session as it found it', async () => {
    const db = pluginDatabase(database, manifest);
    const inside = await db.em('acme', (em) =>
      (em as SqlEntityManager).execute<{ role: string; tenant: string; path: string }[]>(
        "select current_user as role, current_setting('app.tenant_id', true) as tenant, current_setting('search_path') as path",
      ),
    );
    expect(inside).toEqual([{ role: 'vv_plugin_notes_plugin', tenant: 'acme', path: '"notes_plugin", public' }]);
    // PGlite has one connection: this is the session the transaction ran on.
    const after = await database.execute<{ role: string; tenant: string | null }>("select current_user as role, current_setting('app.tenant_id', true) as tenant");
    expect(after[0]!.role).not.toBe('vv_plugin_notes_plugin');
    expect(after[0]!.tenant ?? '').toBe('');
  });

  it('em() is atomic: what work flushed is rolled back when it throws, and a nested transactional() is a savepoint', async () => {
    const db = pluginDatabase(database, manifest);
    await expect(
      db.em('acme', async (em) => {
        await em.persist(em.create(noteEntity, { tenantId: 'acme', body: 'flushed then rolled back' })).flush();
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    await db.em('acme', async (em) => {
      em.persist(em.create(noteEntity, { tenantId: 'acme', body: 'kept' }));
      await em
        .transactional(async (inner) => {
          inner.persist(inner.create(noteEntity, { tenantId: 'acme', body: 'savepoint rolled back' }));
          await inner.flush();
          throw new Error('inner failed');
        })
        .catch(() => undefined);
    });
    const bodies = (
      await database.execute<{ body: string }>("select body from notes_plugin.notes where body in ('flushed then rolled back', 'kept', 'savepoint rolled back')")
    ).map((r) => r.body);
    expect(bodies).toEqual(['kept']);
  });

  it("keeps a plugin's role out of other schemas", async () => {
    await database.execute('create schema if not exists other_plugin');
    await database.execute('create table if not exists other_plugin.secrets (id int)');
    const db = pluginDatabase(database, manifest);
    await expect(db.transaction('acme', (tx) => tx.query('select * from other_plugin.secrets'))).rejects.toThrow(/permission denied/);
  });
});

describe('plugin data model: down migrations', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ inMemory: true });
  }, 60_000);
  afterAll(() => database.close());

  const tables = async () =>
    (
      await database.execute<{ t: string }>(
        "select table_name as t from information_schema.tables where table_schema = 'notes_plugin' and table_name <> 'mikro_orm_migrations' order by 1",
      )
    ).map((r) => r.t);

  it('reverts newest first, through a named step or all the way, and applies them again', async () => {
    const plain = { migrations: model.migrations };
    await installPluginDataModel(database, manifest, plain);
    expect(await tables()).toEqual(['notes', 'tags']);
    expect(await revertPluginDataModel(database, manifest, plain, '0002-tags')).toEqual(['0002-tags']);
    expect(await tables()).toEqual(['notes']);
    expect(await revertPluginDataModel(database, manifest, plain, 0)).toEqual(['0001-notes']);
    expect(await tables()).toEqual([]);
    expect(await installPluginDataModel(database, manifest, plain)).toEqual(['0001-notes', '0002-tags']);
    expect(await tables()).toEqual(['notes', 'tags']);
  });

  it("replaces its own entities' metadata when another version of the plugin registers them (an upgrade at run time), and refuses another plugin's name", async () => {
    const upgraded = new EntitySchema<Note & { pinned?: boolean }>({
      name: 'NotesNote',
      tableName: 'notes',
      schema: 'notes_plugin',
      properties: { ...noteEntity.meta.properties, pinned: { type: 'boolean', nullable: true, persist: false } } as never,
    });
    await installPluginDataModel(database, manifest, { ...model, entities: [upgraded] });
    expect(Object.keys(database.orm.getMetadata().find('NotesNote')!.properties)).toContain('pinned');
    const thief = new EntitySchema<Note>({ name: 'NotesNote', tableName: 'notes', schema: 'other_plugin', properties: noteEntity.meta.properties as never });
    const other = { ...manifest, id: 'other-plugin' } as PluginManifest;
    await expect(installPluginDataModel(database, other, { migrations: [{ name: '0001-none', up: ['select 1'], down: ['select 1'] }], entities: [thief] })).rejects.toMatchObject({
      code: 'VV_CONFLICT',
    });
  });
});

async function openDatabaseTwin(database: Database): Promise<string[]> {
  return installPluginDataModel(database, manifest, { ...model, entities: [] });
}
