import { PassThrough } from 'node:stream';
import { createKernelLogger, type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { VvError } from '@valueverse/plugin-sdk';
import { bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';
import { describeWithPostgres, TEST_POSTGRES_URL } from '../support/services';

// issue #10, finding 8, as the review ran it: a host on PostgreSQL, over real HTTP. NUL bytes and lone surrogates,
// crafted cursors, an audit date in year 0000, settings nested 5,000 deep and a body over 1 MB each answered 500 (or
// 400 "request entity too large"), with the statement and row values in the log.
describeWithPostgres('hostile input at the edge of a host on PostgreSQL', () => {
  let host: SuiteHost;
  let token: string;

  const call = async (method: string, path: string, body?: string | object, headers: Record<string, string> = {}) => {
    const res = await fetch(`${host.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text.startsWith('{') ? JSON.parse(text) : text } as { status: number; type: string; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- problem bodies
  };
  const expect400 = (res: { status: number; type: string; body: { code?: string } }) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'VV_VALIDATION' });
    expect(res.type).toMatch(/^application\/problem\+json/);
  };
  const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

  beforeAll(async () => {
    host = await bootSuiteHost('vv_edge', { VV_CORS_ORIGINS: 'https://app.acme.test' });
    expect(host.onPostgres).toBe(true);
    token = await signIn(host.url);
  }, 90_000);
  afterAll(() => host?.dispose(), 30_000);

  it('NUL and lone surrogates: login email, model name, note, `q`, ids and audit filters all answer 400 VV_VALIDATION', async () => {
    const login = await fetch(`${host.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin\u0000@example.com', password: 'x'.repeat(12) }),
    });
    expect(login.status).toBe(400);
    expect(((await login.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('/email');
    expect400(await call('POST', '/api/v1/value-models', { name: 'Acme\u0000rollout' }));
    expect400(await call('POST', '/api/v1/value-models', '{"name":"Acme \\udc00 rollout"}'));
    // A measurement's note: refused at the edge (the only error named), before the route reads the body.
    const note = await call('POST', '/api/v1/realization/measurements', { commitmentId: 'c-1', metric: 'hours_saved', value: 1, measuredAt: '2026-01-01', note: 'seen\u0000' });
    expect400(note);
    expect(note.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/note']);
    expect400(await call('GET', '/api/v1/value-models?q=%00'));
    expect400(await call('GET', '/api/v1/value-models/abc%00def'));
    expect400(await call('GET', '/api/v1/realization/measurements/%00'));
    expect400(await call('GET', '/api/v1/admin/audit?actor=%00'));
    expect400(await call('GET', '/api/v1/admin/audit?action=plugin.%00'));
    // Nothing was created on the way.
    const models = await call('GET', '/api/v1/value-models');
    expect(models.status).toBe(200);
    expect(models.body.items.filter((m: { name: string }) => m.name.startsWith('Acme'))).toEqual([]);
  });

  it('crafted cursors on every cursor-paged list, and an audit date in year 0000: 400', async () => {
    const now = new Date().toISOString();
    const notADate = cursor(['not-a-date', 'x']);
    const year275760 = cursor(['+275760-09-13T00:00:00.000Z', '0b6f3a5e-9a51-4c1e-8f4b-3c2d1e0f9a8b']);
    const nonUuid = cursor([now, 'not-a-uuid']);
    const threeElements = cursor([now, 'a', 'b']);
    for (const list of ['/api/v1/value-models', '/api/v1/commitments', '/api/v1/realization/measurements']) {
      for (const c of [notADate, year275760, threeElements]) expect400(await call('GET', `${list}?cursor=${c}`));
    }
    // Measurement ids are uuid columns; model and commitment ids are text, where any id string is a fair position.
    expect400(await call('GET', `/api/v1/realization/measurements?cursor=${nonUuid}`));
    expect((await call('GET', `/api/v1/value-models?cursor=${nonUuid}`)).status).toBe(200);
    // A model's versions page by version number, an integer column.
    const library = await call('GET', '/api/v1/value-models/library?industry=software');
    const drivers = library.body.industries[0].drivers.slice(0, 2).map((d: { key: string }) => d.key);
    const model = await call('POST', '/api/v1/value-models', { name: 'Cursor target', fromLibrary: { industry: 'software', drivers } });
    expect(model.status).toBe(201);
    for (const c of [cursor([1e308]), cursor([1.5]), cursor(['1'])]) expect400(await call('GET', `/api/v1/value-models/${model.body.id}/versions?cursor=${c}`));
    expect((await call('GET', `/api/v1/value-models/${model.body.id}/versions?cursor=${cursor([5])}`)).status).toBe(200);
    expect400(await call('GET', '/api/v1/admin/audit?to=0000-01-01T00:00:00Z'));
    expect400(await call('GET', '/api/v1/admin/audit?from=0000-12-31T23:59:59Z'));
    expect((await call('GET', '/api/v1/admin/audit?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z')).status).toBe(200);
  });

  it('tenant settings nested 5,000 deep: 400, and the tenant keeps its settings', async () => {
    const before = await call('GET', '/api/v1/admin/tenants/demo');
    expect(before.status).toBe(200);
    const res = await call('PATCH', '/api/v1/admin/tenants/demo', `{"settings":${'{"a":'.repeat(4999)}{}${'}'.repeat(4999)}}`);
    expect400(res);
    expect(res.body.errors[0].message).toMatch(/deeper than 64 levels/);
    expect((await call('GET', '/api/v1/admin/tenants/demo')).body.settings).toEqual(before.body.settings);
  });

  it('a body over 1 MB: 413 VV_PAYLOAD_TOO_LARGE naming the limit', async () => {
    const res = await call('POST', '/api/v1/value-models', { name: 'big', description: 'x'.repeat(1_100_000) });
    expect({ status: res.status, code: res.body.code, detail: res.body.detail }).toEqual({ status: 413, code: 'VV_PAYLOAD_TOO_LARGE', detail: 'Request body exceeds 1 MB' });
    expect(res.type).toMatch(/^application\/problem\+json/);
  });

  it('VV_CORS_ORIGINS: a browser preflight is answered without authentication, the sign-in is readable cross-origin', async () => {
    const origin = 'https://app.acme.test';
    const preflight = await fetch(`${host.url}/api/v1/value-models`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const login = await fetch(`${host.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: 'wrong password here' }),
    });
    expect(login.status).toBe(401);
    expect(login.headers.get('access-control-allow-origin')).toBe(origin);
    const stranger = await fetch(`${host.url}/api/v1/value-models`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a NUL that reaches the PostgreSQL server anyway: its error is logged without the statement or the values', async () => {
    const db: Database = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    try {
      const secret = 'ann.secret@acme.test';
      const error = (await db.orm.em
        .fork()
        .getConnection()
        .execute('select ?::text as email, ?::text as note', [secret, 'a\u0000b'])
        .then(
          () => undefined,
          (e: unknown) => e,
        )) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toContain(secret);
      const out = new PassThrough();
      let text = '';
      out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      const logger = createKernelLogger({ level: 'info', destination: out });
      logger.error({ err: new VvError('VV_INTERNAL', { params: { requestId: 'r-1' }, cause: error }) }, 'request failed');
      logger.error({ err: error }, 'query failed');
      logger.flush();
      await new Promise((resolve) => setImmediate(resolve));
      // The server refuses the NUL (08P01 through a bind parameter, 22021 inside the statement text); the log keeps
      // its code and message, and neither the statement nor the values knex wrote into the message.
      expect(text).toMatch(/"code":"(08P01|22021)"/);
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/select /i);
    } finally {
      await db.close();
    }
  });
});
