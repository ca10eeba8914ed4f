import { coreServices, createServiceRef, definePlugin } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem, manifest, readiness } from './__fixtures__/kernel-test-support';

/** A plugin serving GET /api/v1/<prefix> → { plugin: id }. */
function serving(id: string, prefix = `/${id}`, extra: Record<string, unknown> = {}) {
  return {
    manifest: manifest(id, { routes: [prefix], ...extra }),
    plugin: definePlugin({
      deps: { http: coreServices.http },
      setup({ http }) {
        http.route({ method: 'GET', path: prefix, handler: () => ({ plugin: id }) });
      },
    }),
  };
}

describe('kernel lifecycle: one plugin failing does not stop the others', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({
      tenants: ['acme', 'globex'],
      plugins: [
        {
          manifest: manifest('broken', { routes: ['/broken'] }),
          plugin: definePlugin({
            deps: { http: coreServices.http },
            setup({ http }) {
              http.route({ method: 'GET', path: '/broken', handler: () => ({ ok: true }) });
              throw new Error('database exploded');
            },
          }),
        },
        serving('dependant', '/dependant', { requires: { broken: '^1.0.0' } }),
        serving('healthy'),
      ],
    });
  });
  afterAll(() => k.close());

  it('reports the throwing plugin failed with its error, and the plugin requiring it blocked', async () => {
    const plugins = await readiness(k);
    expect(plugins.broken!.state).toBe('failed');
    expect(plugins.broken!.error).toEqual({ code: 'VV_PLUGIN_FAILED', message: expect.stringContaining('database exploded') });
    expect(plugins.dependant!.state).toBe('blocked');
    expect(plugins.dependant!.error?.message).toContain('"broken"');
    expect(plugins.healthy!.state).toBe('running');
  });

  it('serves an unrelated plugin with 200', async () => {
    const res = await k.request('GET', '/api/v1/healthy');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ plugin: 'healthy' });
  });

  it("answers 503 VV_PLUGIN_FAILED with Retry-After on the failed plugin's own routes once enabled", async () => {
    // A failed plugin can still be enabled as desired state; its routes then explain why they do not work.
    const enabled = await k.setPlugin('acme', 'broken', { enabled: true });
    expect(enabled.status).toBe(200);
    const res = await k.request('GET', '/api/v1/broken');
    const body = expectProblem(res, 503, 'VV_PLUGIN_FAILED');
    expect(res.headers.get('retry-after')).toBe('30');
    expect(body.detail).toContain('database exploded');
    expect((await k.request('GET', '/api/v1/healthy')).status).toBe(200);
  });

  it("answers 503 on a blocked plugin's routes too", async () => {
    expect((await k.setPlugin('acme', 'dependant', { enabled: true })).status).toBe(200);
    const res = await k.request('GET', '/api/v1/dependant');
    expectProblem(res, 503, 'VV_PLUGIN_FAILED');
    expect(res.headers.get('retry-after')).toBe('30');
  });
});

describe('kernel lifecycle: setup timeout, undeclared services, route conflicts, cycles', () => {
  const providedRef = createServiceRef<{ ping(): string }>({ id: 'provider.ping' });
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({
      timeouts: { setupMs: 200 },
      plugins: [
        {
          manifest: manifest('hangs'),
          plugin: definePlugin({ deps: {}, setup: () => new Promise<void>(() => {}) }),
        },
        {
          manifest: manifest('wants-db'),
          plugin: definePlugin({ deps: { db: coreServices.db }, setup() {} }),
        },
        {
          manifest: manifest('provider', { provides: ['provider.ping'] }),
          plugin: definePlugin({
            deps: {},
            setup(_deps, registrar) {
              registrar.provide(providedRef, { ping: () => 'pong' });
            },
          }),
        },
        {
          // Uses provider's service without listing "provider" under requires.
          manifest: manifest('sneaky'),
          plugin: definePlugin({ deps: { ping: providedRef }, setup() {} }),
        },
        serving('things-a', '/things'),
        serving('things-b', '/things/sub'),
        serving('things-c', '/things'),
        {
          manifest: manifest('outside', { routes: ['/outside'] }),
          plugin: definePlugin({
            deps: { http: coreServices.http },
            setup({ http }) {
              http.route({ method: 'GET', path: '/elsewhere', handler: () => ({}) });
            },
          }),
        },
        serving('cyc-a', '/cyc-a', { requires: { 'cyc-b': '^1.0.0' } }),
        serving('cyc-b', '/cyc-b', { requires: { 'cyc-a': '^1.0.0' } }),
        serving('healthy'),
      ],
    });
  });
  afterAll(() => k.close());

  it('fails a plugin whose setup never resolves with VV_PLUGIN_SETUP_TIMEOUT', async () => {
    const { hangs } = await readiness(k);
    expect(hangs!.state).toBe('failed');
    expect(hangs!.error!.code).toBe('VV_PLUGIN_SETUP_TIMEOUT');
    expect(hangs!.error!.message).toContain('200 ms');
  });

  it('fails a plugin asking for core.db without permission "db" with VV_SERVICE_NOT_DECLARED', async () => {
    const plugins = await readiness(k);
    expect(plugins['wants-db']!.state).toBe('failed');
    expect(plugins['wants-db']!.error!.code).toBe('VV_SERVICE_NOT_DECLARED');
    expect(plugins['wants-db']!.error!.message).toContain('core.db');
  });

  it("fails a plugin using another plugin's service it does not require with VV_SERVICE_NOT_DECLARED", async () => {
    const plugins = await readiness(k);
    expect(plugins.provider!.state).toBe('running');
    expect(plugins.sneaky!.state).toBe('failed');
    expect(plugins.sneaky!.error!.code).toBe('VV_SERVICE_NOT_DECLARED');
    expect(plugins.sneaky!.error!.message).toContain('"provider"');
  });

  it('fails the later plugin (by id) of a nested or equal prefix claim with VV_ROUTE_CONFLICT naming both', async () => {
    const plugins = await readiness(k);
    expect(plugins['things-a']!.state).toBe('running');
    for (const later of ['things-b', 'things-c']) {
      expect(plugins[later]!.state).toBe('failed');
      expect(plugins[later]!.error!.code).toBe('VV_ROUTE_CONFLICT');
      expect(plugins[later]!.error!.message).toContain(`"${later}"`);
      expect(plugins[later]!.error!.message).toContain('"things-a"');
    }
    expect((await k.request('GET', '/api/v1/things')).body).toEqual({ plugin: 'things-a' });
  });

  it('fails a plugin registering a route outside its manifest prefixes with VV_ROUTE_CONFLICT', async () => {
    const { outside } = await readiness(k);
    expect(outside!.state).toBe('failed');
    expect(outside!.error!.code).toBe('VV_ROUTE_CONFLICT');
    expect(outside!.error!.message).toContain('/elsewhere');
  });

  it('fails both plugins of a cycle with VV_PLUGIN_CYCLE naming the path', async () => {
    const plugins = await readiness(k);
    expect(plugins['cyc-a']!.state).toBe('failed');
    expect(plugins['cyc-a']!.error!.code).toBe('VV_PLUGIN_CYCLE');
    expect(plugins['cyc-a']!.error!.message).toContain('cyc-a → cyc-b → cyc-a');
    expect(plugins['cyc-b']!.state).toBe('failed');
    expect(plugins['cyc-b']!.error!.code).toBe('VV_PLUGIN_CYCLE');
    expect(plugins['cyc-b']!.error!.message).toContain('cyc-b → cyc-a → cyc-b');
  });

  it('keeps serving the healthy plugin', async () => {
    expect((await readiness(k)).healthy!.state).toBe('running');
    expect((await k.request('GET', '/api/v1/healthy')).status).toBe(200);
  });
});

describe('kernel metrics and OpenAPI', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [serving('hello')] });
  });
  afterAll(() => k.close());

  it('exposes request durations labelled by plugin and plugin states on /metrics without auth', async () => {
    expect((await k.request('GET', '/api/v1/hello')).status).toBe(200);
    const res = await k.request('GET', '/metrics', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/vv_http_request_duration_seconds_count\{[^}]*plugin="hello"[^}]*\} 1/);
    expect(res.body).toMatch(/vv_plugin_state\{plugin="hello",state="running"\} 1/);
  });

  it("answers a plugin route's object as JSON with its request id and length", async () => {
    const res = await k.request('GET', '/api/v1/hello', { headers: { 'x-request-id': 'req-lifecycle-0001' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-request-id')).toBe('req-lifecycle-0001');
    expect(res.headers.get('content-length')).toBe(String(JSON.stringify({ plugin: 'hello' }).length));
    expect(res.body).toEqual({ plugin: 'hello' });
  });

  it('lists plugin routes in /api/openapi.json', async () => {
    const res = await k.request('GET', '/api/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toContain('/api/v1/hello');
    expect(res.body.paths['/api/v1/hello'].get).toBeDefined();
  });

  it('documents every kernel route in /api/openapi.json, with the schemas the kernel validates with', async () => {
    const res = await k.request('GET', '/api/openapi.json', { token: null });
    const kernelRoutes = k.kernel.httpRoutes().filter((r: { owner: string }) => r.owner === 'kernel');
    expect(kernelRoutes.length).toBeGreaterThan(30);
    for (const r of kernelRoutes) {
      const operation = res.body.paths[r.path.replace(/:([A-Za-z0-9]+)/g, '{$1}')]?.[r.method.toLowerCase()];
      expect(`${r.method} ${r.path}: ${operation?.summary ? 'documented' : 'missing'}`).toBe(`${r.method} ${r.path}: documented`);
    }
    const login = res.body.paths['/api/v1/auth/login'].post;
    expect(login.security).toEqual([]);
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    const plugin = res.body.paths['/api/v1/admin/tenants/{tenantId}/plugins/{pluginId}'].put;
    expect(plugin.parameters.map((p: { name: string }) => p.name)).toEqual(['tenantId', 'pluginId']);
    expect(res.body.paths['/api/v1/admin/audit'].get.parameters.map((p: { name: string }) => p.name)).toContain('cursor');
  });
});

describe('kernel close: draining', () => {
  // Regression: close() used to cut connections as soon as the middleware chain returned, before Koa wrote the
  // response, so an in-flight request failed with "other side closed" instead of its 200.
  it('lets an in-flight request finish with its 200 and refuses new ones', async () => {
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    const k = await createTestKernel({
      plugins: [
        {
          manifest: manifest('slow', { routes: ['/slow'] }),
          plugin: definePlugin({
            deps: { http: coreServices.http },
            setup({ http }) {
              http.route({
                method: 'GET',
                path: '/slow',
                handler: async () => {
                  entered();
                  await new Promise((resolve) => setTimeout(resolve, 300));
                  return { done: true };
                },
              });
            },
          }),
        },
      ],
    });
    const token = await k.token();
    const inFlight = k.request('GET', '/api/v1/slow', { token });
    await handlerEntered;
    const closed = k.close();
    const late = k.request('GET', '/api/v1/slow', { token }).then(
      (r) => r.status,
      (e: Error) => `refused: ${e.message}`,
    );

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ done: true });
    const lateOutcome = await late;
    expect(lateOutcome === 503 || String(lateOutcome).startsWith('refused')).toBe(true);
    await closed;
  });
});
