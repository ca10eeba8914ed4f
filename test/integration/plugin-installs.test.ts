import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair, packPluginDirectory, readPackageEntries, signPackage, writePackageTarball } from '@valueverse/plugin-sdk/package';
import { createKernel, createKernelLogger, MemoryAuditStore, PasswordHasher, SecretBox, type ChangeFeed, type Database, type Kernel, type PackageSource } from '@valueverse/kernel';
import { VvError } from '@valueverse/plugin-sdk';
import { openDatabase } from '../../backends/src/data/open-database';
import { SchemaValidator } from '../../kernel/src/http/schema-validator';
import { marketplacePackageSchema } from '../../kernel/src/installs/install-routes';
import { PostgresInstallStore } from '../../backends/src/installs/postgres-install-store';
import { PostgresKernelStore } from '../../backends/src/tenancy/postgres-kernel-store';
import { writeTestPlugin, type TestPluginSpec } from '../support/package-fixture';

// Installs at run time on one kernel with its data in embedded PostgreSQL: packages built here with the SDK's package
// library (pack, sign), installed, upgraded, rolled back and removed through the admin API, and every refusal.
/** A change feed within this process: what one kernel publishes, every subscribed one hears. */
class LoopbackFeed implements ChangeFeed {
  private readonly listeners: ((message: string | undefined) => void)[] = [];
  async subscribe(onChange: (message: string | undefined) => void): Promise<void> {
    this.listeners.push(onChange);
  }
  async publish(message: string): Promise<void> {
    for (const listener of this.listeners) listener(message);
  }
  async close(): Promise<void> {}
}

async function eventually(check: () => Promise<void>, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('installing plugins at run time', () => {
  const root = mkdtempSync(join(tmpdir(), 'vv-installs-'));
  const publisher = generateSigningKeyPair();
  const stranger = generateSigningKeyPair();
  /** What the test registry serves: `<id>@<version>` → package bytes. */
  const registry = new Map<string, Buffer>();
  const source: PackageSource = {
    catalog: async (q) =>
      [...registry.keys()].filter((key) => key.includes(q)).map((key) => ({ id: key.split('@')[0]!, displayName: key, latestVersion: key.split('@')[1]!, kernel: '^1.0.0' })),
    // The details a registry gives, read from the packages themselves: kernel range, permissions, signer.
    getPackage: async (id) => {
      const versions = [];
      for (const [key, bytes] of registry) {
        if (key.split('@')[0] !== id) continue;
        const entries = await readPackageEntries(bytes);
        const manifest = JSON.parse(entries.get('plugin.json')!.toString('utf8')) as { kernel: string; permissions?: string[] };
        const { signature } = JSON.parse(entries.get('MANIFEST.json')!.toString('utf8')) as { signature: { keyId: string } };
        versions.push({ version: key.split('@')[1]!, kernel: manifest.kernel, permissions: manifest.permissions ?? [], signer: { keyId: signature.keyId }, yanked: false });
      }
      if (versions.length === 0) throw new VvError('VV_PACKAGE_UNKNOWN', { params: { package: id } });
      return { id, displayName: `Test ${id}`, readme: `# ${id}`, latestVersion: versions[versions.length - 1]!.version, versions: versions.reverse() };
    },
    download: async (id, version) => {
      const bytes = registry.get(`${id}@${version}`);
      if (!bytes) throw new Error(`no ${id}@${version}`);
      return bytes;
    },
  };
  let database: Database;
  let kernel: Kernel;
  let url: string;
  let audit: MemoryAuditStore;
  let admin: string;
  let member: string;

  const pack = async (spec: TestPluginSpec, key: { privateKeyPem: string } | null = publisher) => {
    const unsigned = await packPluginDirectory(writeTestPlugin(spec, root));
    return key ? signPackage(unsigned, key.privateKeyPem) : unsigned;
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field in expectations
  async function call(method: string, path: string, body?: unknown, token = admin): Promise<{ status: number; body: any }> {
    const binary = Buffer.isBuffer(body);
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': binary ? 'application/octet-stream' : 'application/json' }) },
      body: body === undefined ? undefined : binary ? new Uint8Array(body) : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  }

  const hello = (route: string) => call('GET', `/api/v1${route}/hello`, undefined, member);
  const enable = (pluginId: string) => call('PUT', `/api/v1/admin/tenants/acme/plugins/${pluginId}`, { enabled: true });

  beforeAll(async () => {
    database = await openDatabase({ inMemory: true });
    const store = new PostgresKernelStore(database);
    await store.init();
    await store.createTenant({ id: 'acme', name: 'Acme' });
    audit = new MemoryAuditStore();
    kernel = await createKernel({
      store,
      secrets: new SecretBox(randomBytes(32)),
      database,
      auditStore: audit,
      installStore: new PostgresInstallStore(database),
      installDir: join(root, 'data', 'plugins'),
      packageSource: source,
      installRetentionMs: 86_400_000,
      logger: createKernelLogger({ level: 'silent' }),
      passwordHasher: new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
      timeouts: { setupMs: 2000, startMs: 2000, stopMs: 2000 },
    });
    const server = await kernel.listen(0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    admin = await kernel.tokens.issue({ sub: 'root', tid: 'acme', role: 'platform-admin', email: 'root@acme.test', pa: true });
    member = await kernel.tokens.issue({ sub: 'mia', tid: 'acme', role: 'member', email: 'mia@acme.test', pa: false });
    expect((await call('POST', '/api/v1/admin/trusted-keys', { publicKeyPem: publisher.publicKeyPem, name: 'Acme Plugins' })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await kernel?.close({ drainMs: 100 });
    await database?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists, adds and removes trusted keys for platform admins only', async () => {
    const keys = await call('GET', '/api/v1/admin/trusted-keys');
    expect(keys.body.items).toEqual([expect.objectContaining({ keyId: publisher.keyId, name: 'Acme Plugins', trust: 'in-process', addedBy: 'root' })]);
    expect((await call('GET', '/api/v1/admin/trusted-keys', undefined, member)).status).toBe(403);
    expect((await call('POST', '/api/v1/admin/trusted-keys', { publicKeyPem: 'not a key at all, certainly not PEM', name: 'x' })).body.code).toBe('VV_VALIDATION');
    const added = await call('POST', '/api/v1/admin/trusted-keys', { publicKeyPem: stranger.publicKeyPem, name: 'Temp', trust: 'sandboxed' });
    expect(added.body).toMatchObject({ keyId: stranger.keyId, trust: 'sandboxed' });
    expect((await call('DELETE', `/api/v1/admin/trusted-keys/${stranger.keyId}`)).status).toBe(204);
    expect((await call('DELETE', `/api/v1/admin/trusted-keys/${stranger.keyId}`)).status).toBe(404);
    expect((await audit.list({ limit: 50 })).items.map((e) => e.action)).toEqual(expect.arrayContaining(['trusted-key.added', 'trusted-key.removed']));
  });

  it('installs an uploaded signed package: it serves without a restart, and tenants can enable it', async () => {
    const res = await call(
      'POST',
      '/api/v1/admin/installs',
      await pack({
        id: 'acme-notes',
        version: '1.0.0',
        migrations: [{ name: '0001-notes', up: ['create table notes (id serial primary key, tenant_id text not null, body text)'], down: ['drop table notes'] }],
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      pluginId: 'acme-notes',
      version: '1.0.0',
      source: 'upload',
      signerKeyId: publisher.keyId,
      trust: 'in-process',
      state: 'installed',
      requestedBy: 'root',
    });
    expect(existsSync(join(root, 'data', 'plugins', 'acme-notes', '1.0.0', 'plugin.json'))).toBe(true);
    const plugins = await call('GET', '/api/v1/admin/plugins');
    expect(plugins.body.items.find((p: { id: string }) => p.id === 'acme-notes')).toMatchObject({ version: '1.0.0', state: 'running' });
    expect((await hello('/acme-notes')).body.code).toBe('VV_PLUGIN_NOT_ENABLED');
    expect((await enable('acme-notes')).status).toBe(200);
    expect((await hello('/acme-notes')).body).toEqual({ plugin: 'acme-notes', version: '1.0.0', hello: '1.0.0' });
    expect((await call('GET', '/api/v1/acme-notes/tables', undefined, member)).body).toEqual([{ table_name: 'notes' }]);
    const installs = await call('GET', '/api/v1/admin/installs');
    expect(installs.body.items).toEqual([
      expect.objectContaining({ pluginId: 'acme-notes', instances: [expect.objectContaining({ version: '1.0.0', state: 'running', error: null })] }),
    ]);
    expect((await audit.list({ limit: 50 })).items.map((e) => e.action)).toContain('plugin.installed');
  });

  describe('refusals: each with its code, nothing installed, the running version still serving', () => {
    const expectUnchanged = async () => {
      expect((await hello('/acme-notes')).body.version).toBe('1.0.0');
      expect((await call('GET', '/api/v1/admin/installs')).body.items.map((i: { pluginId: string; version: string }) => `${i.pluginId}@${i.version}`)).toEqual([
        'acme-notes@1.0.0',
      ]);
    };

    it('refuses a tampered package: one byte changed, or one file added', async () => {
      const entries = await readPackageEntries(await pack({ id: 'acme-notes', version: '1.0.1' }));
      const changed = new Map(entries);
      const main = Buffer.from(changed.get('dist/index.js')!);
      main[main.length - 2] ^= 0x01;
      changed.set('dist/index.js', main);
      expect((await call('POST', '/api/v1/admin/installs', writePackageTarball(changed))).body.code).toBe('VV_PACKAGE_MODIFIED');
      const added = new Map(entries).set('dist/extra.js', Buffer.from('module.exports = 1;'));
      expect((await call('POST', '/api/v1/admin/installs', writePackageTarball(added))).body.code).toBe('VV_PACKAGE_MODIFIED');
      await expectUnchanged();
    });

    it('refuses an unknown signer and an unsigned package', async () => {
      expect((await call('POST', '/api/v1/admin/installs', await pack({ id: 'acme-other', version: '1.0.0' }, stranger))).body.code).toBe('VV_SIGNER_UNTRUSTED');
      expect((await call('POST', '/api/v1/admin/installs', await pack({ id: 'acme-other', version: '1.0.0' }, null))).body.code).toBe('VV_SIGNATURE_INVALID');
      const refusals = (await audit.list({ limit: 10, action: 'plugin.install-refused' })).items.map((e) => (e.after as { refused: { code: string } }).refused.code);
      expect(refusals.slice(0, 2)).toEqual(['VV_SIGNATURE_INVALID', 'VV_SIGNER_UNTRUSTED']);
      await expectUnchanged();
    });

    it('refuses a registry package whose id or version is not the one asked for', async () => {
      registry.set('acme-crm@2.0.0', await pack({ id: 'acme-crm', version: '1.0.0' }));
      const res = await call('POST', '/api/v1/admin/installs', { pluginId: 'acme-crm', version: '2.0.0' });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('VV_PACKAGE_MODIFIED');
      await expectUnchanged();
    });

    it('refuses a package built for another kernel', async () => {
      expect((await call('POST', '/api/v1/admin/installs', await pack({ id: 'acme-future', version: '1.0.0', kernel: '^2.0.0' }))).body.code).toBe('VV_KERNEL_INCOMPATIBLE');
      await expectUnchanged();
    });

    it('refuses a route prefix another plugin (or the kernel) owns', async () => {
      expect((await call('POST', '/api/v1/admin/installs', await pack({ id: 'acme-thief', version: '1.0.0', route: '/acme-notes/x' }))).body.code).toBe('VV_ROUTE_CONFLICT');
      expect((await call('POST', '/api/v1/admin/installs', await pack({ id: 'acme-admin', version: '1.0.0', route: '/admin' }))).body.code).toBe('VV_ROUTE_CONFLICT');
      // Where a host mounts its registry (R = <host>/api/v1/marketplace).
      const market = await call('POST', '/api/v1/admin/installs', await pack({ id: 'acme-market', version: '1.0.0', route: '/marketplace' }));
      expect(market.body).toMatchObject({ status: 409, code: 'VV_ROUTE_CONFLICT', detail: expect.stringContaining('conflicts with "/marketplace" of "kernel"') });
      await expectUnchanged();
    });

    it('refuses a package whose required plugin is not installed', async () => {
      const res = await call('POST', '/api/v1/admin/installs', await pack({ id: 'acme-needy', version: '1.0.0', requires: { 'acme-missing': '^1.0.0' } }));
      expect(res.body.code).toBe('VV_PLUGIN_MISSING_DEPENDENCY');
      await expectUnchanged();
    });

    it('refuses an upgrade whose migration fails, rolled back in its transaction', async () => {
      registry.set(
        'acme-notes@1.0.2',
        await pack({
          id: 'acme-notes',
          version: '1.0.2',
          migrations: [
            { name: '0001-notes', up: ['create table notes (id serial primary key, tenant_id text not null, body text)'], down: ['drop table notes'] },
            { name: '0002-broken', up: ['create table half (id int)', 'select * from no_such_table'], down: ['drop table half'] },
          ],
        }),
      );
      const res = await call('PUT', '/api/v1/admin/installs/acme-notes', { version: '1.0.2' });
      expect(res.body.code).toBe('VV_MIGRATION_FAILED');
      expect((await call('GET', '/api/v1/acme-notes/tables', undefined, member)).body).toEqual([{ table_name: 'notes' }]);
      await expectUnchanged();
    });

    it('refuses events.publish outside the namespace until an operator approves it', async () => {
      const bytes = await pack({ id: 'acme-spy', version: '1.0.0', permissions: ['events.publish:*'], publishes: 'commitment.signed' });
      const refused = await call('POST', '/api/v1/admin/installs', bytes);
      expect(refused.body).toMatchObject({ code: 'VV_PERMISSION_NOT_APPROVED', permissions: ['events.publish:*'] });
      await expectUnchanged();
    });
  });

  it("installs a package whose plugin declares a MikroORM entity: pack leaves @mikro-orm/core to the host, whose ORM reads and writes the plugin's rows", async () => {
    const bytes = await pack({ id: 'acme-stock', version: '1.0.0', entity: true });
    expect((await readPackageEntries(bytes)).get('dist/index.js')!.toString('utf8')).toMatch(/require\("@mikro-orm\/core"\)/);
    expect((await call('POST', '/api/v1/admin/installs', bytes)).status).toBe(201);
    await enable('acme-stock');
    const created = await call('POST', '/api/v1/acme-stock/items', { name: 'bolts' }, member);
    expect(created.body).toEqual({ id: 1, name: 'bolts' });
    await call('POST', '/api/v1/acme-stock/items', { name: 'nuts' }, member);
    expect((await call('GET', '/api/v1/acme-stock/items', undefined, member)).body).toEqual([
      { id: 1, name: 'bolts', tenantId: 'acme' },
      { id: 2, name: 'nuts', tenantId: 'acme' },
    ]);
    expect(await database.execute('select tenant_id, name from acme_stock.items order by id')).toEqual([
      { tenant_id: 'acme', name: 'bolts' },
      { tenant_id: 'acme', name: 'nuts' },
    ]);
    // Out of the way of the tests below (which count installs and start a second instance).
    expect((await call('DELETE', '/api/v1/admin/installs/acme-stock?force=true')).body).toMatchObject({ state: 'uninstalled', disabledFor: ['acme'] });
  });

  it('lets an installed plugin publish in its namespace, and elsewhere only what was approved (recorded with the approver)', async () => {
    const own = await call(
      'POST',
      '/api/v1/admin/installs',
      await pack({ id: 'acme-pub', version: '1.0.0', permissions: ['events.publish:acme-pub.*'], publishes: 'acme-pub.done' }),
    );
    expect(own.body).toMatchObject({ approvedPermissions: [], approvedBy: null });
    await enable('acme-pub');
    expect((await call('POST', '/api/v1/acme-pub/publish', {}, member)).body).toEqual({ published: true });

    const approved = await call(
      'POST',
      '/api/v1/admin/installs?approvePermissions=events.publish:commitment.*',
      await pack({ id: 'acme-bridge', version: '1.0.0', permissions: ['events.publish:commitment.*'], publishes: 'commitment.signed' }),
    );
    expect(approved.status).toBe(201);
    expect(approved.body).toMatchObject({ approvedPermissions: ['events.publish:commitment.*'], approvedBy: 'root' });
    await enable('acme-bridge');
    const seen: string[] = [];
    kernel.events.subscribe('commitment.*', (e) => void seen.push(`${e.source}:${e.name}`), 'test');
    expect((await call('POST', '/api/v1/acme-bridge/publish', {}, member)).body).toEqual({ published: true });
    expect(seen).toEqual(['acme-bridge:commitment.signed']);
  });

  it('upgrades with a forward migration: the new version starts beside the old, an in-flight request finishes on the old', async () => {
    const migrations = [
      { name: '0001-notes', up: ['create table notes (id serial primary key, tenant_id text not null, body text)'], down: ['drop table notes'] },
      { name: '0002-tags', up: ['create table tags (name text primary key, tenant_id text not null)'], down: ['drop table tags'] },
    ];
    await call('DELETE', '/api/v1/admin/installs/acme-notes?force=true');
    await kernel.installs.purgeDue(new Date(Date.now() + 2 * 86_400_000));
    // A fresh start of acme-notes with a slow route, so that a request is in flight during the switch.
    expect((await call('POST', '/api/v1/admin/installs', await pack({ id: 'acme-notes', version: '2.0.0', slowMs: 300, migrations: migrations.slice(0, 1) }))).status).toBe(201);
    await enable('acme-notes');
    registry.set('acme-notes@2.1.0', await pack({ id: 'acme-notes', version: '2.1.0', slowMs: 300, migrations }));
    const inFlight = call('GET', '/api/v1/acme-notes/slow', undefined, member);
    await new Promise((r) => setTimeout(r, 50));
    const upgraded = await call('PUT', '/api/v1/admin/installs/acme-notes', { version: '2.1.0' });
    expect(upgraded.body).toMatchObject({ version: '2.1.0', previousVersion: '2.0.0', source: 'registry' });
    expect((await inFlight).body).toEqual({ version: '2.0.0' });
    expect((await hello('/acme-notes')).body.version).toBe('2.1.0');
    expect((await call('GET', '/api/v1/acme-notes/tables', undefined, member)).body).toEqual([{ table_name: 'notes' }, { table_name: 'tags' }]);
    expect((await audit.list({ limit: 100 })).items.map((e) => e.action)).toContain('plugin.upgraded');
  });

  it('refuses a downgrade that would leave newer migrations applied, and rolls back to the previous version with its down migrations', async () => {
    registry.set(
      'acme-notes@1.9.0',
      await pack({
        id: 'acme-notes',
        version: '1.9.0',
        migrations: [{ name: '0001-notes', up: ['create table notes (id serial primary key, tenant_id text not null, body text)'], down: ['drop table notes'] }],
      }),
    );
    const refused = await call('PUT', '/api/v1/admin/installs/acme-notes', { version: '1.9.0' });
    expect(refused.body).toMatchObject({ code: 'VV_DOWNGRADE_REFUSED', migrations: ['0002-tags'] });
    expect((await hello('/acme-notes')).body.version).toBe('2.1.0');

    // 2.0.0 was uploaded: its bytes are in the database.
    const back = await call('PUT', '/api/v1/admin/installs/acme-notes', { version: '2.0.0' });
    expect(back.body).toMatchObject({ version: '2.0.0', previousVersion: '2.1.0' });
    expect((await hello('/acme-notes')).body.version).toBe('2.0.0');
    expect((await call('GET', '/api/v1/acme-notes/tables', undefined, member)).body).toEqual([{ table_name: 'notes' }]);
    expect((await audit.list({ limit: 100 })).items.map((e) => e.action)).toContain('plugin.rolled-back');
  });

  it('refuses to uninstall while a tenant has it enabled; ?force=true disables it, keeps the data for the retention period, then purges it', async () => {
    await database.execute("insert into acme_notes.notes (tenant_id, body) values ('acme', 'kept')");
    const refused = await call('DELETE', '/api/v1/admin/installs/acme-notes');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'VV_PLUGIN_IN_USE', tenants: ['acme'] });
    expect((await hello('/acme-notes')).status).toBe(200);

    const removed = await call('DELETE', '/api/v1/admin/installs/acme-notes?force=true');
    expect(removed.body).toMatchObject({ state: 'uninstalled', disabledFor: ['acme'] });
    expect((await hello('/acme-notes')).body.code).toBe('VV_NOT_FOUND');
    expect((await call('GET', '/api/v1/admin/plugins')).body.items.map((p: { id: string }) => p.id)).not.toContain('acme-notes');
    const actions = (await audit.list({ limit: 100 })).items.map((e) => `${e.action} ${e.target}`);
    expect(actions).toEqual(expect.arrayContaining(['plugin.uninstalled plugin:acme-notes', 'plugin.disabled plugin:acme-notes']));

    // Re-installed within the window: the data is there.
    expect((await call('POST', '/api/v1/admin/installs', { pluginId: 'acme-notes', version: '2.1.0' })).status).toBe(201);
    expect(await database.execute('select body from acme_notes.notes')).toEqual([{ body: 'kept' }]);
    await call('DELETE', '/api/v1/admin/installs/acme-notes?force=true');

    expect(await kernel.installs.purgeDue(new Date())).toEqual([]);
    expect(await kernel.installs.purgeDue(new Date(Date.now() + 2 * 86_400_000))).toEqual(['acme-notes']);
    expect(await database.execute("select 1 from information_schema.schemata where schema_name = 'acme_notes'")).toEqual([]);
    expect((await call('GET', '/api/v1/admin/installs')).body.items.map((i: { pluginId: string }) => i.pluginId)).not.toContain('acme-notes');
    expect(existsSync(join(root, 'data', 'plugins', 'acme-notes'))).toBe(false);
  });

  it('counts a suspended tenant that has the plugin enabled as using it: uninstall is refused, and ?force=true disables it there too', async () => {
    expect((await call('POST', '/api/v1/admin/installs', await pack({ id: 'acme-idle', version: '1.0.0' }))).status).toBe(201);
    expect((await call('POST', '/api/v1/admin/tenants', { id: 'globex', name: 'Globex' })).status).toBe(201);
    expect((await call('PUT', '/api/v1/admin/tenants/globex/plugins/acme-idle', { enabled: true })).status).toBe(200);
    expect((await call('PATCH', '/api/v1/admin/tenants/globex', { status: 'suspended' })).body).toMatchObject({ status: 'suspended' });

    const refused = await call('DELETE', '/api/v1/admin/installs/acme-idle');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'VV_PLUGIN_IN_USE', tenants: ['globex'] });
    expect((await call('DELETE', '/api/v1/admin/installs/acme-idle?force=true')).body).toMatchObject({ state: 'uninstalled', disabledFor: ['globex'] });
    expect(await database.execute("select enabled from kernel.tenant_plugins where tenant_id = 'globex' and plugin_id = 'acme-idle'")).toEqual([{ enabled: false }]);
  });

  it('records a failing instance with its error while it keeps serving the previous version; the next reconcile repairs it', async () => {
    // A second kernel on the same database, told of changes by the first through an in-process change feed, whose
    // install folder cannot be written (a file stands where it would be).
    const feed = new LoopbackFeed();
    const brokenDir = join(root, 'broken-plugins');
    writeFileSync(brokenDir, 'not a folder');
    const store = new PostgresKernelStore(database);
    const second = await createKernel({
      store,
      secrets: new SecretBox(randomBytes(32)),
      database,
      installStore: new PostgresInstallStore(database),
      installDir: brokenDir,
      instanceId: 'second',
      changeFeed: feed,
      logger: createKernelLogger({ level: 'silent' }),
      timeouts: { setupMs: 2000, startMs: 2000, stopMs: 2000 },
    });
    try {
      expect(second.plugins().find((p) => p.id === 'acme-pub')).toBeUndefined();
      expect((await kernel.installs.list()).find((i) => i.pluginId === 'acme-pub')!.instances).toEqual(
        expect.arrayContaining([expect.objectContaining({ instanceId: 'second', state: 'failed', version: null, error: expect.objectContaining({ code: expect.any(String) }) })]),
      );
      // The folder becomes writable: the next change-feed message (any instance's change) makes it converge.
      rmSync(brokenDir);
      await feed.publish('installs:changed');
      await eventually(async () => expect(second.plugins().find((p) => p.id === 'acme-pub')?.state).toBe('running'));
      const states = (await kernel.installs.list()).find((i) => i.pluginId === 'acme-pub')!.instances;
      expect(states.find((s) => s.instanceId === 'second')).toMatchObject({ state: 'running', version: '1.0.0', error: null });
    } finally {
      await second.close({ drainMs: 100 });
    }
  });

  it('shows the registry catalog with compatibility and installed state', async () => {
    const res = await call('GET', '/api/v1/admin/marketplace?q=acme-crm');
    expect(res.body.items).toEqual([expect.objectContaining({ id: 'acme-crm', compatible: true, installed: null })]);
  });

  it("shows one registry package's details: each version's permissions, kernel compatibility and whether its signer is trusted here", async () => {
    registry.set('acme-pub@1.1.0', await pack({ id: 'acme-pub', version: '1.1.0', permissions: ['events.publish:acme-pub.*'] }));
    registry.set('acme-pub@2.0.0', await pack({ id: 'acme-pub', version: '2.0.0', kernel: '^2.0.0' }, stranger));
    const res = await call('GET', '/api/v1/admin/marketplace/acme-pub');
    expect(res.status).toBe(200);
    expect(new SchemaValidator().compile(marketplacePackageSchema, 'body')(res.body)).toEqual([]);
    expect(res.body).toMatchObject({ id: 'acme-pub', readme: '# acme-pub', latestVersion: '2.0.0', installed: { version: '1.0.0', state: 'installed' } });
    expect(res.body.versions).toEqual([
      { version: '2.0.0', kernel: '^2.0.0', compatible: false, yanked: false, permissions: [], signer: { keyId: stranger.keyId, trusted: false, trust: null } },
      {
        version: '1.1.0',
        kernel: '^1.0.0',
        compatible: true,
        yanked: false,
        permissions: ['events.publish:acme-pub.*'],
        signer: { keyId: publisher.keyId, trusted: true, trust: 'in-process' },
      },
    ]);
    expect((await call('GET', '/api/v1/admin/marketplace/acme-nothing')).body).toMatchObject({ status: 404, code: 'VV_PACKAGE_UNKNOWN' });
    expect((await call('GET', '/api/v1/admin/marketplace/acme-pub', undefined, member)).status).toBe(403);
  });

  it('runs a package whose signer is trusted `sandboxed` in a sandbox: the install says so, /health/ready shows the sandbox (issue 16)', async () => {
    expect((await call('POST', '/api/v1/admin/trusted-keys', { publicKeyPem: stranger.publicKeyPem, name: 'Stranger', trust: 'sandboxed' })).status).toBe(201);
    try {
      const res = await call('POST', '/api/v1/admin/installs', await pack({ id: 'stranger-notes', version: '1.0.0' }, stranger));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ pluginId: 'stranger-notes', signerKeyId: stranger.keyId, trust: 'sandboxed' });
      expect((await call('GET', '/api/v1/admin/installs')).body.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ pluginId: 'stranger-notes', trust: 'sandboxed' })]),
      );
      expect((await enable('stranger-notes')).status).toBe(200);
      expect((await hello('/stranger-notes')).body).toEqual({ plugin: 'stranger-notes', version: '1.0.0', hello: '1.0.0' });
      const ready = await call('GET', '/health/ready');
      const plugins = ready.body.plugins as { id: string; state: string; sandbox?: { state: string; restarts: number } }[];
      expect(plugins.find((p) => p.id === 'stranger-notes')).toMatchObject({ state: 'running', sandbox: { state: 'up', restarts: 0 } });
      expect(plugins.find((p) => p.id === 'acme-notes')?.sandbox).toBeUndefined();
      expect((await call('DELETE', '/api/v1/admin/installs/stranger-notes?force=true')).status).toBeLessThan(300);
      expect((await hello('/stranger-notes')).status).toBe(404);
    } finally {
      await call('DELETE', `/api/v1/admin/trusted-keys/${stranger.keyId}`);
    }
  });
});
