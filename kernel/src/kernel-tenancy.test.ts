import { coreServices, definePlugin, respond } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { bootKernel, type BootedKernel } from './__fixtures__/boot-kernel';
import { expectProblem, manifest } from './__fixtures__/kernel-test-support';

function serving(id: string, extra: Record<string, unknown> = {}) {
  return {
    manifest: manifest(id, { routes: [`/${id}`], ...extra }),
    plugin: definePlugin({
      deps: { http: coreServices.http },
      setup({ http }) {
        http.route({ method: 'GET', path: `/${id}`, handler: (req) => ({ plugin: id, tenant: req.tenant.id }) });
      },
    }),
  };
}

const admin = { role: 'platform-admin' as const };
const put = (k: TestKernel, tenant: string, id: string, body: unknown, query = '') =>
  k.request('PUT', `/api/v1/admin/tenants/${tenant}/plugins/${id}${query}`, { body, ...admin, tenant });
const enabledIds = async (k: TestKernel, tenant: string) => {
  const res = await k.request('GET', `/api/v1/admin/tenants/${tenant}/plugins`, { ...admin, tenant });
  expect(res.status).toBe(200);
  return (res.body.items as { pluginId: string; enabled: boolean }[])
    .filter((p) => p.enabled)
    .map((p) => p.pluginId)
    .sort();
};

describe('per-tenant plugin sets', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ tenants: ['acme', 'globex'], plugins: [serving('greeter')] });
  });
  afterAll(() => k.close());

  it('disabling a plugin for one tenant answers 404 VV_PLUGIN_NOT_ENABLED there from the next request, without restart', async () => {
    expect((await k.request('GET', '/api/v1/greeter', { tenant: 'acme' })).status).toBe(200); // warms acme's cached set

    const res = await put(k, 'acme', 'greeter', { enabled: false });
    expect(res.status).toBe(200);

    const acme = await k.request('GET', '/api/v1/greeter', { tenant: 'acme' });
    const body = expectProblem(acme, 404, 'VV_PLUGIN_NOT_ENABLED');
    expect(body.detail).toContain('"greeter"');
    expect(body.detail).toContain('"acme"');
    const globex = await k.request('GET', '/api/v1/greeter', { tenant: 'globex' });
    expect(globex.status).toBe(200);
    expect(globex.body).toEqual({ plugin: 'greeter', tenant: 'globex' });

    expect((await put(k, 'acme', 'greeter', { enabled: true })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/greeter', { tenant: 'acme' })).status).toBe(200);
  });
});

describe('enabling and disabling with dependencies', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({
      tenants: ['acme'],
      enable: [],
      plugins: [serving('base'), serving('addon', { requires: { base: '^1.0.0' } })],
    });
  });
  afterAll(() => k.close());

  it('refuses to enable a plugin whose requirement is not enabled: 409 VV_PLUGIN_MISSING_DEPENDENCY naming it', async () => {
    const res = await put(k, 'acme', 'addon', { enabled: true });
    const body = expectProblem(res, 409, 'VV_PLUGIN_MISSING_DEPENDENCY');
    expect(body.detail).toContain('"base"');
    expect(body.missing).toEqual(['base']);
    expect(await enabledIds(k, 'acme')).toEqual([]);
  });

  it('changes nothing on ?dryRun=true but reports the plan', async () => {
    const res = await put(k, 'acme', 'addon', { enabled: true }, '?cascade=true&dryRun=true');
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.changes.map((c: { pluginId: string; enabled: boolean }) => [c.pluginId, c.enabled])).toEqual([
      ['addon', true],
      ['base', true],
    ]);
    expect(await enabledIds(k, 'acme')).toEqual([]);
    expectProblem(await k.request('GET', '/api/v1/addon'), 404, 'VV_PLUGIN_NOT_ENABLED');
  });

  it('enables the requirement too with ?cascade=true', async () => {
    const res = await put(k, 'acme', 'addon', { enabled: true }, '?cascade=true');
    expect(res.status).toBe(200);
    expect(await enabledIds(k, 'acme')).toEqual(['addon', 'base']);
    expect((await k.request('GET', '/api/v1/addon')).status).toBe(200);
    expect((await k.request('GET', '/api/v1/base')).status).toBe(200);
  });

  it('refuses to disable a plugin an enabled plugin requires: 409 VV_CONFLICT naming the dependant', async () => {
    const res = await put(k, 'acme', 'base', { enabled: false });
    const body = expectProblem(res, 409, 'VV_CONFLICT');
    expect(body.detail).toContain('addon');
    expect(body.dependants).toEqual(['addon']);
    expect(await enabledIds(k, 'acme')).toEqual(['addon', 'base']);
  });

  it('disables the dependant too with ?cascade=true', async () => {
    const res = await put(k, 'acme', 'base', { enabled: false }, '?cascade=true');
    expect(res.status).toBe(200);
    expect(await enabledIds(k, 'acme')).toEqual([]);
    expectProblem(await k.request('GET', '/api/v1/addon'), 404, 'VV_PLUGIN_NOT_ENABLED');
    expectProblem(await k.request('GET', '/api/v1/base'), 404, 'VV_PLUGIN_NOT_ENABLED');
  });
});

describe('secret config', () => {
  const SECRET = 'sk-live-123';
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({
      tenants: ['acme', 'globex'],
      enable: [],
      plugins: [
        {
          manifest: manifest('vault', {
            routes: ['/vault'],
            config: {
              type: 'object',
              properties: { apiKey: { type: 'string', 'x-secret': true }, baseUrl: { type: 'string', format: 'uri' } },
              required: ['apiKey'],
            },
          }),
          plugin: definePlugin({
            deps: { http: coreServices.http },
            setup({ http }) {
              http.route({ method: 'GET', path: '/vault', handler: (req) => ({ apiKey: req.config.apiKey, baseUrl: req.config.baseUrl }) });
            },
          }),
        },
        {
          // A secret inside a nested object (notifications' `email.smtp.password`).
          manifest: manifest('mailer', {
            routes: ['/mailer'],
            config: {
              type: 'object',
              properties: {
                smtp: { type: 'object', required: ['host'], properties: { host: { type: 'string' }, user: { type: 'string' }, password: { type: 'string', 'x-secret': true } } },
              },
            },
          }),
          plugin: definePlugin({
            deps: { http: coreServices.http },
            setup({ http }) {
              http.route({ method: 'GET', path: '/mailer', handler: (req) => req.config });
            },
          }),
        },
        {
          manifest: manifest('locker', { routes: ['/locker'], config: { type: 'object', properties: { token: { type: 'string', 'x-secret': true } } } }),
          plugin: definePlugin({
            deps: { http: coreServices.http },
            setup({ http }) {
              http.route({ method: 'GET', path: '/locker', handler: (req) => ({ token: req.config.token ?? null }) });
            },
          }),
        },
      ],
    });
  });
  afterAll(() => k.close());

  const vaultConfig = async (tenant: string) => {
    const res = await k.request('GET', `/api/v1/admin/tenants/${tenant}/plugins`, { ...admin, tenant });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    return (res.body.items as { pluginId: string; config: Record<string, unknown> }[]).find((p) => p.pluginId === 'vault')!.config;
  };

  it('masks the secret in responses, stores it encrypted, and hands it decrypted to the plugin', async () => {
    const res = await put(k, 'acme', 'vault', { enabled: true, config: { apiKey: SECRET, baseUrl: 'https://api.example.com' } });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(await vaultConfig('acme')).toEqual({ apiKey: '••••', baseUrl: 'https://api.example.com' });

    const stored = await k.kernel.store.listTenantPlugins('acme');
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(SECRET);

    const seen = await k.request('GET', '/api/v1/vault');
    expect(seen.status).toBe(200);
    expect(seen.body.apiKey).toBe(SECRET);
  });

  it('keeps the stored secret when the mask is sent back', async () => {
    const res = await put(k, 'acme', 'vault', { config: { apiKey: '••••', baseUrl: 'https://other.example.com' } });
    expect(res.status).toBe(200);
    expect(await vaultConfig('acme')).toEqual({ apiKey: '••••', baseUrl: 'https://other.example.com' });
    const seen = await k.request('GET', '/api/v1/vault');
    expect(seen.body).toEqual({ apiKey: SECRET, baseUrl: 'https://other.example.com' });
  });

  it('rejects an invalid baseUrl with 422 VV_CONFIG_INVALID pointing at /baseUrl, keeping the old config', async () => {
    const res = await put(k, 'acme', 'vault', { config: { apiKey: '••••', baseUrl: 'not a url' } });
    const body = expectProblem(res, 422, 'VV_CONFIG_INVALID');
    expect(body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/baseUrl']);
    expect((await k.request('GET', '/api/v1/vault')).body.baseUrl).toBe('https://other.example.com');
  });

  it('rejects a missing required secret with 422 VV_CONFIG_INVALID pointing at /apiKey', async () => {
    const res = await put(k, 'globex', 'vault', { enabled: true, config: { baseUrl: 'https://api.example.com' } });
    const body = expectProblem(res, 422, 'VV_CONFIG_INVALID');
    expect(body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/apiKey']);
    expect(await vaultConfig('globex')).toEqual({});
  });

  it('removes a secret sent as null: refused while the schema requires it, done when it is optional', async () => {
    const refused = await put(k, 'acme', 'vault', { config: { apiKey: null, baseUrl: 'https://other.example.com' } });
    expect(expectProblem(refused, 422, 'VV_CONFIG_INVALID').errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/apiKey']);
    expect((await k.request('GET', '/api/v1/vault')).body.apiKey).toBe(SECRET);

    expect((await put(k, 'acme', 'locker', { enabled: true, config: { token: 'tok-1' } })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/locker')).body.token).toBe('tok-1');
    expect((await put(k, 'acme', 'locker', { config: { token: null } })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/locker')).body.token).toBeNull();
  });
  it('keeps a nested stored secret when the mask is sent back or the secret is left out, and removes it when sent as null', async () => {
    expect((await put(k, 'acme', 'mailer', { enabled: true, config: { smtp: { host: 'mail.example.com', password: 'smtp-secret' } } })).status).toBe(200);
    expect((await put(k, 'acme', 'mailer', { config: { smtp: { host: 'mail.example.com', user: 'ops', password: '••••' } } })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/mailer')).body).toEqual({ smtp: { host: 'mail.example.com', user: 'ops', password: 'smtp-secret' } });
    expect((await put(k, 'acme', 'mailer', { config: { smtp: { host: 'mail.example.com', user: 'mailer' } } })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/mailer')).body).toEqual({ smtp: { host: 'mail.example.com', user: 'mailer', password: 'smtp-secret' } });
    expect((await put(k, 'acme', 'mailer', { config: { smtp: { host: 'mail.example.com', password: null } } })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/mailer')).body).toEqual({ smtp: { host: 'mail.example.com' } });
  });
});

describe('events from plugin routes', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({
      plugins: [
        {
          manifest: manifest('things', { routes: ['/things'], permissions: ['events.publish:thing.*'] }),
          plugin: definePlugin({
            deps: { http: coreServices.http, events: coreServices.events },
            setup({ http, events }) {
              http.route({
                method: 'POST',
                path: '/things',
                handler: async (req) => {
                  await events.publish('thing.created', req.tenant.id, { name: 'widget' });
                  return respond(201, { created: true });
                },
              });
              http.route({
                method: 'POST',
                path: '/things/other',
                handler: async (req) => {
                  await events.publish('other.x', req.tenant.id, {});
                  return respond(201);
                },
              });
            },
          }),
        },
      ],
    });
  });
  afterAll(() => k.close());

  it("delivers a permitted event with the caller's tenant", async () => {
    const res = await k.request('POST', '/api/v1/things', { body: {} });
    expect(res.status).toBe(201);
    const event = await k.waitForEvent('thing.created');
    expect(event).toMatchObject({ name: 'thing.created', tenantId: 'acme', source: 'things', payload: { name: 'widget' } });
  });

  it('refuses an event outside the publish permission with 403 VV_FORBIDDEN and delivers nothing', async () => {
    const res = await k.request('POST', '/api/v1/things/other', { body: {} });
    const body = expectProblem(res, 403, 'VV_FORBIDDEN');
    expect(body.detail).toContain('other.x');
    expect(k.events.map((e) => e.name)).not.toContain('other.x');
  });
});

describe('GET /api/v1/admin/tenants with many tenants', () => {
  let k: TestKernel;
  const ids = Array.from({ length: 7 }, (_, i) => `tenant-${i}`);
  beforeAll(async () => {
    k = await createTestKernel({ tenants: ['acme', 'globex', ...ids], plugins: [] });
  });
  afterAll(() => k.close());

  it('pages with limit and cursor like every list, and searches by id or name with q', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await k.request('GET', `/api/v1/admin/tenants?limit=4${cursor ? `&cursor=${cursor}` : ''}`, admin);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(4);
      seen.push(...(res.body.items as { id: string }[]).map((t) => t.id));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(['acme', 'globex', ...ids]);

    const found = await k.request('GET', '/api/v1/admin/tenants?q=GLOB', admin);
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ items: [expect.objectContaining({ id: 'globex', name: 'globex', status: 'active' })], nextCursor: null });
    // Default page size 50: all nine at once.
    expect((await k.request('GET', '/api/v1/admin/tenants', admin)).body.items).toHaveLength(9);
  });

  it('refuses a bad limit, an unknown parameter or a forged cursor with 400 VV_VALIDATION, and non-platform-admins with 403', async () => {
    expectProblem(await k.request('GET', '/api/v1/admin/tenants?limit=ten', admin), 400, 'VV_VALIDATION');
    expectProblem(await k.request('GET', '/api/v1/admin/tenants?page=2', admin), 400, 'VV_VALIDATION');
    expectProblem(await k.request('GET', '/api/v1/admin/tenants?cursor=bm9wZQ', admin), 400, 'VV_VALIDATION');
    expectProblem(await k.request('GET', `/api/v1/admin/tenants?q=${'x'.repeat(201)}`, admin), 400, 'VV_VALIDATION');
    expectProblem(await k.request('GET', '/api/v1/admin/tenants', { role: 'tenant-admin' }), 403, 'VV_FORBIDDEN');
  });
});

describe('bounded per-tenant caches (cacheSize)', () => {
  let k: BootedKernel;
  const tenants = ['t-1', 't-2', 't-3', 't-4'];
  beforeAll(async () => {
    k = await bootKernel({ tenants, cacheSize: 2, plugins: [serving('greeter')] });
  });
  afterAll(() => k.close());

  const metric = (text: string, name: string, cache: string, result?: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`cache="${cache}"`) && (result === undefined || l.includes(`result="${result}"`)));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('serves every tenant right past the bound, evicts the least recently used, sees changes to evicted tenants, and reports it on /metrics', async () => {
    for (const tenant of [...tenants, ...tenants]) {
      const res = await k.request('GET', '/api/v1/greeter', { tenant });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ plugin: 'greeter', tenant });
    }
    // t-1 was evicted long ago: a change to it still reaches its next request (a fresh read), and back.
    expect((await k.request('PUT', '/api/v1/admin/tenants/t-1/plugins/greeter', { tenant: 't-1', role: 'platform-admin', body: { enabled: false } })).status).toBe(200);
    expectProblem(await k.request('GET', '/api/v1/greeter', { tenant: 't-1' }), 404, 'VV_PLUGIN_NOT_ENABLED');
    // ...and a change to a cached tenant (t-1 is cached now) still invalidates it.
    expect((await k.request('PUT', '/api/v1/admin/tenants/t-1/plugins/greeter', { tenant: 't-1', role: 'platform-admin', body: { enabled: true } })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/greeter', { tenant: 't-1' })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/greeter', { tenant: 't-1' })).status).toBe(200);

    const metrics = (await k.request('GET', '/metrics', { token: null })).body as string;
    expect(metric(metrics, 'vv_cache_entries', 'plugin-sets')).toBe(2);
    expect(metric(metrics, 'vv_cache_evictions_total', 'plugin-sets')).toBeGreaterThanOrEqual(6);
    expect(metric(metrics, 'vv_cache_lookups_total', 'plugin-sets', 'miss')).toBeGreaterThanOrEqual(8);
    expect(metric(metrics, 'vv_cache_lookups_total', 'plugin-sets', 'hit')).toBeGreaterThanOrEqual(1);
    expect(metric(metrics, 'vv_cache_entries', 'access-tokens')).toBeLessThanOrEqual(2);
    expect(metric(metrics, 'vv_cache_evictions_total', 'access-tokens')).toBeGreaterThan(0);
    expect(metrics).toMatch(/vv_cache_entries\{cache="session-versions"\}/);
    expect(metrics).toMatch(/vv_cache_entries\{cache="api-keys"\}/);
  });

  it('counts one access-token lookup per request: a miss on the first use of a token, a hit on each use after', async () => {
    const token = await k.kernel.tokens.issue({ sub: 'user-once', tid: 't-2', role: 'member', email: 'once@t-2.test', pa: false });
    const read = async () => (await k.request('GET', '/metrics', { token: null })).body as string;
    const before = await read();
    const [miss, hit] = [metric(before, 'vv_cache_lookups_total', 'access-tokens', 'miss'), metric(before, 'vv_cache_lookups_total', 'access-tokens', 'hit')];
    for (let i = 0; i < 3; i++) expect((await k.request('GET', '/api/v1/greeter', { token })).status).toBe(200);
    const after = await read();
    expect(metric(after, 'vv_cache_lookups_total', 'access-tokens', 'miss') - miss).toBe(1);
    expect(metric(after, 'vv_cache_lookups_total', 'access-tokens', 'hit') - hit).toBe(2);
  });
});
