import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { openDatabase } from '@valueverse/backend-defaults';
import type { Database } from '@valueverse/kernel';
import { bootHost, signIn } from '../support/host-fixture';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

// Issue #22 over HTTP on two deployments (two hosts, two scratch databases): a tenant holding data in every
// first-party plugin that stores data is exported, imported into an empty tenant on the other deployment and exported
// again (every plugin's files equal); a person is erased and a scan of every text column of every table finds neither
// their email nor their name, while the tenant's audit count stays; retention removes exactly what is older than the
// window; a deleted tenant is purged after its window, with a platform-level audit entry.

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
const PERSON_EMAIL = 'dana.scully@fbi-example.org';
const PERSON_NAME = 'Dana Katherine Scully';
const PASSWORD = 'correct horse battery staple';
// A 1×1 PNG.
const LOGO = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const DATA_PLUGINS = ['value-architect', 'value-committer', 'value-executor', 'billing', 'notifications'];

/** The files of an export archive (gzip'ed tar, entries under `package/`), path → text. */
function untar(archive: Buffer): Map<string, string> {
  const tar = gunzipSync(archive);
  const files = new Map<string, string>();
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    const path = (prefix ? `${prefix}/${name}` : name).replace(/^package\//, '');
    files.set(path, tar.subarray(at + 512, at + 512 + size).toString('utf8'));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

describeWithPostgres('data lifecycle: export, import, erasure, retention, purge (issue #22)', () => {
  const names = [`vv_life_a_${randomBytes(4).toString('hex')}`, `vv_life_b_${randomBytes(4).toString('hex')}`];
  let admin: Database;
  let a: Awaited<ReturnType<typeof bootHost>>;
  let b: Awaited<ReturnType<typeof bootHost>>;
  let dbA: Database;
  let adminTokenA: string;
  let adminTokenB: string;
  let personToken: string;
  let personId: string;
  let archive: Buffer;

  const call = async (url: string, token: string, method: string, path: string, body?: unknown, tenant = 'acme') => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant-id': tenant };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = randomBytes(8).toString('hex');
    const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : undefined };
  };
  const onA = (method: string, path: string, body?: unknown, tenant?: string) => call(a.url, adminTokenA, method, path, body, tenant);
  const asPerson = (method: string, path: string, body?: unknown) => call(a.url, personToken, method, path, body);
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString();

  async function seedTenant(url: string, token: string, tenant: string): Promise<void> {
    expect((await call(url, token, 'POST', '/api/v1/admin/tenants', { id: tenant, name: `Tenant ${tenant}` }, 'demo')).status).toBe(201);
    for (const plugin of ['value-amplifier', 'billing']) {
      const res = await call(url, token, 'PUT', `/api/v1/admin/tenants/${tenant}/plugins/${plugin}?cascade=true`, { enabled: true }, tenant);
      expect(`${plugin} ${res.status}`).toBe(`${plugin} 200`);
    }
  }

  async function waitForExport(url: string, token: string, tenant: string): Promise<{ id: string; manifest: Json }> {
    const started = await call(url, token, 'POST', `/api/v1/admin/tenants/${tenant}/exports`, undefined, tenant);
    expect(started.status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const res = await call(url, token, 'GET', `/api/v1/admin/tenants/${tenant}/exports/${started.body.id}`, undefined, tenant);
      if (res.body.state === 'ready') return res.body;
      if (res.body.state === 'failed') throw new Error(`export failed: ${res.body.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('export did not finish');
  }

  async function download(url: string, token: string, tenant: string, id: string): Promise<Buffer> {
    const res = await fetch(`${url}/api/v1/admin/tenants/${tenant}/exports/${id}/archive`, { headers: { authorization: `Bearer ${token}`, 'x-tenant-id': tenant } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    return Buffer.from(await res.arrayBuffer());
  }

  /** Every text, JSON or bytea column of every table of deployment A that holds the person's email, name or user id. */
  async function traces(): Promise<string[]> {
    const columns = await dbA.execute<{ table_schema: string; table_name: string; column_name: string }>(
      `select c.table_schema, c.table_name, c.column_name from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema not in ('pg_catalog', 'information_schema') and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')`,
    );
    expect(columns.length).toBeGreaterThan(30);
    const found: string[] = [];
    const q = (s: string) => `"${s}"`;
    for (const c of columns) {
      // bytea as its bytes read as text (export archives are gzip'ed: they are deleted by an erasure, checked apart).
      const text = `${q(c.column_name)}::text`;
      const [hit] = await dbA.execute<{ n: string }>(
        `select count(*) as n from ${q(c.table_schema)}.${q(c.table_name)} where ${text} ilike $1 or ${text} ilike $2 or ${text} ilike $3`,
        [`%${PERSON_EMAIL}%`, `%${PERSON_NAME}%`, `%${personId}%`],
      );
      if (Number(hit!.n) > 0) found.push(`${c.table_schema}.${c.table_name}.${c.column_name}`);
    }
    return found;
  }

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    for (const name of names) await admin.execute(`create database ${name}`);
    a = await bootHost({ DATABASE_URL: postgresUrl(names[0]!), VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    b = await bootHost({ DATABASE_URL: postgresUrl(names[1]!), VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    dbA = await openDatabase({ url: postgresUrl(names[0]!), poolMax: 2 });
    adminTokenA = await signIn(a.url);
    adminTokenB = await signIn(b.url);
    await seedTenant(a.url, adminTokenA, 'acme');
    // The tenant's logo (a row of its own, kernel.tenant_logos) travels with the tenant.
    expect((await onA('PUT', '/api/v1/admin/tenants/acme/branding', { primaryColor: '#123456', logo: { mediaType: 'image/png', data: LOGO } }, 'acme')).status).toBe(200);
    // A secret sealed with deployment A's key: deployment B cannot open it, so the import leaves it out.
    expect((await onA('PUT', '/api/v1/admin/tenants/acme/plugins/ai-openai', { enabled: true, config: { apiKey: 'sk-only-on-a', model: 'gpt-test' } }, 'acme')).status).toBe(200);

    const member = await onA('POST', '/api/v1/admin/tenants/acme/members', { email: PERSON_EMAIL, role: 'tenant-admin', password: PASSWORD });
    expect(member.status).toBe(201);
    personId = member.body.userId ?? member.body.id;
    const login = await fetch(`${a.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: PERSON_EMAIL, password: PASSWORD, tenantId: 'acme' }),
    });
    expect(login.status).toBe(200);
    personToken = ((await login.json()) as { accessToken: string }).accessToken;

    // Data in every first-party plugin that stores data, made by the person and naming them.
    const library = await asPerson('GET', '/api/v1/value-models/library?industry=software');
    const keys = library.body.industries[0].drivers.slice(0, 3).map((d: { key: string }) => d.key);
    const model = await asPerson('POST', '/api/v1/value-models', { name: `Rollout owned by ${PERSON_NAME}`, fromLibrary: { industry: 'software', drivers: keys } });
    expect(model.status).toBe(201);
    const driver = model.body.model.drivers[0].name;
    const commitment = await asPerson('POST', '/api/v1/commitments', {
      modelId: model.body.id,
      title: `Commitment of ${PERSON_NAME}`,
      confidence: 0.8,
      trials: 1000,
      seed: 7,
      milestones: [{ id: 'm1', title: 'Adoption', dueDate: day(60).slice(0, 10), metric: driver, target: 1000 }],
    });
    expect(`${commitment.status} ${JSON.stringify(commitment.body)}`).toMatch(/^201/);
    for (const to of ['proposed', 'signed', 'active']) expect((await asPerson('POST', `/api/v1/commitments/${commitment.body.id}/transitions`, { to })).status).toBe(200);
    // Measurements around a 30-day window: 31 and 45 days old go, 29 and 1 stay.
    for (const [offset, value] of [
      [-45, 5],
      [-31, 10],
      [-29, 20],
      [-1, 30],
    ] as const) {
      const res = await asPerson('POST', '/api/v1/realization/measurements', { commitmentId: commitment.body.id, metric: driver, value, measuredAt: day(offset) });
      expect(res.status).toBe(201);
    }
    expect((await asPerson('POST', '/api/v1/billing/customers', { externalId: 'dana', name: PERSON_NAME, email: PERSON_EMAIL, currency: 'USD' })).status).toBe(201);
    expect((await asPerson('POST', '/api/v1/billing/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' })).status).toBe(201);
    const usage = await asPerson('POST', '/api/v1/billing/usage', { transactionId: 't1', customerId: 'dana', metric: 'api_calls', timestamp: new Date().toISOString() });
    expect(usage.status).toBeLessThan(300);
  }, 180_000);

  afterAll(async () => {
    await dbA?.close();
    await a?.stop();
    await b?.stop();
    for (const name of names) await admin?.execute(`drop database if exists ${name} with (force)`);
    await admin?.close();
  }, 60_000);

  it('exports every plugin’s tables as JSON Lines with row counts and SHA-256 in the manifest; the download is audited', async () => {
    const ready = await waitForExport(a.url, adminTokenA, 'acme');
    archive = await download(a.url, adminTokenA, 'acme', ready.id);
    const files = untar(archive);
    const manifest = JSON.parse(files.get('manifest.json')!);
    expect(manifest.plugins).toEqual(expect.arrayContaining(['kernel', ...DATA_PLUGINS]));
    for (const file of manifest.files) {
      const text = files.get(file.path)!;
      expect(createHash('sha256').update(text).digest('hex')).toBe(file.sha256);
      expect(text.split('\n').filter(Boolean).length).toBe(file.rows);
    }
    const rows = (path: string) => manifest.files.find((f: { path: string }) => f.path === path)?.rows;
    expect(rows('value-architect/value_models.jsonl')).toBe(1);
    expect(rows('value-committer/commitments.jsonl')).toBe(1);
    expect(rows('value-executor/measurements.jsonl')).toBe(4);
    expect(rows('billing/customers.jsonl')).toBe(1);
    expect(rows('billing/usage_events.jsonl')).toBe(1);
    expect(rows('kernel/members.jsonl')).toBe(1);
    expect(files.get('kernel/members.jsonl')).not.toContain('password');
    const audit = await onA('GET', '/api/v1/admin/audit?tenantId=acme&action=tenant.export-downloaded');
    expect(audit.body.items.length).toBe(1);
  });

  it('refuses another tenant’s admin (404) and an unknown export (404 VV_EXPORT_UNKNOWN)', async () => {
    const other = await onA('GET', '/api/v1/admin/tenants/acme/exports/00000000-0000-0000-0000-000000000000');
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('VV_EXPORT_UNKNOWN');
    // The person is a tenant admin of acme only: another tenant's exports are unknown to them.
    const elsewhere = await asPerson('GET', '/api/v1/admin/tenants/demo/exports');
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.code).toBe('VV_TENANT_UNKNOWN');
    expect((await asPerson('GET', '/api/v1/admin/tenants/acme/exports')).body.items.length).toBe(1);
  });

  it('imports into an empty tenant on another deployment: exporting it there gives the same files for every plugin', async () => {
    expect((await call(b.url, adminTokenB, 'POST', '/api/v1/admin/tenants', { id: 'acme', name: 'Restored' }, 'demo')).status).toBe(201);
    const res = await fetch(`${b.url}/api/v1/admin/tenants/acme/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminTokenB}`, 'x-tenant-id': 'acme', 'content-type': 'application/octet-stream' },
      body: new Uint8Array(archive),
    });
    expect(res.status).toBe(200);
    const again = await fetch(`${b.url}/api/v1/admin/tenants/acme/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminTokenB}`, 'x-tenant-id': 'acme', 'content-type': 'application/octet-stream' },
      body: new Uint8Array(archive),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as Json).code).toBe('VV_IMPORT_TENANT_NOT_EMPTY');

    const ready = await waitForExport(b.url, adminTokenB, 'acme');
    const restored = untar(await download(b.url, adminTokenB, 'acme', ready.id));
    const original = untar(archive);
    for (const plugin of DATA_PLUGINS) {
      const paths = [...original.keys()].filter((p) => p.startsWith(`${plugin}/`));
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect(`${path}\n${restored.get(path)}`).toBe(`${path}\n${original.get(path)}`);
    }
    for (const path of ['kernel/members.jsonl', 'kernel/tenant_plugins.jsonl']) {
      const strip = (text: string) =>
        text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .map(({ updated_at: _u, created_at: _c, ...rest }) => (rest.config ? { ...rest, config: { ...rest.config, apiKey: undefined } } : rest));
      expect(strip(restored.get(path)!)).toEqual(strip(original.get(path)!));
    }
    const ai = (restored.get('kernel/tenant_plugins.jsonl') ?? '').split('\n').find((l) => l.includes('"ai-openai"'));
    expect(JSON.parse(ai!).config).toMatchObject({ model: 'gpt-test' });
    expect(JSON.parse(ai!).config).not.toHaveProperty('apiKey');
    const branding = await call(b.url, adminTokenB, 'GET', '/api/v1/admin/tenants/acme/branding', undefined, 'acme');
    expect(branding.body).toEqual({ primaryColor: '#123456', logo: { mediaType: 'image/png', data: LOGO } });
    expect(original.get('kernel/tenant_logos.jsonl')).toContain('"media_type":"image/png"');
    expect(restored.get('kernel/tenant_logos.jsonl')).toBe(original.get('kernel/tenant_logos.jsonl'));
    // The restored model is served on the other deployment.
    const models = await call(b.url, adminTokenB, 'GET', '/api/v1/value-models', undefined, 'acme');
    expect(models.status).toBe(200);
    expect(JSON.stringify(models.body)).toContain(PERSON_NAME);
  });

  it('refuses a modified archive with VV_IMPORT_INVALID', async () => {
    expect((await call(b.url, adminTokenB, 'POST', '/api/v1/admin/tenants', { id: 'tampered', name: 'T' }, 'demo')).status).toBe(201);
    const res = await fetch(`${b.url}/api/v1/admin/tenants/tampered/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminTokenB}`, 'x-tenant-id': 'tampered', 'content-type': 'application/octet-stream' },
      body: new Uint8Array(Buffer.from('not an archive')),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).code).toBe('VV_IMPORT_INVALID');
  });

  it('erases the person: no text column of any table holds their email or name, the audit count is unchanged', async () => {
    // Before: the scan finds the person in the kernel's and the plugins' tables.
    const seen = await traces();
    expect(seen).toEqual(
      expect.arrayContaining([
        'kernel.users.email',
        'billing.customers.email',
        'billing.customers.name',
        'value_architect.value_models.name',
        'value_executor.measurements.recorded_by',
      ]),
    );
    const count = async () => Number((await dbA.execute<{ n: string }>(`select count(*) as n from kernel.audit_log where tenant_id = 'acme'`))[0]!.n);
    const before = await count();
    const unknown = await onA('POST', '/api/v1/admin/tenants/acme/erasures', { userId: 'no-such-user' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('VV_ERASURE_SUBJECT_UNKNOWN');
    const res = await onA('POST', '/api/v1/admin/tenants/acme/erasures', { email: PERSON_EMAIL, names: [PERSON_NAME] });
    expect(res.status).toBe(200);
    expect(res.body.pseudonym).toMatch(/^erased-[0-9a-f]{16}$/);
    for (const store of ['kernel', ...DATA_PLUGINS]) expect(res.body.stores[store]).toHaveProperty('rows');
    expect(res.body.stores.kernel.rows.users).toBe(1);
    expect(res.body.stores.billing.rows.customers).toBe(1);
    expect(res.body.stores['value-executor'].rows.measurements).toBe(4);
    // The erasure's own entry is the one more entry.
    expect(await count()).toBe(before + 1);

    expect(await traces()).toEqual([]);
    expect(Number((await dbA.execute<{ n: string }>(`select count(*) as n from kernel.tenant_exports where tenant_id = 'acme'`))[0]!.n)).toBe(0);
    // The person can no longer sign in.
    const login = await fetch(`${a.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: PERSON_EMAIL, password: PASSWORD }),
    });
    expect(login.status).toBe(401);
  });

  it('retention removes exactly the measurements older than the window, and only for that tenant', async () => {
    const put = await onA('PUT', '/api/v1/admin/tenants/acme/retention', { policies: { measurements: 30, audit: 365 } });
    expect(put.status).toBe(200);
    expect(put.body.dataClasses).toEqual(expect.arrayContaining(['audit', 'idempotency-keys', 'measurements', 'usage-events']));
    expect((await onA('PUT', '/api/v1/admin/tenants/acme/retention', { policies: { gossip: 3 } })).status).toBe(400);
    const measured = async () =>
      (await dbA.execute<{ at: Date }>(`select measured_at as at from value_executor.measurements where tenant_id = 'acme' order by measured_at`)).map((r) =>
        new Date(r.at).getTime(),
      );
    const all = await measured();
    const now = new Date();
    const cutoff = now.getTime() - 30 * 86_400_000;
    const removed = await a.kernel.dataLifecycle.enforceRetention(now);
    expect(removed.acme).toMatchObject({ measurements: all.filter((t) => t < cutoff).length, audit: 0 });
    expect(removed.acme!.measurements).toBe(2);
    expect(await measured()).toEqual(all.filter((t) => t >= cutoff));
  });

  it('purges a deleted tenant after its window, keeping one platform-level audit entry', async () => {
    await seedTenant(a.url, adminTokenA, 'doomed');
    expect((await onA('POST', '/api/v1/value-models', { name: 'Doomed model', model: { drivers: [], formula: '0' } }, 'doomed')).status).toBeLessThan(500);
    expect((await onA('POST', '/api/v1/billing/customers', { externalId: 'x', name: 'X Corp', currency: 'USD' }, 'doomed')).status).toBe(201);
    expect((await onA('DELETE', '/api/v1/admin/tenants/doomed', undefined, 'demo')).status).toBe(204);
    const rows = async () => Number((await dbA.execute<{ n: string }>(`select count(*) as n from billing.customers where tenant_id = 'doomed'`))[0]!.n);
    expect(await rows()).toBe(1);
    // Inside the window nothing goes.
    expect(await a.kernel.dataLifecycle.purgeDeletedTenants(new Date())).toEqual([]);
    expect(await rows()).toBe(1);
    expect(await a.kernel.dataLifecycle.purgeDeletedTenants(new Date(Date.now() + 31 * 86_400_000))).toEqual(['doomed']);
    expect(await rows()).toBe(0);
    const entries = await dbA.execute<{ tenant_id: string | null; action: string }>(
      `select tenant_id, action from kernel.audit_log where tenant_id = 'doomed' or target = 'tenant:doomed'`,
    );
    expect(entries).toEqual([{ tenant_id: null, action: 'tenant.purged' }]);
  });
});
