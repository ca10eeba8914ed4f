import { coreServices, definePlugin, respond, type VvError } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem, manifest } from '../__fixtures__/kernel-test-support';
import { guardRequestInput, isUnstorable, MAX_JSON_DEPTH } from './input-guard';

/** `{a:{a:{…}}}` nested `depth` objects deep. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe('guardRequestInput (unit)', () => {
  const ctx = (over: { path?: string; query?: Record<string, unknown>; headers?: Record<string, string>; body?: unknown } = {}) => ({
    path: over.path ?? '/api/v1/things',
    querystring: over.query ? 'x' : '',
    query: (over.query ?? {}) as never,
    get: (name: string) => over.headers?.[name] ?? '',
    request: { body: over.body },
  });
  const problemOf = (c: ReturnType<typeof ctx>) => {
    try {
      guardRequestInput(c as never);
      return undefined;
    } catch (error) {
      return { code: (error as VvError).code, errors: (error as VvError).errors };
    }
  };

  it('tells NUL and lone surrogates from everything else, surrogate pairs included', () => {
    expect(isUnstorable('a\u0000b')).toBe(true);
    expect(isUnstorable('\ud800')).toBe(true);
    expect(isUnstorable('x\udc00y')).toBe(true);
    expect(isUnstorable('\udc00\ud800')).toBe(true);
    expect(isUnstorable('emoji 😀, Zürich, 東京, \u0001\t\n')).toBe(false);
  });

  it('names the first offending field of the body, the query, the path or an id header', () => {
    expect(problemOf(ctx({ body: { items: [{ ok: 'x' }, { note: 'a\u0000' }] } }))).toEqual({
      code: 'VV_VALIDATION',
      errors: [{ pointer: '/items/1/note', in: 'body', message: expect.stringMatching(/NUL/) }],
    });
    expect(problemOf(ctx({ body: { ['k\ud800']: 1 } }))?.errors[0]).toMatchObject({ pointer: '/', in: 'body' });
    expect(problemOf(ctx({ body: 'csv,\u0000' }))?.errors[0]).toMatchObject({ pointer: '', in: 'body' });
    expect(problemOf(ctx({ query: { q: 'a\u0000', limit: '1' } }))?.errors[0]).toMatchObject({ pointer: '/q', in: 'query' });
    expect(problemOf(ctx({ query: { tag: ['ok', '\ud800'] } }))?.errors[0]).toMatchObject({ pointer: '/tag', in: 'query' });
    expect(problemOf(ctx({ path: '/api/v1/things/ab%00cd' }))?.errors[0]).toMatchObject({ in: 'params' });
    expect(problemOf(ctx({ headers: { 'idempotency-key': 'k\u0000' } }))?.errors[0]).toMatchObject({ pointer: '/idempotency-key', in: 'headers' });
    expect(problemOf(ctx({ body: { name: 'fine 😀', list: [1, null, true, { deep: ['ok'] }] }, query: { q: 'ok' }, path: '/api/v1/things/a%20b' }))).toBeUndefined();
    // A malformed escape is the router's to report, not this guard's.
    expect(problemOf(ctx({ path: '/api/v1/things/%E0%A4%A' }))).toBeUndefined();
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels without recursing into it`, () => {
    expect(problemOf(ctx({ body: nested(MAX_JSON_DEPTH) }))).toBeUndefined();
    const tooDeep = problemOf(ctx({ body: nested(MAX_JSON_DEPTH + 1) }));
    expect(tooDeep?.errors[0]).toMatchObject({ in: 'body', message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
    expect(tooDeep?.errors[0]?.pointer).toBe(`/${Array.from({ length: MAX_JSON_DEPTH }, () => 'a').join('/')}`);
    // Arrays count as levels too; 100,000 deep would overflow a naive recursive walk.
    let array: unknown = [];
    for (let i = 0; i < 100_000; i++) array = [array];
    expect(problemOf(ctx({ body: { list: array } }))?.errors[0]).toMatchObject({ in: 'body', message: expect.stringMatching(/deeper/) });
  });
});

// Over real HTTP: the kernel refuses these before any route (kernel routes and plugin routes alike) runs.
describe('NUL, lone surrogates and deep nesting are refused at the edge (issue #10, finding 8)', () => {
  let k: TestKernel;
  const seen: unknown[] = [];

  beforeAll(async () => {
    const plugin = definePlugin({
      deps: { http: coreServices.http },
      setup({ http }) {
        http.route({ method: 'POST', path: '/notes', handler: (req) => (seen.push(req.body), respond(201, req.body)) });
        http.route({ method: 'GET', path: '/notes', handler: (req) => (seen.push(req.query), { items: [] }) });
        http.route({ method: 'GET', path: '/notes/:id', handler: (req) => (seen.push(req.params), { id: req.params.id }) });
      },
    });
    k = await createTestKernel({ plugins: [{ manifest: manifest('notes', { routes: ['/notes'] }), plugin }] });
  }, 30_000);
  afterAll(() => k?.close());
  beforeEach(() => {
    seen.length = 0;
  });

  it('a plugin body with NUL or a lone surrogate: 400 VV_VALIDATION naming the field, the handler never runs', async () => {
    const nul = await k.request('POST', '/api/v1/notes', { body: { note: 'hello\u0000world' } });
    expect(expectProblem(nul, 400, 'VV_VALIDATION').errors).toEqual([{ pointer: '/note', in: 'body', message: expect.any(String) }]);
    // JSON.stringify would escape a lone surrogate as \ud800 too; the raw text is what a hostile client sends.
    const lone = await k.request('POST', '/api/v1/notes', { body: '{"note":"x\\ud800y"}' });
    expect(expectProblem(lone, 400, 'VV_VALIDATION').errors[0]).toMatchObject({ pointer: '/note', in: 'body' });
    expect(seen).toEqual([]);
    const fine = await k.request('POST', '/api/v1/notes', { body: { note: 'pair 😀 and \\u0000 as text' } });
    expect(fine.status).toBe(201);
    expect(fine.body).toEqual({ note: 'pair 😀 and \\u0000 as text' });
  });

  it('in the query (`q`) and in a path id', async () => {
    expect(expectProblem(await k.request('GET', '/api/v1/notes?q=a%00b'), 400, 'VV_VALIDATION').errors[0]).toMatchObject({ pointer: '/q', in: 'query' });
    expect(expectProblem(await k.request('GET', '/api/v1/notes/abc%00'), 400, 'VV_VALIDATION').errors[0]).toMatchObject({ in: 'params' });
    expect(seen).toEqual([]);
    expect((await k.request('GET', '/api/v1/notes?q=ok')).status).toBe(200);
  });

  it('on kernel routes: the login email, audit filters, and before authentication', async () => {
    const login = await k.request('POST', '/api/v1/auth/login', { body: { email: 'ann\u0000@acme.test', password: 'whatever-password' }, token: null });
    expect(expectProblem(login, 400, 'VV_VALIDATION').errors[0]).toMatchObject({ pointer: '/email', in: 'body' });
    const audit = await k.request('GET', '/api/v1/admin/audit?actor=%00', { role: 'platform-admin' });
    expect(expectProblem(audit, 400, 'VV_VALIDATION').errors[0]).toMatchObject({ pointer: '/actor', in: 'query' });
    const anonymous = await k.request('GET', '/api/v1/notes?q=%00', { token: null });
    expectProblem(anonymous, 400, 'VV_VALIDATION');
  });

  it('tenant settings nested 5,000 deep: 400, the tenant unchanged; 50 deep is accepted', async () => {
    // Written out by hand: JSON.stringify of 5,000 levels overflows jest's stack before the request is sent.
    const body = `{"settings":${'{"a":'.repeat(4999)}{}${'}'.repeat(4999)}}`;
    const deep = await k.request('PATCH', '/api/v1/admin/tenants/acme', { role: 'platform-admin', body });
    expect(expectProblem(deep, 400, 'VV_VALIDATION').errors[0]).toMatchObject({ in: 'body', message: expect.stringMatching(/deeper than/) });
    const shallow = await k.request('PATCH', '/api/v1/admin/tenants/acme', { role: 'platform-admin', body: { settings: { ui: nested(50) } } });
    expect(shallow.status).toBe(200);
    const tenant = await k.request('GET', '/api/v1/admin/tenants/acme', { role: 'platform-admin' });
    expect(tenant.body.settings).toEqual({ ui: nested(50) });
  });

  it('audit `from`/`to` in year 0000 (which PostgreSQL does not have): 400 naming the parameter', async () => {
    const res = await k.request('GET', '/api/v1/admin/audit?to=0000-01-01T00:00:00Z', { role: 'platform-admin' });
    expect(expectProblem(res, 400, 'VV_VALIDATION').errors[0]).toMatchObject({ pointer: '/to', in: 'query' });
    expect((await k.request('GET', '/api/v1/admin/audit?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z', { role: 'platform-admin' })).status).toBe(200);
  });
});
