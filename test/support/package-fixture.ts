import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a test plugin written by `writeTestPlugin` does. */
export interface TestPluginSpec {
  readonly id: string;
  readonly version: string;
  readonly kernel?: string;
  /** Route prefix; default `/<id>`. */
  readonly route?: string;
  /** The answer of `GET <route>/hello` (the version, unless given). */
  readonly hello?: string;
  readonly permissions?: readonly string[];
  /** SQL migrations (each with up and down); with any, the plugin gets `db` and a `GET <route>/notes` reading them. */
  readonly migrations?: readonly { name: string; up: string[]; down: string[] }[];
  /** A `POST <route>/publish` that publishes this event name (needs a matching events.publish permission). */
  readonly publishes?: string;
  /** Other plugins it requires (manifest `requires`). */
  readonly requires?: Record<string, string>;
  /** A first-party plugin's public API entry it imports (e.g. `@valueverse/plugin-calculation/api`); `GET <route>/api` lists its exports. */
  readonly importsApi?: string;
  /** Milliseconds `GET <route>/slow` takes (to show that an upgrade lets it finish). */
  readonly slowMs?: number;
  /**
   * A MikroORM entity (`EntitySchema` from `@mikro-orm/core`, which the host provides) on a table `items` that a
   * migration of its own creates, read and written through `db.em`: `POST <route>/items` `{ name }`, `GET <route>/items`.
   */
  readonly entity?: boolean;
}

/** The migration behind `TestPluginSpec.entity`. */
const ITEMS_MIGRATION = { name: '0900-items', up: ['create table items (id serial primary key, tenant_id text not null, name text not null)'], down: ['drop table items'] };

/**
 * Writes a plugin folder as an outside author's build leaves it: plugin.json, package.json and a CommonJS
 * `dist/index.js` that imports only what the host provides to installed packages (`@valueverse/plugin-sdk`, and
 * `@mikro-orm/core` for `entity`).
 */
export function writeTestPlugin(spec: TestPluginSpec, root = mkdtempSync(join(tmpdir(), 'vv-test-plugin-'))): string {
  const dir = join(root, `${spec.id}-${spec.version}`);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  const route = spec.route ?? `/${spec.id}`;
  const migrations = [...(spec.migrations ?? []), ...(spec.entity ? [ITEMS_MIGRATION] : [])];
  const permissions = [...(spec.permissions ?? []), ...(migrations.length ? ['db'] : [])];
  const manifest = {
    id: spec.id,
    version: spec.version,
    displayName: `Test ${spec.id}`,
    kernel: spec.kernel ?? '^1.0.0',
    main: 'dist/index.js',
    routes: [route],
    permissions,
    ...(spec.requires ? { requires: spec.requires } : {}),
  };
  writeFileSync(join(dir, 'plugin.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `@acme/plugin-${spec.id}`, version: spec.version, main: 'dist/index.js', license: 'MIT' }, null, 2)}\n`);
  const deps = ['http: coreServices.http', ...(migrations.length ? ['db: coreServices.db'] : []), ...(spec.publishes ? ['events: coreServices.events'] : [])];
  const schema = spec.id.replace(/-/g, '_');
  // Entity names are unique across plugins: prefixed with the plugin id in PascalCase.
  const entityName = `${spec.id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}Item`;
  writeFileSync(
    join(dir, 'dist', 'index.js'),
    `'use strict';
const { coreServices, definePlugin } = require('@valueverse/plugin-sdk');
${
  spec.entity
    ? `const { EntitySchema } = require('@mikro-orm/core');
const Item = new EntitySchema({
  name: ${JSON.stringify(entityName)},
  schema: ${JSON.stringify(schema)},
  tableName: 'items',
  properties: { id: { type: 'integer', primary: true, autoincrement: true }, tenantId: { type: 'text', fieldName: 'tenant_id' }, name: { type: 'text' } },
});`
    : ''
}
exports.plugin = definePlugin({
  deps: { ${deps.join(', ')} },
  ${migrations.length ? `database: { ${spec.entity ? 'entities: [Item], ' : ''}migrations: ${JSON.stringify(migrations)} },` : ''}
  setup: async ({ http, db, events }) => {
    http.route({ method: 'GET', path: ${JSON.stringify(`${route}/hello`)}, handler: () => ({ plugin: ${JSON.stringify(spec.id)}, version: ${JSON.stringify(spec.version)}, hello: ${JSON.stringify(spec.hello ?? spec.version)} }) });
    ${spec.importsApi ? `http.route({ method: 'GET', path: ${JSON.stringify(`${route}/api`)}, handler: () => Object.keys(require(${JSON.stringify(spec.importsApi)})).sort() });` : ''}
    ${spec.slowMs ? `http.route({ method: 'GET', path: ${JSON.stringify(`${route}/slow`)}, handler: () => new Promise((r) => setTimeout(() => r({ version: ${JSON.stringify(spec.version)} }), ${spec.slowMs})) });` : ''}
    ${migrations.length ? `http.route({ method: 'GET', path: ${JSON.stringify(`${route}/tables`)}, handler: (req) => db.transaction(req.tenant.id, (tx) => tx.query("select table_name from information_schema.tables where table_schema = current_schema() and table_name <> 'mikro_orm_migrations' order by table_name")) });` : ''}
    ${
      spec.entity
        ? `http.route({ method: 'POST', path: ${JSON.stringify(`${route}/items`)}, handler: (req) => db.em(req.tenant.id, async (em) => { const item = em.create(Item, { tenantId: req.tenant.id, name: req.body.name }); await em.flush(); return { id: item.id, name: item.name }; }) });
    http.route({ method: 'GET', path: ${JSON.stringify(`${route}/items`)}, handler: (req) => db.em(req.tenant.id, async (em) => (await em.find(Item, {}, { orderBy: { id: 'asc' } })).map((i) => ({ id: i.id, name: i.name, tenantId: i.tenantId }))) });`
        : ''
    }
    ${spec.publishes ? `http.route({ method: 'POST', path: ${JSON.stringify(`${route}/publish`)}, minRole: 'viewer', handler: async (req) => { await events.publish(${JSON.stringify(spec.publishes)}, req.tenant.id, {}); return { published: true }; } });` : ''}
  },
});
`,
  );
  return dir;
}
