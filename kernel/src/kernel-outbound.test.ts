import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem, manifest } from './__fixtures__/kernel-test-support';

/**
 * `coreServices.outbound` through a real kernel: the manifest's allowlist is enforced (issue #10 finding 4: declared
 * and never enforced before), per tenant for configured destinations, and only a plugin with `http.outbound` gets it.
 */
describe('kernel outbound HTTP (core.outbound)', () => {
  let k: TestKernel;
  let server: Server;
  let port: number;
  const received: string[] = [];
  const names: Record<string, string> = { 'allowed.test': '127.0.0.1', 'outside.test': '127.0.0.1' };

  function caller(id: string, extra: Record<string, unknown>) {
    return {
      manifest: manifest(id, { routes: [`/${id}`], ...extra }),
      plugin: definePlugin({
        deps: { http: coreServices.http, outbound: coreServices.outbound },
        setup({ http, outbound }) {
          http.route({
            method: 'POST',
            path: `/${id}/call`,
            handler: async (req) => {
              const { url, forTenant } = req.body as { url: string; forTenant?: boolean };
              const res = await outbound.fetch(url, { method: 'POST', body: 'ping', ...(forTenant === false ? {} : { tenantId: req.tenant.id }) });
              return { status: res.status, text: await res.text() };
            },
          });
        },
      }),
    };
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(`${req.method} ${req.headers.host}${req.url}`);
      res.end('pong');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
    const configSchema = {
      type: 'object',
      additionalProperties: false,
      properties: { endpoint: { type: 'string', format: 'uri' }, token: { type: 'string', 'x-secret': true, 'x-secret-bound-to': ['endpoint'] } },
    };
    const withOutbound = caller('caller', {
      permissions: ['http.outbound'],
      outbound: { origins: [`http://allowed.test:${port}`], configFields: ['endpoint'] },
      config: configSchema,
    });
    const without = caller('no-permission', {});
    k = await createTestKernel({
      tenants: ['acme', 'globex'],
      plugins: [withOutbound, without],
      allowPrivateDestinations: '127.0.0.1/32',
      resolveHost: async (name) => (names[name] ? [{ address: names[name]!, family: 4 }] : []),
    });
    expect((await k.setPlugin('acme', 'caller', { enabled: true, config: { endpoint: `http://127.0.0.1:${port}/hooks`, token: 't-acme' } })).status).toBe(200);
  });
  afterAll(async () => {
    await k?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
  });
  const call = (body: Record<string, unknown>, tenant = 'acme') => k.request('POST', '/api/v1/caller/call', { tenant, role: 'member', body });

  it('calls an origin the manifest lists', async () => {
    const res = await call({ url: `http://allowed.test:${port}/v1/x` });
    expect(res.body).toEqual({ status: 200, text: 'pong' });
    expect(received).toEqual([`POST allowed.test:${port}/v1/x`]);
  });

  it('refuses a host outside the manifest with 422 VV_OUTBOUND_REFUSED, sending nothing, though its address is allowed', async () => {
    for (const url of [`http://outside.test:${port}/v1/x`, `http://allowed.test:${port + 1}/v1/x`, `https://allowed.test:${port}/v1/x`]) {
      const body = expectProblem(await call({ url, forTenant: false }), 422, 'VV_OUTBOUND_REFUSED');
      expect(body.detail).toContain('is not in the outbound allowlist of plugin "caller"');
    }
    expect(received).toEqual([]);
  });

  it("allows a tenant's configured destination for calls made for that tenant only", async () => {
    const url = `http://127.0.0.1:${port}/hooks/1`;
    expect((await call({ url })).body).toEqual({ status: 200, text: 'pong' });
    expectProblem(await call({ url, forTenant: false }), 422, 'VV_OUTBOUND_REFUSED');
    expectProblem(await call({ url }, 'globex'), 422, 'VV_OUTBOUND_REFUSED');
    expect(received).toEqual([`POST 127.0.0.1:${port}/hooks/1`]);
  });

  it('refuses a destination field that names a refused address when the config is saved', async () => {
    const res = await k.setPlugin('globex', 'caller', { enabled: true, config: { endpoint: 'http://169.254.169.254/latest', token: 'x' } });
    const body = expectProblem(res, 422, 'VV_OUTBOUND_REFUSED');
    expect(body.errors).toEqual([{ pointer: '/endpoint', in: 'config', message: '169.254.169.254 is a metadata address' }]);
  });

  it('gives core.outbound only to a plugin whose manifest has permission http.outbound', () => {
    const record = k.kernel.plugins().find((p: { id: string }) => p.id === 'no-permission')!;
    expect(record.state).toBe('failed');
    expect(record.error!.code).toBe('VV_SERVICE_NOT_DECLARED');
    expect(record.error!.message).toContain('the manifest lacks permission "http.outbound"');
  });
});
