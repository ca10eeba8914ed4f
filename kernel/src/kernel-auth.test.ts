import { coreServices, definePlugin, respond } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem, manifest } from './__fixtures__/kernel-test-support';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('authentication and authorisation over HTTP', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({
      tenants: ['acme', 'globex'],
      plugins: [
        {
          manifest: manifest('notes', { routes: ['/notes'] }),
          plugin: definePlugin({
            deps: { http: coreServices.http },
            setup({ http }) {
              http.route({ method: 'GET', path: '/notes', handler: (req) => ({ user: req.user.id, role: req.user.role }) });
              http.route({
                method: 'POST',
                path: '/notes',
                schema: {
                  body: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['title'],
                    properties: { title: { type: 'string', minLength: 1 }, pages: { type: 'integer', minimum: 1 } },
                  },
                },
                handler: (req) => respond(201, req.body),
              });
            },
          }),
        },
      ],
    });
  });
  afterAll(() => k.close());

  it('answers 401 VV_UNAUTHENTICATED without a token, with WWW-Authenticate', async () => {
    const res = await k.request('GET', '/api/v1/notes', { token: null });
    expectProblem(res, 401, 'VV_UNAUTHENTICATED');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('rejects an unsigned token (alg none) with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
      sub: 'mallory',
      tid: 'acme',
      role: 'platform-admin',
      pa: true,
      iss: 'valueverse',
      aud: 'valueverse-api',
      iat: now,
      exp: now + 600,
    })}.`;
    expectProblem(await k.request('GET', '/api/v1/notes', { token: unsigned }), 401, 'VV_UNAUTHENTICATED');
    expectProblem(await k.request('GET', '/api/v1/admin/tenants', { token: unsigned }), 401, 'VV_UNAUTHENTICATED');
  });

  it('rejects a token whose payload was altered with 401', async () => {
    const genuine = await k.token('acme', 'viewer');
    const [header, payload, signature] = genuine.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${b64url({ ...claims, role: 'platform-admin', pa: true })}.${signature}`;
    expect((await k.request('GET', '/api/v1/notes', { token: genuine })).status).toBe(200);
    expectProblem(await k.request('GET', '/api/v1/admin/tenants', { token: tampered }), 401, 'VV_UNAUTHENTICATED');
  });

  it('rejects a garbage bearer value with 401', async () => {
    expectProblem(await k.request('GET', '/api/v1/notes', { token: 'not-a-jwt' }), 401, 'VV_UNAUTHENTICATED');
  });

  it('lets a viewer read but answers 403 VV_FORBIDDEN on a POST route (minRole member)', async () => {
    const read = await k.request('GET', '/api/v1/notes', { role: 'viewer' });
    expect(read.status).toBe(200);
    expect(read.body.role).toBe('viewer');
    const res = await k.request('POST', '/api/v1/notes', { role: 'viewer', body: { title: 'x' } });
    expectProblem(res, 403, 'VV_FORBIDDEN');
    expect((await k.request('POST', '/api/v1/notes', { role: 'member', body: { title: 'x' } })).status).toBe(201);
  });

  it("answers 404 VV_TENANT_UNKNOWN when a tenant admin of acme reads globex's plugins", async () => {
    const res = await k.request('GET', '/api/v1/admin/tenants/globex/plugins', { tenant: 'acme', role: 'tenant-admin' });
    expectProblem(res, 404, 'VV_TENANT_UNKNOWN');
    expect((await k.request('GET', '/api/v1/admin/tenants/acme/plugins', { tenant: 'acme', role: 'tenant-admin' })).status).toBe(200);
  });

  it('refuses X-Tenant-Id for another tenant to a non-admin with 403', async () => {
    const res = await k.request('GET', '/api/v1/notes', { tenant: 'acme', role: 'tenant-admin', headers: { 'x-tenant-id': 'globex' } });
    expectProblem(res, 403, 'VV_FORBIDDEN');
  });

  describe('login', () => {
    beforeAll(async () => {
      const store = k.kernel.store;
      await store.createUser({ id: 'u-ada', email: 'ada@acme.test', passwordHash: await k.kernel.passwords.hash('correct horse battery'), platformAdmin: false });
      await store.setMembership({ userId: 'u-ada', tenantId: 'acme', role: 'member' });
    });

    it('issues an access token that works on GET /api/v1/me', async () => {
      const login = await k.request('POST', '/api/v1/auth/login', { token: null, body: { email: 'ada@acme.test', password: 'correct horse battery' } });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ tokenType: 'Bearer', tenant: { id: 'acme', role: 'member' }, user: { id: 'u-ada' } });
      const me = await k.request('GET', '/api/v1/me', { token: login.body.accessToken });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ user: { id: 'u-ada', role: 'member' }, tenant: { id: 'acme' }, platformAdmin: false });
      // What a member's workspace needs for its navigation: the tenant's plugins, without their config.
      expect(me.body.plugins).toEqual([{ pluginId: 'notes', displayName: 'notes', version: '1.0.0', state: 'running', enabled: true }]);
    });

    it('answers 401 on a wrong password or an unknown email, with the same detail', async () => {
      const wrong = await k.request('POST', '/api/v1/auth/login', { token: null, body: { email: 'ada@acme.test', password: 'wrong' } });
      const unknown = await k.request('POST', '/api/v1/auth/login', { token: null, body: { email: 'nobody@acme.test', password: 'wrong' } });
      expect(expectProblem(wrong, 401, 'VV_UNAUTHENTICATED').detail).toBe(expectProblem(unknown, 401, 'VV_UNAUTHENTICATED').detail);
      expect(JSON.stringify(wrong.body)).not.toContain('accessToken');
    });
  });

  describe('bad requests', () => {
    it('answers 400 VV_VALIDATION with a pointer per bad field of a schema-checked body', async () => {
      const res = await k.request('POST', '/api/v1/notes', { role: 'member', body: { pages: 0, extra: true } });
      const body = expectProblem(res, 400, 'VV_VALIDATION');
      expect(body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/extra', '/pages', '/title']);
    });

    it('answers 400 problem+json for a body that is not JSON', async () => {
      const res = await k.request('POST', '/api/v1/notes', { role: 'member', body: '{"title": ', headers: { 'content-type': 'application/json' } });
      const body = expectProblem(res, 400, 'VV_VALIDATION');
      expect(body.detail).toMatch(/not valid JSON/);
    });

    it('answers 404 problem+json for an unknown API path', async () => {
      expectProblem(await k.request('GET', '/api/v1/nothing'), 404, 'VV_NOT_FOUND');
      expectProblem(await k.request('GET', '/api/v1/notes/missing'), 404, 'VV_NOT_FOUND');
    });

    it('echoes a well-formed incoming X-Request-Id in the header and the problem body', async () => {
      const res = await k.request('GET', '/api/v1/nothing', { headers: { 'x-request-id': 'trace-12345678' } });
      expect(expectProblem(res, 404, 'VV_NOT_FOUND').requestId).toBe('trace-12345678');
    });
  });
});
