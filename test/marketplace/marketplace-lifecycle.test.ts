/**
 * Issue #15 "Done when", end to end on PostgreSQL + Redis with two built host processes (`node host/dist/cli.js
 * start`, one database and Redis prefix of their own, each its own VV_DATA_DIR):
 *
 * 1. A plugin author outside this repository runs docs/writing-plugins.md's blocks as written (create → npm install
 *    && npm test → pack → keygen → sign → verify → sign in → publisher → publish → trust → install → enable) against
 *    host A, after giving the scaffold a migration (1.0.0 creates a table). Host B serves it without a restart; 1.1.0
 *    (a new column and a route that uses it) is published and installed as an upgrade, then rolled back (its `down`
 *    step drops the column); a forced uninstall keeps the schema and rows, a re-install within the retention finds
 *    them, and the scheduled purge job drops them once the retention ends. Asserted with SQL and HTTP.
 * 2. Refusals on the same two hosts: tampered packages, an unknown signer, an id/version other than plugin.json's, a
 *    kernel range this host does not meet, a route prefix another plugin owns, failing migrations: each refused with
 *    its code, nothing left behind (no schema, no rows, no unpacked folder on either host), and the installed
 *    version still serving on both.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { canonicalJson, generateSigningKeyPair, packPluginDirectory, readPackageEntries, signPackage, writePackageTarball } from '@valueverse/plugin-sdk/package';
import { authorEnv, removeNpxInstalls, runStep } from '../support/author-shell';
import { docShellSteps } from '../support/doc-shell-steps';
import { signIn } from '../support/host-fixture';
import { startHostProcess, waitFor, type HostProcess } from '../support/host-process';
import { writeTestPlugin, type TestPluginSpec } from '../support/package-fixture';
import { describeWithPostgres, describeWithRedis, postgresUrl, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

const repo = resolve(__dirname, '..', '..');
const DOC = join(repo, 'docs', 'writing-plugins.md');
const PLUGIN_ID = 'time-tracking';
const SCHEMA = 'time_tracking';
/** ~60 s: long enough to look at the kept data and re-install, short enough to see the purge job drop it. */
const RETENTION_DAYS = '0.0007';
/** Generous: the machine is shared with other builds and test runs. */
const CONVERGE_MS = 60_000;

/** The scaffold's module with a table of time entries (1.0.0), and with a note column and a route using it (1.1.0). */
function pluginSource(version: '1.0.0' | '1.1.0'): string {
  const migrations = [
    { name: '0001-entries', up: ['create table entries (id serial primary key, tenant_id text not null, minutes int not null)'], down: ['drop table entries'] },
    ...(version === '1.1.0' ? [{ name: '0002-entry-notes', up: ['alter table entries add column note text'], down: ['alter table entries drop column note'] }] : []),
  ];
  return `import { coreServices, definePlugin } from '@valueverse/plugin-sdk';

export const plugin = definePlugin({
  deps: { http: coreServices.http, db: coreServices.db },
  database: { migrations: ${JSON.stringify(migrations)} },
  setup({ http, db }) {
    http.route({
      method: 'GET',
      path: '/${PLUGIN_ID}/hello/:name',
      handler: (request) => ({ greeting: \`Hello, \${request.params['name']}\`, tenant: request.tenant.id, version: '${version}' }),
    });
    http.route({
      method: 'POST',
      path: '/${PLUGIN_ID}/entries',
      handler: (request) => {
        const body = request.body as { minutes: number; note?: string };
        return db.transaction(request.tenant.id, (tx) =>
          ${
            version === '1.1.0'
              ? `tx.query('insert into entries (tenant_id, minutes, note) values ($1, $2, $3) returning minutes, note', [request.tenant.id, body.minutes, body.note ?? null]),`
              : `tx.query('insert into entries (tenant_id, minutes) values ($1, $2) returning minutes', [request.tenant.id, body.minutes]),`
          }
        );
      },
    });
    http.route({ method: 'GET', path: '/${PLUGIN_ID}/entries', handler: (request) => db.transaction(request.tenant.id, (tx) => tx.query('select minutes from entries order by id')) });
    ${
      version === '1.1.0'
        ? `http.route({ method: 'GET', path: '/${PLUGIN_ID}/notes', handler: (request) => db.transaction(request.tenant.id, (tx) => tx.query('select minutes, note from entries order by id')) });`
        : ''
    }
  },
});
`;
}

/** Gives the scaffolded plugin `version`'s module, the "db" permission and the version number. */
function writeVersion(dir: string, version: '1.0.0' | '1.1.0'): void {
  writeFileSync(join(dir, 'src', 'index.ts'), pluginSource(version));
  // The scaffold's test greets without a version and has no database: the module's own test is not the subject here.
  rmSync(join(dir, 'src', 'index.test.ts'), { force: true });
  for (const file of ['plugin.json', 'package.json']) {
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    json['version'] = version;
    if (file === 'plugin.json') json['permissions'] = ['db'];
    writeFileSync(join(dir, file), `${JSON.stringify(json, null, 2)}\n`);
  }
}

describeWithPostgres('marketplace end to end: two host processes on PostgreSQL + Redis', () => {
  describeWithRedis('with Redis', () => {
    const database = `vv_mkt_e2e_${randomBytes(5).toString('hex')}`;
    const prefix = `vv-mkt-e2e-${randomBytes(4).toString('hex')}`;
    const dataDirs = [mkdtempSync(join(tmpdir(), 'vv-mkt-a-')), mkdtempSync(join(tmpdir(), 'vv-mkt-b-'))];
    const root = mkdtempSync(join(tmpdir(), 'vv-mkt-author-'));
    let admin: Database;
    let sql: Database;
    const hosts: HostProcess[] = [];
    let a: string;
    let b: string;
    let token: string;

    beforeAll(async () => {
      const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: repo, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`tsc -b failed:\n${build.stdout}${build.stderr}`);
      admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
      await admin.execute(`create database ${database}`);
      const env = {
        DATABASE_URL: postgresUrl(database),
        REDIS_URL: TEST_REDIS_URL,
        VV_REDIS_PREFIX: prefix,
        VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        VV_PLUGIN_RETENTION_DAYS: RETENTION_DAYS,
        VV_PLUGIN_PURGE_INTERVAL_SECONDS: '2',
      };
      // One after the other: the first boot migrates and seeds the database.
      for (const dir of dataDirs) hosts.push(await startHostProcess({ ...env, VV_DATA_DIR: dir }, { built: true, readyTimeoutMs: 120_000 }));
      [a, b] = [hosts[0]!.url, hosts[1]!.url];
      token = await signIn(a);
      sql = await openDatabase({ url: postgresUrl(database), poolMax: 2 });
    }, 300_000);

    afterAll(async () => {
      if (a) removeNpxInstalls(a, authorEnv(a));
      await Promise.all(hosts.map((h) => h.stop()));
      await sql?.close();
      await admin?.execute(`drop database if exists ${database} with (force)`);
      await admin?.close();
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      for (const dir of [...dataDirs, root]) rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field in expectations
    const send = async (url: string, method: string, path: string, body?: unknown): Promise<{ status: number; type: string; body: any }> => {
      const binary = Buffer.isBuffer(body);
      const res = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'x-tenant-id': 'demo',
          ...(body === undefined ? {} : { 'content-type': binary ? 'application/octet-stream' : 'application/json' }),
        },
        body: body === undefined ? undefined : binary ? new Uint8Array(body) : JSON.stringify(body),
      });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      return { status: res.status, type, body: text && /json/.test(type) ? JSON.parse(text) : text };
    };
    /** Polls `GET url+path` until `check` holds (deadline CONVERGE_MS); returns the last answer. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    const until = (url: string, path: string, check: (res: { status: number; body: any }) => boolean, what: string) =>
      waitFor(
        async () => {
          const res = await send(url, 'GET', path);
          return check(res) ? res : undefined;
        },
        CONVERGE_MS,
        `${url}${path}: ${what}`,
        25,
      );
    const schemaExists = async (schema: string) => (await sql.execute<{ found: string | null }>('select to_regnamespace($1)::text as found', [schema]))[0]!.found !== null;
    const columnsOf = async (schema: string, table: string) =>
      (
        await sql.execute<{ column_name: string }>('select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position', [
          schema,
          table,
        ])
      ).map((r) => r.column_name);
    const migrationsOf = async (schema: string) => (await sql.execute<{ name: string }>(`select name from "${schema}".mikro_orm_migrations order by id`)).map((r) => r.name);
    const unpacked = (pluginId: string) => dataDirs.flatMap((dir) => (existsSync(join(dir, 'plugins', pluginId)) ? readdirSync(join(dir, 'plugins', pluginId)) : []));
    const pids = () => hosts.map((h) => h.child.pid);

    it('create → test → pack → keygen → sign → publish → trust → install → enable, served on B; upgrade, roll back, uninstall, data kept, then purged', async () => {
      expect(root.startsWith(repo)).toBe(false);
      const started = Date.now();
      const pidsAtStart = pids();
      const timings: string[] = [];
      const lap = (what: string, since: number) => timings.push(`${what} ${((Date.now() - since) / 1000).toFixed(1)} s`);
      const steps = docShellSteps(DOC);
      const step = (name: string) => {
        const found = steps.find((s) => s.name === name);
        if (!found) throw new Error(`docs/writing-plugins.md has no vv-step=${name}`);
        return found;
      };
      const env = authorEnv(a);
      const pluginDir = join(root, PLUGIN_ID);

      // As written: create where the author starts, install and test inside the new folder.
      let t = Date.now();
      runStep(step('create'), root, env);
      const tested = runStep(step('test'), pluginDir, env);
      expect(tested.output).toMatch(/Tests:\s+2 passed, 2 total/);
      lap('create + npm install + npm test', t);

      // The author gives 1.0.0 a table, then packs, generates a key, signs and verifies as written.
      writeVersion(pluginDir, '1.0.0');
      t = Date.now();
      for (const name of ['pack', 'keygen', 'sign', 'verify']) runStep(step(name), pluginDir, env);
      lap('build + pack + keygen + sign + verify', t);

      // Publish → trust → install → enable share one shell (ADMIN_TOKEN, PUBLISHER_TOKEN); the publisher's token is
      // kept for publishing 1.1.0 below.
      t = Date.now();
      const shared = ['sign-in', 'publisher', 'publish', 'trust', 'install', 'enable'].map(step);
      const script = [...shared.map((s) => s.script), `printf '%s' "$PUBLISHER_TOKEN" > ../publisher-token`].join('\n');
      const enabled = runStep({ name: 'sign-in … enable', line: shared[0]!.line, script }, pluginDir, env);
      expect(enabled.output).toContain('{"greeting":"Hello, ada","tenant":"demo","version":"1.0.0"}');
      lap('publish + trust + install + enable', t);

      // B serves it without a restart; rows stored through either host land in the plugin's table.
      t = Date.now();
      await until(b, `/api/v1/${PLUGIN_ID}/hello/bob`, (res) => res.status === 200 && res.body.version === '1.0.0', 'serves 1.0.0');
      lap('serving on B', t);
      expect(pids()).toEqual(pidsAtStart);
      expect((await send(b, 'POST', `/api/v1/${PLUGIN_ID}/entries`, { minutes: 30 })).body).toEqual([{ minutes: 30 }]);
      expect((await send(a, 'POST', `/api/v1/${PLUGIN_ID}/entries`, { minutes: 45 })).body).toEqual([{ minutes: 45 }]);
      expect(await sql.execute(`select tenant_id, minutes from ${SCHEMA}.entries order by id`)).toEqual([
        { tenant_id: 'demo', minutes: 30 },
        { tenant_id: 'demo', minutes: 45 },
      ]);
      expect(await migrationsOf(SCHEMA)).toEqual(['0001-entries']);
      const installs = await send(b, 'GET', '/api/v1/admin/installs');
      expect(installs.body.items).toEqual([expect.objectContaining({ pluginId: PLUGIN_ID, version: '1.0.0', source: 'registry', trust: 'in-process', state: 'installed' })]);
      await waitFor(
        async () => {
          const states = (await send(a, 'GET', '/api/v1/admin/installs')).body.items[0].instances as { state: string; version: string }[];
          return states.length === 2 && states.every((s) => s.state === 'running' && s.version === '1.0.0') ? true : undefined;
        },
        CONVERGE_MS,
        'both instances report 1.0.0 running',
      );

      // 1.1.0: a new column and a route that uses it, published with the same commands, installed as an upgrade.
      writeVersion(pluginDir, '1.1.0');
      t = Date.now();
      runStep(
        {
          name: 'publish 1.1.0',
          line: 0,
          script: [
            'npm run build',
            'npx vv-plugin validate',
            'npx vv-plugin pack --out time-tracking-1.1.0.vvpkg',
            'npx vv-plugin sign time-tracking-1.1.0.vvpkg --key publisher.pem',
            'npx vv-plugin publish time-tracking-1.1.0.vvpkg --registry "$VV_HOST/api/v1/marketplace" --token "$(cat ../publisher-token)"',
          ].join('\n'),
        },
        pluginDir,
        env,
      );
      lap('build + pack + sign + publish 1.1.0', t);
      t = Date.now();
      const upgraded = await send(a, 'PUT', `/api/v1/admin/installs/${PLUGIN_ID}`, { version: '1.1.0' });
      expect(upgraded.body).toMatchObject({ version: '1.1.0', previousVersion: '1.0.0', source: 'registry' });
      await until(b, `/api/v1/${PLUGIN_ID}/hello/bob`, (res) => res.body.version === '1.1.0', 'serves 1.1.0');
      lap('upgrade until B serves', t);
      expect(await columnsOf(SCHEMA, 'entries')).toEqual(['id', 'tenant_id', 'minutes', 'note']);
      expect(await migrationsOf(SCHEMA)).toEqual(['0001-entries', '0002-entry-notes']);
      expect((await send(b, 'POST', `/api/v1/${PLUGIN_ID}/entries`, { minutes: 15, note: 'review' })).body).toEqual([{ minutes: 15, note: 'review' }]);
      expect((await send(a, 'GET', `/api/v1/${PLUGIN_ID}/notes`)).body).toEqual([
        { minutes: 30, note: null },
        { minutes: 45, note: null },
        { minutes: 15, note: 'review' },
      ]);

      // Roll back through B: 1.1.0's down step drops the column, 1.0.0 serves on both, its rows are intact.
      t = Date.now();
      const rolledBack = await send(b, 'PUT', `/api/v1/admin/installs/${PLUGIN_ID}`, { version: '1.0.0' });
      expect(rolledBack.body).toMatchObject({ version: '1.0.0', previousVersion: '1.1.0' });
      await until(a, `/api/v1/${PLUGIN_ID}/hello/ann`, (res) => res.body.version === '1.0.0', 'serves 1.0.0 again');
      lap('roll-back until A serves', t);
      expect(await columnsOf(SCHEMA, 'entries')).toEqual(['id', 'tenant_id', 'minutes']);
      expect(await migrationsOf(SCHEMA)).toEqual(['0001-entries']);
      for (const url of [a, b]) {
        expect((await send(url, 'GET', `/api/v1/${PLUGIN_ID}/notes`)).status).toBe(404);
        expect((await send(url, 'GET', `/api/v1/${PLUGIN_ID}/entries`)).body).toEqual([{ minutes: 30 }, { minutes: 45 }, { minutes: 15 }]);
      }

      // Uninstall: refused while demo uses it, forced disables it; both hosts stop serving; the data stays.
      expect((await send(a, 'DELETE', `/api/v1/admin/installs/${PLUGIN_ID}`)).body).toMatchObject({ code: 'VV_PLUGIN_IN_USE' });
      const removed = await send(a, 'DELETE', `/api/v1/admin/installs/${PLUGIN_ID}?force=true`);
      expect(removed.body).toMatchObject({ state: 'uninstalled', disabledFor: ['demo'] });
      for (const url of [a, b]) await until(url, `/api/v1/${PLUGIN_ID}/hello/x`, (res) => res.status === 404, 'stops serving');
      expect(await sql.execute(`select minutes from ${SCHEMA}.entries order by id`)).toEqual([{ minutes: 30 }, { minutes: 45 }, { minutes: 15 }]);
      expect(await sql.execute(`select enabled from kernel.tenant_plugins where tenant_id = 'demo' and plugin_id = $1`, [PLUGIN_ID])).toEqual([{ enabled: false }]);

      // Re-installed within the retention, it finds its rows.
      expect((await send(b, 'POST', '/api/v1/admin/installs', { pluginId: PLUGIN_ID, version: '1.0.0' })).status).toBe(201);
      expect((await send(b, 'PUT', `/api/v1/admin/tenants/demo/plugins/${PLUGIN_ID}`, { enabled: true })).status).toBe(200);
      const found = await until(a, `/api/v1/${PLUGIN_ID}/entries`, (res) => res.status === 200, 'serves the kept rows');
      expect(found.body).toEqual([{ minutes: 30 }, { minutes: 45 }, { minutes: 15 }]);

      // Uninstalled again: once the retention ends, the scheduled purge job drops schema, settings, packages and files.
      t = Date.now();
      expect((await send(a, 'DELETE', `/api/v1/admin/installs/${PLUGIN_ID}?force=true`)).body).toMatchObject({ state: 'uninstalled' });
      expect(await schemaExists(SCHEMA)).toBe(true);
      await waitFor(async () => ((await schemaExists(SCHEMA)) ? undefined : true), 240_000, 'the purge job drops the schema', 500);
      lap('uninstall until purged', t);
      expect(await sql.execute('select plugin_id from kernel.tenant_plugins where plugin_id = $1', [PLUGIN_ID])).toEqual([]);
      expect(await sql.execute('select plugin_id from kernel.installs where plugin_id = $1', [PLUGIN_ID])).toEqual([]);
      expect((await send(a, 'GET', '/api/v1/admin/installs')).body.items).toEqual([]);
      await waitFor(
        async () => (unpacked(PLUGIN_ID).length === 0 ? true : undefined),
        CONVERGE_MS,
        `unpacked folders of ${PLUGIN_ID} removed on both hosts (${unpacked(PLUGIN_ID).join(', ')})`,
        250,
      );
      expect(pids()).toEqual(pidsAtStart);
      process.stdout.write(`marketplace lifecycle (${root}, hosts ${a} ${b}): ${timings.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }, 900_000);

    describe('refusals: each with its code, nothing half-installed, the installed version still serving on both hosts', () => {
      const key = generateSigningKeyPair();
      const stranger = generateSigningKeyPair();
      const notes = { name: '0001-notes', up: ['create table notes (id serial primary key, tenant_id text not null, body text)'], down: ['drop table notes'] };
      const pack = async (spec: TestPluginSpec, signer: { privateKeyPem: string } = key) =>
        signPackage(await packPluginDirectory(writeTestPlugin(spec, mkdtempSync(join(root, 'pkg-')))), signer.privateKeyPem);

      /** Refused with `code` (problem+json, 4xx); no schema, install record or unpacked folder for what was refused; 1.0.0 serving on A and B. */
      async function expectRefused(bytes: Buffer, code: string, refused: { id: string; version: string }): Promise<void> {
        const res = await send(a, 'POST', '/api/v1/admin/installs', bytes);
        expect({ status: res.status >= 400 && res.status < 500, type: res.type, code: res.body.code }).toEqual({
          status: true,
          type: expect.stringContaining('application/problem+json'),
          code,
        });
        for (const url of [a, b]) expect((await send(url, 'GET', '/api/v1/e2e-notes/hello')).body).toMatchObject({ version: '1.0.0' });
        const items = (await send(b, 'GET', '/api/v1/admin/installs')).body.items as { pluginId: string; version: string; instances: { state: string; version: string }[] }[];
        expect(items.map((i) => `${i.pluginId}@${i.version}`)).toEqual(['e2e-notes@1.0.0']);
        expect(items[0]!.instances.map((i) => `${i.state}@${i.version}`)).toEqual(['running@1.0.0', 'running@1.0.0']);
        expect(await migrationsOf('e2e_notes')).toEqual(['0001-notes']);
        expect((await sql.execute<{ t: string }>("select table_name as t from information_schema.tables where table_schema = 'e2e_notes' order by 1")).map((r) => r.t)).toEqual([
          'mikro_orm_migrations',
          'notes',
        ]);
        expect(await sql.execute('select count(*)::int as n from e2e_notes.notes')).toEqual([{ n: 1 }]);
        if (refused.id !== 'e2e-notes') expect(await schemaExists(refused.id.replace(/-/g, '_'))).toBe(false);
        expect(await sql.execute('select version from kernel.install_packages where plugin_id = $1 and version = $2', [refused.id, refused.version])).toEqual([]);
        expect(unpacked(refused.id).filter((v) => v.startsWith(refused.version))).toEqual([]);
      }

      beforeAll(async () => {
        expect((await send(a, 'POST', '/api/v1/admin/trusted-keys', { publicKeyPem: key.publicKeyPem, name: 'E2E' })).status).toBe(201);
        expect((await send(a, 'POST', '/api/v1/admin/installs', await pack({ id: 'e2e-notes', version: '1.0.0', migrations: [notes] }))).status).toBe(201);
        expect((await send(a, 'PUT', '/api/v1/admin/tenants/demo/plugins/e2e-notes', { enabled: true })).status).toBe(200);
        await sql.execute("insert into e2e_notes.notes (tenant_id, body) values ('demo', 'kept')");
        await until(b, '/api/v1/e2e-notes/hello', (res) => res.body.version === '1.0.0', 'serves e2e-notes 1.0.0');
        await waitFor(
          async () => {
            const items = (await send(a, 'GET', '/api/v1/admin/installs')).body.items as { instances: { state: string }[] }[];
            return items[0]?.instances.length === 2 && items[0].instances.every((i) => i.state === 'running') ? true : undefined;
          },
          CONVERGE_MS,
          'both instances report e2e-notes running',
        );
      }, 120_000);

      it('refuses a package with one byte changed or one file added (VV_PACKAGE_MODIFIED)', async () => {
        const entries = await readPackageEntries(await pack({ id: 'e2e-notes', version: '1.0.1', migrations: [notes] }));
        const changed = new Map(entries);
        const main = Buffer.from(changed.get('dist/index.js')!);
        main[main.length - 2] ^= 0x01;
        changed.set('dist/index.js', main);
        await expectRefused(writePackageTarball(changed), 'VV_PACKAGE_MODIFIED', { id: 'e2e-notes', version: '1.0.1' });
        const added = new Map(entries).set('dist/extra.js', Buffer.from('module.exports = 1;\n'));
        await expectRefused(writePackageTarball(added), 'VV_PACKAGE_MODIFIED', { id: 'e2e-notes', version: '1.0.1' });
      }, 120_000);

      it('refuses a package signed by a key this deployment does not trust (VV_SIGNER_UNTRUSTED), or unsigned (VV_SIGNATURE_INVALID)', async () => {
        await expectRefused(await pack({ id: 'e2e-notes', version: '1.0.1', migrations: [notes] }, stranger), 'VV_SIGNER_UNTRUSTED', { id: 'e2e-notes', version: '1.0.1' });
        const unsigned = await packPluginDirectory(writeTestPlugin({ id: 'e2e-notes', version: '1.0.1', migrations: [notes] }, mkdtempSync(join(root, 'pkg-'))));
        await expectRefused(unsigned, 'VV_SIGNATURE_INVALID', { id: 'e2e-notes', version: '1.0.1' });
      }, 120_000);

      it('refuses a signed manifest whose id or version is not plugin.json’s (VV_PACKAGE_MODIFIED)', async () => {
        const entries = await readPackageEntries(await pack({ id: 'e2e-notes', version: '1.0.1', migrations: [notes] }));
        for (const field of ['version', 'plugin'] as const) {
          const file = JSON.parse(entries.get('MANIFEST.json')!.toString('utf8')) as { manifest: Record<string, unknown>; signature: { value: string } };
          file.manifest[field] = field === 'version' ? '1.0.9' : 'e2e-other';
          // Signed by the trusted key, so only the id/version check can refuse it.
          file.signature.value = sign(null, Buffer.from(canonicalJson(file.manifest), 'utf8'), key.privateKeyPem).toString('base64');
          const forged = new Map(entries).set('MANIFEST.json', Buffer.from(JSON.stringify(file)));
          await expectRefused(writePackageTarball(forged), 'VV_PACKAGE_MODIFIED', {
            id: field === 'plugin' ? 'e2e-other' : 'e2e-notes',
            version: field === 'version' ? '1.0.9' : '1.0.1',
          });
        }
      }, 120_000);

      it('refuses a package whose kernel range this host does not meet (VV_KERNEL_INCOMPATIBLE)', async () => {
        await expectRefused(await pack({ id: 'e2e-notes', version: '1.0.1', kernel: '^99.0.0', migrations: [notes] }), 'VV_KERNEL_INCOMPATIBLE', {
          id: 'e2e-notes',
          version: '1.0.1',
        });
      }, 120_000);

      it('refuses a route prefix the installed plugin owns (VV_ROUTE_CONFLICT)', async () => {
        await expectRefused(await pack({ id: 'e2e-thief', version: '1.0.0', route: '/e2e-notes/x', migrations: [notes] }), 'VV_ROUTE_CONFLICT', {
          id: 'e2e-thief',
          version: '1.0.0',
        });
      }, 120_000);

      it('refuses failing migrations, in an upgrade and in a first install (VV_MIGRATION_FAILED), rolled back', async () => {
        const broken = { name: '0002-broken', up: ['create table half (id int)', 'select * from no_such_table'], down: ['drop table half'] };
        await expectRefused(await pack({ id: 'e2e-notes', version: '1.0.1', migrations: [notes, broken] }), 'VV_MIGRATION_FAILED', { id: 'e2e-notes', version: '1.0.1' });
        await expectRefused(await pack({ id: 'e2e-broken', version: '1.0.0', migrations: [{ ...broken, name: '0001-broken' }] }), 'VV_MIGRATION_FAILED', {
          id: 'e2e-broken',
          version: '1.0.0',
        });
      }, 120_000);
    });
  });
});
