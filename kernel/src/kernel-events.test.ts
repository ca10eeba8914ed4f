import { coreServices, definePlugin, type EventEnvelope } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { manifest } from './__fixtures__/kernel-test-support';

// A plugin's subscribers act only for tenants that have the plugin enabled.
describe("event delivery follows each tenant's plugin set", () => {
  let k: TestKernel;
  const seen: EventEnvelope[] = [];

  beforeAll(async () => {
    k = await createTestKernel({
      tenants: ['acme', 'globex'],
      plugins: [
        {
          manifest: manifest('emitter', { routes: ['/emit'], permissions: ['events.publish:thing.*'] }),
          plugin: definePlugin({
            deps: { http: coreServices.http, events: coreServices.events },
            setup({ http, events }) {
              http.route({
                method: 'POST',
                path: '/emit',
                handler: async (req) => {
                  await events.publish('thing.happened', req.tenant.id, { n: 1 });
                  return { ok: true };
                },
              });
            },
          }),
        },
        {
          manifest: manifest('listener', { permissions: ['events.subscribe:thing.*'] }),
          plugin: definePlugin({
            deps: { events: coreServices.events },
            setup({ events }) {
              events.subscribe('thing.*', (event) => {
                seen.push(event);
              });
            },
          }),
        },
      ],
    });
    await k.setPlugin('globex', 'listener', { enabled: false });
  });
  afterAll(() => k.close());

  it('delivers to the listener for acme, which has it enabled, and not for globex, which turned it off', async () => {
    expect((await k.request('POST', '/api/v1/emit', { tenant: 'acme', role: 'member' })).status).toBe(200);
    expect((await k.request('POST', '/api/v1/emit', { tenant: 'globex', role: 'member' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((e) => e.tenantId)).toEqual(['acme']);
    // The harness (not a plugin) still sees both.
    expect(k.events.filter((e) => e.name === 'thing.happened').map((e) => e.tenantId)).toEqual(['acme', 'globex']);
  });
});
