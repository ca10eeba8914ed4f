import { coreServices, createServiceRef, definePlugin, optionalRef, type ServiceProviders } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { manifest, readiness } from './__fixtures__/kernel-test-support';

interface Greeter {
  greet(): string;
}
const greeterRef = createServiceRef<Greeter>({ id: 'greeter', multiple: true });
/** Same id, but single-provider: a plugin using it conflicts with the multi-provider users of the id. */
const singleGreeterRef = createServiceRef<Greeter>({ id: 'greeter' });
const pingRef = createServiceRef<{ ping(): string }>({ id: 'pinger' });

function greeter(id: string, options: { failAfterProviding?: boolean; ref?: typeof greeterRef | typeof singleGreeterRef } = {}) {
  return {
    manifest: manifest(id, { provides: ['greeter'] }),
    plugin: definePlugin({
      deps: {},
      setup(_deps, registrar) {
        registrar.provide(options.ref ?? greeterRef, { greet: () => `hello from ${id}` });
        if (options.failAfterProviding) throw new Error('broke after providing');
      },
    }),
  };
}

function pinger(id: string) {
  return {
    manifest: manifest(id, { provides: ['pinger'] }),
    plugin: definePlugin({
      deps: {},
      setup(_deps, registrar) {
        registrar.provide(pingRef, { ping: () => id });
      },
    }),
  };
}

/** GET /api/v1/<id> → which provider serves the caller's tenant, and every running provider. */
function consumer(id: string, optional: boolean, extra: Record<string, unknown> = { uses: ['greeter'] }) {
  const route = (greeters: ServiceProviders<Greeter>) => async (req: { tenant: { id: string } }) => {
    const chosen = await greeters.forTenant(req.tenant.id);
    return { provider: chosen?.pluginId ?? null, greeting: chosen?.service.greet() ?? null, all: greeters.all().map((p) => p.pluginId) };
  };
  return {
    manifest: manifest(id, { routes: [`/${id}`], ...extra }),
    plugin: optional
      ? definePlugin({
          // optionalRef of a multi-provider ref still gives ServiceProviders (possibly empty), never undefined.
          deps: { http: coreServices.http, greeters: optionalRef(greeterRef) },
          setup({ http, greeters }) {
            http.route({ method: 'GET', path: `/${id}`, handler: route(greeters) });
          },
        })
      : definePlugin({
          deps: { http: coreServices.http, greeters: greeterRef },
          setup({ http, greeters }) {
            http.route({ method: 'GET', path: `/${id}`, handler: route(greeters) });
          },
        }),
  };
}

describe('multi-provider service refs', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({
      tenants: ['acme', 'globex', 'initech'],
      enable: ['consumer', 'optional-consumer'],
      plugins: [
        greeter('greeter-a'),
        // Sets up after both consumers (ids order the setup): resolution is lazy, so they still see it.
        greeter('zeta-greeter'),
        greeter('greeter-broken', { failAfterProviding: true }),
        consumer('consumer', false),
        consumer('optional-consumer', true),
        consumer('undeclared', false, {}),
        pinger('ping-a'),
        pinger('ping-b'),
      ],
    });
    const enable = async (tenant: string, pluginId: string, enabled = true) => expect((await k.setPlugin(tenant, pluginId, { enabled })).status).toBe(200);
    await enable('acme', 'greeter-a');
    await enable('globex', 'zeta-greeter');
    // A failed provider may be enabled as desired state; it must never be chosen.
    await enable('initech', 'greeter-broken');
  });
  afterAll(() => k.close());

  it('gives each tenant the provider enabled for it, and none to a tenant with no provider enabled', async () => {
    const acme = await k.request('GET', '/api/v1/consumer', { tenant: 'acme' });
    expect(acme.status).toBe(200);
    expect(acme.body).toEqual({ provider: 'greeter-a', greeting: 'hello from greeter-a', all: ['greeter-a', 'zeta-greeter'] });
    const globex = await k.request('GET', '/api/v1/consumer', { tenant: 'globex' });
    expect(globex.body).toMatchObject({ provider: 'zeta-greeter', greeting: 'hello from zeta-greeter' });
    const initech = await k.request('GET', '/api/v1/consumer', { tenant: 'initech' });
    expect(initech.body).toEqual({ provider: null, greeting: null, all: ['greeter-a', 'zeta-greeter'] });
  });

  it('resolves the same way through optionalRef', async () => {
    expect((await k.request('GET', '/api/v1/optional-consumer', { tenant: 'acme' })).body.provider).toBe('greeter-a');
    expect((await k.request('GET', '/api/v1/optional-consumer', { tenant: 'initech' })).body.provider).toBeNull();
  });

  it('prefers the first provider by plugin id and follows plugin-set changes on the next call', async () => {
    expect((await k.setPlugin('acme', 'zeta-greeter', { enabled: true })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/consumer', { tenant: 'acme' })).body.provider).toBe('greeter-a');
    expect((await k.setPlugin('acme', 'greeter-a', { enabled: false })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/consumer', { tenant: 'acme' })).body.provider).toBe('zeta-greeter');
    // Another tenant's change does not leak: globex still has only zeta-greeter, initech none.
    expect((await k.request('GET', '/api/v1/consumer', { tenant: 'initech' })).body.provider).toBeNull();
  });

  it('runs every provider of a multi-provider ref and leaves out the one that failed', async () => {
    const plugins = await readiness(k);
    expect(plugins['greeter-a']!.state).toBe('running');
    expect(plugins['zeta-greeter']!.state).toBe('running');
    expect(plugins['greeter-broken']!.state).toBe('failed');
  });

  it('refuses a consumer whose manifest does not list the ref under "uses" with VV_SERVICE_NOT_DECLARED', async () => {
    const { undeclared } = await readiness(k);
    expect(undeclared!.state).toBe('failed');
    expect(undeclared!.error!.code).toBe('VV_SERVICE_NOT_DECLARED');
    expect(undeclared!.error!.message).toContain('"greeter"');
    expect(undeclared!.error!.message).toContain('"uses"');
  });

  it('still refuses a second provider of a single-provider ref with VV_CONFLICT (the later one by id)', async () => {
    const plugins = await readiness(k);
    expect(plugins['ping-a']!.state).toBe('running');
    expect(plugins['ping-b']!.state).toBe('failed');
    expect(plugins['ping-b']!.error!.code).toBe('VV_CONFLICT');
    expect(plugins['ping-b']!.error!.message).toContain('"pinger" is already provided by "ping-a"');
  });
});

describe('multi-provider service refs: refs with one id must agree', () => {
  it('fails a plugin that provides a multi-provider id through a single-provider ref with VV_CONFLICT', async () => {
    const k = await createTestKernel({
      enable: [],
      plugins: [greeter('greeter-a'), greeter('greeter-b', { ref: singleGreeterRef }), consumer('consumer', false)],
    });
    try {
      const plugins = await readiness(k);
      expect(plugins['greeter-a']!.state).toBe('running');
      expect(plugins.consumer!.state).toBe('running');
      expect(plugins['greeter-b']!.state).toBe('failed');
      expect(plugins['greeter-b']!.error!.code).toBe('VV_CONFLICT');
      // The consumer sets up first (ids order the setup), so it is the one named as having fixed the kind.
      expect(plugins['greeter-b']!.error!.message).toContain('"greeter" as a single-provider ref, but "consumer" uses it as a multi-provider ref');
    } finally {
      await k.close();
    }
  });
});
