import { coreServices, definePlugin, isVvError } from '@valueverse/plugin-sdk';
import { bootKernel, type BootedKernel } from '../__fixtures__/boot-kernel';
import { expectProblem, manifest } from '../__fixtures__/kernel-test-support';
import { canonicalOrigin, CorsPolicy } from './cors-policy';

const APP = 'https://app.acme.test';
const OTHER = 'https://other.acme.test';
const EVIL = 'https://evil.example';

const echo = {
  manifest: manifest('echo', { routes: ['/echo'] }),
  plugin: definePlugin({
    deps: { http: coreServices.http },
    setup({ http }) {
      http.route({ method: 'GET', path: '/echo', handler: (req) => ({ tenant: req.tenant.id }) });
      http.route({ method: 'POST', path: '/echo', handler: (req) => ({ tenant: req.tenant.id, body: req.body }) });
    },
  }),
};

const preflight = (k: BootedKernel, origin: string, path = '/api/v1/echo') =>
  fetch(`${k.url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
  });

describe('CorsPolicy (unit)', () => {
  it('reads origins in canonical form only', () => {
    expect(canonicalOrigin('https://app.acme.test')).toBe('https://app.acme.test');
    expect(canonicalOrigin('HTTPS://App.Acme.Test:443')).toBe('https://app.acme.test');
    expect(canonicalOrigin('http://localhost:4200')).toBe('http://localhost:4200');
    for (const bad of ['app.acme.test', 'https://app.acme.test/x', 'https://u:p@app.acme.test', 'https://a.test?x=1', 'ftp://a.test', 'null', '*'])
      expect(canonicalOrigin(bad)).toBeUndefined();
  });

  it('refuses a bad list when the kernel is configured, naming each entry', () => {
    const error = (() => {
      try {
        return new CorsPolicy(['https://ok.test', 'not an origin', '*']);
      } catch (e) {
        return e;
      }
    })();
    expect(isVvError(error) && error.code).toBe('VV_CONFIG_INVALID');
    expect((error as Error).message).toMatch(/"not an origin" is not an origin.*"\*" allows every origin and cannot be combined/);
  });

  it('lets a tenant narrow the list, never widen it', () => {
    const policy = new CorsPolicy([APP, OTHER]);
    expect(policy.allows(APP)).toBe(true);
    expect(policy.allows(EVIL)).toBe(false);
    expect(policy.allows(APP, [APP])).toBe(true);
    expect(policy.allows(OTHER, [APP])).toBe(false);
    expect(policy.allows(EVIL, [EVIL])).toBe(false);
    expect(policy.tenantSettingProblems({ corsOrigins: [APP] })).toEqual([]);
    expect(policy.tenantSettingProblems({ corsOrigins: [EVIL, 'https://app.acme.test/'] }).map((p) => p.pointer)).toEqual(['/settings/corsOrigins/0', '/settings/corsOrigins/1']);
    expect(policy.tenantSettingProblems({ corsOrigins: 'https://app.acme.test' })).toEqual([{ pointer: '/settings/corsOrigins', message: expect.any(String) }]);
    expect(new CorsPolicy(['*']).tenantSettingProblems({ corsOrigins: [EVIL] })).toEqual([]);
  });
});

// issue #10, finding 8: a browser preflight answered 401, so no web client on another origin could call the API.
describe('CORS over HTTP', () => {
  let listed: BootedKernel;
  let wildcard: BootedKernel;
  let none: BootedKernel;

  beforeAll(async () => {
    listed = await bootKernel({ plugins: [echo], tenants: ['acme', 'globex'], corsOrigins: [APP, OTHER] });
    wildcard = await bootKernel({ plugins: [echo], corsOrigins: ['*'] });
    none = await bootKernel({ plugins: [echo] });
  }, 30_000);
  afterAll(async () => {
    await listed?.close();
    await wildcard?.close();
    await none?.close();
  });

  it('answers a preflight from an allowed origin without authentication: 204 with methods, headers, credentials, Vary', async () => {
    const res = await preflight(listed, APP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('idempotency-key'));
    expect(res.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('authorization'));
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toMatch(/Origin/);
    // Any path, kernel routes included (the console's login from another origin).
    expect((await preflight(listed, OTHER, '/api/v1/auth/login')).headers.get('access-control-allow-origin')).toBe(OTHER);
  });

  it('gives an origin it does not list nothing to go on', async () => {
    const res = await preflight(listed, EVIL);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
    const actual = await listed.request('GET', '/api/v1/echo', { headers: { origin: EVIL } });
    expect(actual.status).toBe(200);
    expect(actual.headers.get('access-control-allow-origin')).toBeNull();
    expect(actual.headers.get('vary')).toMatch(/Origin/);
  });

  it('marks the actual requests, answers and problems alike, so the page can read them', async () => {
    const ok = await listed.request('POST', '/api/v1/echo', { body: { a: 1 }, headers: { origin: APP } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/);
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    const unauthenticated = await listed.request('GET', '/api/v1/echo', { token: null, headers: { origin: APP } });
    expectProblem(unauthenticated, 401, 'VV_UNAUTHENTICATED');
    expect(unauthenticated.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('with "*": any origin, never with credentials', async () => {
    const res = await preflight(wildcard, EVIL);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const actual = await wildcard.request('GET', '/api/v1/echo', { headers: { origin: EVIL } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('*');
    expect(actual.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('a tenant narrows the list: other origins are refused 403 before the route runs, same-origin requests are not', async () => {
    const narrowed = await listed.request('PATCH', '/api/v1/admin/tenants/globex', { role: 'platform-admin', tenant: 'globex', body: { settings: { corsOrigins: [APP] } } });
    expect(narrowed.status).toBe(200);
    listed.kernel.invalidateTenant('globex');
    const fromApp = await listed.request('POST', '/api/v1/echo', { tenant: 'globex', role: 'member', body: { n: 1 }, headers: { origin: APP } });
    expect(fromApp.status).toBe(200);
    const fromOther = await listed.request('POST', '/api/v1/echo', { tenant: 'globex', role: 'member', body: { n: 2 }, headers: { origin: OTHER } });
    expect(expectProblem(fromOther, 403, 'VV_FORBIDDEN').detail).toMatch(/Origin https:\/\/other\.acme\.test is not allowed for this tenant/);
    expect(fromOther.headers.get('access-control-allow-origin')).toBeNull();
    // acme did not narrow: OTHER still works there.
    expect((await listed.request('GET', '/api/v1/echo', { tenant: 'acme', headers: { origin: OTHER } })).status).toBe(200);
    // The console served by the host itself sends its own origin on writes.
    expect((await listed.request('POST', '/api/v1/echo', { tenant: 'globex', role: 'member', body: {}, headers: { origin: listed.url } })).status).toBe(200);
  });

  it('refuses a tenant setting that would widen the deployment list', async () => {
    const res = await listed.request('PATCH', '/api/v1/admin/tenants/acme', { role: 'platform-admin', body: { settings: { corsOrigins: [APP, EVIL] } } });
    expect(expectProblem(res, 400, 'VV_VALIDATION').errors).toEqual([{ pointer: '/settings/corsOrigins/1', message: expect.stringMatching(/a tenant can only narrow/) }]);
  });

  it('without VV_CORS_ORIGINS: no CORS headers at all (a preflight is just an unauthenticated request)', async () => {
    const res = await preflight(none, APP);
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toBeNull();
  });
});
