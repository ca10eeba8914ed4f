import { createHmac } from 'node:crypto';
import { coreServices, definePlugin, respond, type PublicPluginRequest } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem, manifest, readiness } from './__fixtures__/kernel-test-support';
import { rateLimitPublic } from './limits/rate-limit-middleware';
import { MemoryRateLimiter } from './limits/rate-limiter';

// Public plugin routes (`access: 'public'`): served without a credential for the tenant named by `:tenantId`, with
// the exact body bytes on request, refused at load without permission `http.public` or without `:tenantId`.
describe('public plugin routes', () => {
  let k: TestKernel;
  const seen: { tenant: string; user: unknown; raw?: string; body: unknown; config: unknown; audited?: boolean }[] = [];
  const secret = 'hook-secret';

  beforeAll(async () => {
    const hooks = definePlugin({
      deps: { http: coreServices.http, audit: coreServices.audit },
      setup({ http, audit }) {
        http.route({
          method: 'POST',
          path: '/hooks/:tenantId/deliveries',
          access: 'public',
          rawBody: true,
          schema: {
            params: { type: 'object', properties: { tenantId: { type: 'string' } } },
            body: { type: 'object', required: ['kind'], properties: { kind: { type: 'string' } } },
          },
          handler: async (req: PublicPluginRequest<{ kind: string }>) => {
            const signature = createHmac('sha256', secret).update(req.rawBody!).digest('hex');
            if (req.headers['x-signature'] !== signature) return respond(400, { error: 'bad signature' });
            await audit.record({ action: 'delivery.received', target: req.body.kind });
            seen.push({ tenant: req.tenant.id, user: req.user, raw: req.rawBody!.toString('hex'), body: req.body, config: req.config });
            return respond(202, { accepted: req.body.kind, tenant: req.tenant.id });
          },
        });
        http.route({
          method: 'GET',
          path: '/hooks/:tenantId/ping',
          access: 'public',
          handler: (req) => ({ tenant: req.tenant.id, user: req.user ?? null, raw: req.rawBody ?? null }),
        });
        http.route({ method: 'GET', path: '/hooks/private', handler: (req) => ({ user: req.user.id }) });
      },
    });
    const noPermission = definePlugin({
      deps: { http: coreServices.http },
      setup({ http }) {
        http.route({ method: 'POST', path: '/nope/:tenantId/hook', access: 'public', handler: () => 'never' });
      },
    });
    const noTenant = definePlugin({
      deps: { http: coreServices.http },
      setup({ http }) {
        http.route({ method: 'POST', path: '/notenant/hook', access: 'public', handler: () => 'never' });
      },
    });
    k = await createTestKernel({
      plugins: [
        {
          manifest: manifest('hooks', { routes: ['/hooks'], permissions: ['http.public', 'audit'], config: { type: 'object', properties: { label: { type: 'string' } } } }),
          plugin: hooks,
        },
        { manifest: manifest('nope', { routes: ['/nope'] }), plugin: noPermission },
        { manifest: manifest('notenant', { routes: ['/notenant'], permissions: ['http.public'] }), plugin: noTenant },
      ],
      tenants: ['acme', 'globex', 'initech'],
      enable: ['hooks'],
      config: { hooks: { label: 'acme hooks' } },
    });
    expect((await k.setPlugin('initech', 'hooks', { enabled: false })).status).toBe(200);
    expect((await k.setPlugin('globex', 'hooks', { enabled: true, config: { label: 'globex hooks' } })).status).toBe(200);
  });
  afterAll(() => k.close());

  const deliver = (tenant: string, payload: Buffer | string, signature?: string) =>
    fetch(`${k.url}/api/v1/hooks/${tenant}/deliveries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature ?? createHmac('sha256', secret).update(payload).digest('hex') },
      body: payload,
    });

  it('serves the route without a credential, for the tenant in the path, with no user and the exact bytes', async () => {
    // Spacing and key order a re-serialisation would lose, and a non-ASCII character: the signature is over these bytes.
    const payload = Buffer.from('{ "kind" : "invoice.paid",\n  "note": "caf\u00e9"  }', 'utf8');
    const res = await deliver('globex', payload);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 'invoice.paid', tenant: 'globex' });
    expect(seen.at(-1)).toEqual({
      tenant: 'globex',
      user: undefined,
      raw: payload.toString('hex'),
      body: { kind: 'invoice.paid', note: 'café' },
      config: { label: 'globex hooks' },
    });
    const ping = await k.request('GET', '/api/v1/hooks/acme/ping', { token: null });
    expect(ping.body).toEqual({ tenant: 'acme', user: null, raw: null });
  });

  it('hands the handler the config of the resolved tenant', async () => {
    expect((await deliver('acme', '{"kind":"x"}')).status).toBe(202);
    expect(seen.at(-1)?.config).toEqual({ label: 'acme hooks' });
  });

  it('lets the handler refuse a wrong signature, and records audit entries with the plugin as actor', async () => {
    expect((await deliver('acme', '{"kind":"forged"}', 'f'.repeat(64))).status).toBe(400);
    expect((await deliver('acme', '{"kind":"audited"}')).status).toBe(202);
    const log = await k.request('GET', '/api/v1/admin/audit?action=hooks.delivery.received', { tenant: 'acme', role: 'tenant-admin' });
    expect(log.status).toBe(200);
    const entries = log.body.items as { actor: string; target: string; tenantId: string }[];
    expect(entries).toContainEqual(expect.objectContaining({ actor: 'plugin:hooks', target: 'audited', tenantId: 'acme' }));
    expect(entries.some((e) => e.target === 'forged')).toBe(false);
  });

  it('refuses a raw body over the body limit (declared or streamed) with 413, and malformed JSON with 400', async () => {
    const big = JSON.stringify({ kind: 'x'.repeat(1024 ** 2 + 10) });
    const declared = await deliver('acme', big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'VV_PAYLOAD_TOO_LARGE', detail: 'Request body exceeds 1 MB' });
    // Chunked: no content-length, the limit is found while reading.
    const chunks = [Buffer.from('{"kind":"'), Buffer.alloc(1024 ** 2, 'y'), Buffer.from('"}')];
    const streamed = await fetch(`${k.url}/api/v1/hooks/acme/deliveries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': 'f'.repeat(64) },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const malformed = await deliver('acme', '{"kind":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'VV_VALIDATION' });
  });

  it('validates params and body as on any route', async () => {
    const res = await k.request('POST', '/api/v1/hooks/acme/deliveries', {
      token: null,
      body: '{"other":1}',
      headers: { 'x-signature': createHmac('sha256', secret).update('{"other":1}').digest('hex') },
    });
    expectProblem(res, 400, 'VV_VALIDATION');
    const bad = await k.request('POST', '/api/v1/hooks/acme/deliveries', { token: null, body: '{"kind":', headers: { 'x-signature': 'x' } });
    expectProblem(bad, 400, 'VV_VALIDATION');
  });

  it('answers an unknown tenant, a tenant without the plugin and a malformed id exactly as an unknown path', async () => {
    const answers = await Promise.all(
      ['no-such-tenant', 'initech', 'Not_A_Tenant!'].map(async (tenant) => {
        const res = await deliver(encodeURIComponent(tenant), '{"kind":"probe"}');
        const body = (await res.json()) as { status: number; code: string; detail: string; instance: string };
        return {
          status: res.status,
          code: body.code,
          detail: body.detail.replace(encodeURIComponent(tenant), 'T'),
          instance: body.instance.replace(encodeURIComponent(tenant), 'T'),
        };
      }),
    );
    expect(answers[0]).toEqual({ status: 404, code: 'VV_NOT_FOUND', detail: 'No route POST /api/v1/hooks/T/deliveries', instance: '/api/v1/hooks/T/deliveries' });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(seen.some((s) => s.body && (s.body as { kind?: string }).kind === 'probe')).toBe(false);
  });

  it('still requires a credential on the plugin’s other routes', async () => {
    expectProblem(await k.request('GET', '/api/v1/hooks/private', { token: null }), 401, 'VV_UNAUTHENTICATED');
    expect((await k.request('GET', '/api/v1/hooks/private')).status).toBe(200);
  });

  it('refuses at load a public route without permission http.public, or without :tenantId', async () => {
    const states = await readiness(k);
    expect(states.nope?.state).toBe('failed');
    expect(states.nope?.error?.code).toBe('VV_MANIFEST_INVALID');
    expect(states.nope?.error?.message).toMatch(/http\.public/);
    expect(states.notenant?.state).toBe('failed');
    expect(states.notenant?.error?.code).toBe('VV_ROUTE_CONFLICT');
    expect(states.notenant?.error?.message).toMatch(/:tenantId/);
  });

  it('lists the route as public in httpRoutes and in the OpenAPI document with security []', async () => {
    expect(k.kernel.httpRoutes().find((r) => r.path === '/api/v1/hooks/:tenantId/deliveries')).toMatchObject({ owner: 'hooks', access: 'public' });
    const doc = await k.request('GET', '/api/openapi.json', { token: null });
    const op = doc.body.paths['/api/v1/hooks/{tenantId}/deliveries'].post;
    expect(op.security).toEqual([]);
    expect(op['x-valueverse-access']).toBe('public');
    expect(op.responses['401']).toBeUndefined();
    expect(doc.body.paths['/api/v1/hooks/private'].get.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
  });

  // Last: it drains this client's bucket (20/s, burst 100 by default; no shared limiter here, so this instance's).
  it('rate-limits public routes per client address with 429 VV_RATE_LIMITED and Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 160 }, () => k.request('GET', '/api/v1/hooks/acme/ping', { token: null })));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expectProblem(limited[0]!, 429, 'VV_RATE_LIMITED');
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Signed-in callers are on their tenant's bucket, not this one.
    expect((await k.request('GET', '/api/v1/hooks/private')).status).toBe(200);
  });
});

describe('rateLimitPublic', () => {
  it('limits each client address on its own bucket', () => {
    let now = 0;
    const limit = rateLimitPublic(new MemoryRateLimiter(() => now), {
      tenant: { perSecond: 1, burst: 1 },
      apiKey: { perSecond: 1, burst: 1 },
      publicClient: { perSecond: 1, burst: 2 },
    });
    const from = (ip: string) => ({ ip }) as never;
    expect(limit(from('10.0.0.1'))).toBeUndefined();
    expect(limit(from('10.0.0.1'))).toBeUndefined();
    expect(() => limit(from('10.0.0.1'))).toThrow(expect.objectContaining({ code: 'VV_RATE_LIMITED' }));
    expect(limit(from('10.0.0.2'))).toBeUndefined();
    now += 1000;
    expect(limit(from('10.0.0.1'))).toBeUndefined();
  });
});
