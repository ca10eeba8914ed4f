import { EntitySchema } from '@mikro-orm/core';
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

  const tables = async () => (await database.execute<{ t: string }>("select table_name as t from information_schema.tables where table_schema = 'notes_plugin' and table_name <> 'mikro_orm_migrations' order by 1")).map((r) => r.t);

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
});

async function openDatabaseTwin(database: Database): Promise<string[]> {
  return installPluginDataModel(database, manifest, { ...model, entities: [] });
}
