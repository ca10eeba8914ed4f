import { coreServices, definePlugin, respond, VvError } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem, manifest } from './__fixtures__/kernel-test-support';
import { PluginRouter } from './http/plugin-router';
import { SchemaValidator } from './http/schema-validator';

// A ledger whose entries must not be duplicated by client retries: the kernel's Idempotency-Key handling, over HTTP.
describe('Idempotency-Key on routes that declare idempotency', () => {
  let k: TestKernel;
  let entries: { tenant: string; amount: number }[] = [];
  let failNext = false;
  let release: (() => void) | undefined;
  const key = (() => {
    let n = 0;
    return () => `key-${Date.now()}-${(n += 1)}`;
  })();

  beforeAll(async () => {
    const plugin = definePlugin({
      deps: { http: coreServices.http },
      setup({ http }) {
        const schema = { body: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' }, memo: { type: 'string' } }, additionalProperties: false } };
        const record = (tenant: string, amount: number) => {
          entries.push({ tenant, amount });
          const id = String(entries.length);
          return respond(201, { id, amount }, { Location: `/api/v1/ledger/entries/${id}`, 'X-Ledger-Size': String(entries.length) });
        };
        http.route<{ amount: number }>({
          method: 'POST',
          path: '/ledger/entries',
          idempotency: 'optional',
          schema,
          handler: async (req) => {
            if (failNext) {
              failNext = false;
              throw new VvError('VV_CONFLICT', { params: { reason: 'ledger closed' } });
            }
            return record(req.tenant.id, req.body.amount);
          },
        });
        http.route<{ amount: number }>({ method: 'POST', path: '/ledger/charges', idempotency: 'required', schema, handler: (req) => record(req.tenant.id, req.body.amount) });
        http.route<{ amount: number }>({
          method: 'POST',
          path: '/ledger/slow',
          idempotency: 'optional',
          schema,
          handler: async (req) => {
            await new Promise<void>((resolve) => (release = resolve));
            return record(req.tenant.id, req.body.amount);
          },
        });
        http.route({ method: 'POST', path: '/ledger/broken', idempotency: 'optional', handler: () => respond(502, { upstream: 'down' }) });
        http.route({ method: 'POST', path: '/ledger/void', idempotency: 'optional', handler: () => undefined });
      },
    });
    k = await createTestKernel({ plugins: [{ manifest: manifest('ledger', { routes: ['/ledger'] }), plugin }], tenants: ['acme', 'globex'] });
  });
  afterAll(() => k.close());
  beforeEach(() => {
    entries = [];
  });

  const post = (path: string, body: unknown, idempotencyKey?: string, as: { tenant?: string; role?: 'member' | 'tenant-admin' } = {}) =>
    k.request('POST', `/api/v1/ledger/${path}`, {
      body,
      tenant: as.tenant,
      role: as.role ?? 'member',
      headers: idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey },
    });

  it('runs every request that carries no key', async () => {
    expect((await post('entries', { amount: 5 })).status).toBe(201);
    expect((await post('entries', { amount: 5 })).status).toBe(201);
    expect(entries).toHaveLength(2);
  });

  it('runs a keyed request once: the retry gets the same status, body and Location, marked as replayed', async () => {
    const k1 = key();
    const first = await post('entries', { amount: 10, memo: 'setup fee' }, k1);
    const retry = await post('entries', { memo: 'setup fee', amount: 10 }, k1);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect({ status: retry.status, body: retry.body, location: retry.headers.get('location') }).toEqual({ status: 201, body: first.body, location: first.headers.get('location') });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    // Headers outside the replayed set are not repeated; the kernel's own are fresh.
    expect(retry.headers.get('x-ledger-size')).toBeNull();
    expect(retry.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(entries).toEqual([{ tenant: 'acme', amount: 10 }]);
  });

  it('refuses the same key on a different body or path with 422 VV_IDEMPOTENCY_KEY_REUSED, and runs nothing', async () => {
    const k1 = key();
    await post('entries', { amount: 10 }, k1);
    expectProblem(await post('entries', { amount: 11 }, k1), 422, 'VV_IDEMPOTENCY_KEY_REUSED');
    expectProblem(await post('charges', { amount: 10 }, k1), 422, 'VV_IDEMPOTENCY_KEY_REUSED');
    expect(entries).toHaveLength(1);
  });

  it('keeps keys per caller and per tenant: the same key elsewhere is a new request', async () => {
    const k1 = key();
    await post('entries', { amount: 1 }, k1);
    expect((await post('entries', { amount: 1 }, k1, { role: 'tenant-admin' })).headers.get('idempotent-replayed')).toBeNull();
    expect((await post('entries', { amount: 1 }, k1, { tenant: 'globex' })).headers.get('idempotent-replayed')).toBeNull();
    expect(entries.map((e) => e.tenant)).toEqual(['acme', 'acme', 'globex']);
  });

  it('answers 409 with Retry-After to a retry while the first request still runs, then replays its answer', async () => {
    const k1 = key();
    const first = post('slow', { amount: 7 }, k1);
    while (!release) await new Promise((resolve) => setTimeout(resolve, 5));
    const busy = await post('slow', { amount: 7 }, k1);
    expectProblem(busy, 409, 'VV_CONFLICT');
    expect(busy.headers.get('retry-after')).toBe('1');
    release();
    release = undefined;
    expect((await first).status).toBe(201);
    const retry = await post('slow', { amount: 7 }, k1);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(entries).toHaveLength(1);
  });

  it('keeps nothing when the request fails, so the client may retry with the same key', async () => {
    const k1 = key();
    failNext = true;
    expectProblem(await post('entries', { amount: 3 }, k1), 409, 'VV_CONFLICT');
    const retry = await post('entries', { amount: 3 }, k1);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(entries).toHaveLength(1);
  });

  it('keeps nothing for a 5xx answer, and replays a 204', async () => {
    const k1 = key();
    expect((await post('broken', {}, k1)).status).toBe(502);
    expect((await post('broken', {}, k1)).headers.get('idempotent-replayed')).toBeNull();
    const k2 = key();
    expect((await post('void', {}, k2)).status).toBe(204);
    const again = await post('void', {}, k2);
    expect({ status: again.status, replayed: again.headers.get('idempotent-replayed') }).toEqual({ status: 204, replayed: 'true' });
  });

  it('validates the body before taking the key: a bad request does not use it up', async () => {
    const k1 = key();
    expectProblem(await post('entries', { amount: 'ten' }, k1), 400, 'VV_VALIDATION');
    expect((await post('entries', { amount: 10 }, k1)).status).toBe(201);
  });

  it('refuses a request without the key on a route where it is required, and a malformed key, naming the header', async () => {
    const missing = expectProblem(await post('charges', { amount: 1 }), 400, 'VV_VALIDATION');
    expect(missing.errors).toEqual([expect.objectContaining({ pointer: '/idempotency-key', in: 'headers' })]);
    expect(missing.errors[0].message).toMatch(/required/);
    const tooLong = expectProblem(await post('charges', { amount: 1 }, 'x'.repeat(256)), 400, 'VV_VALIDATION');
    expect(tooLong.errors[0]).toMatchObject({ pointer: '/idempotency-key', in: 'headers' });
    expect(entries).toEqual([]);
    expect((await post('charges', { amount: 1 }, key())).status).toBe(201);
  });

  it('documents the header in /api/openapi.json: optional or required as the route declares', async () => {
    const doc = (await k.request('GET', '/api/openapi.json', { token: null })).body;
    const header = (path: string) => doc.paths[`/api/v1/ledger/${path}`].post.parameters.find((p: { in: string }) => p.in === 'header');
    expect(header('entries')).toMatchObject({ name: 'Idempotency-Key', required: false });
    expect(header('charges')).toMatchObject({ name: 'Idempotency-Key', required: true });
  });

  it('refuses idempotency on a GET route, or an unknown mode, when the route is registered', () => {
    const router = new PluginRouter(manifest('ledger', { routes: ['/ledger'] }) as never, new SchemaValidator());
    expect(() => router.route({ method: 'GET', path: '/ledger/entries', idempotency: 'optional', handler: () => [] })).toThrow(/idempotency/);
    expect(() => router.route({ method: 'POST', path: '/ledger/entries', idempotency: 'always' as never, handler: () => [] })).toThrow(/idempotency/);
  });
});
