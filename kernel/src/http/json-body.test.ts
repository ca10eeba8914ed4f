import { connect } from 'node:net';
import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem, manifest } from '../__fixtures__/kernel-test-support';

/**
 * The front of the pipeline reads the common JSON body (`application/json`, a Content-Length, no encoding) itself,
 * and leaves every other body to the general parser (@koa/bodyparser). Both must answer alike: the same value, the
 * same refusals with the same details. `application/vnd.api+json` is a JSON type only the general parser reads, so
 * each case is sent both ways and the answers compared.
 */
describe('JSON request bodies: the direct read answers as the general parser', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({
      tenants: ['acme'],
      plugins: [
        {
          manifest: manifest('echo', { routes: ['/echo'] }),
          plugin: definePlugin({
            deps: { http: coreServices.http },
            setup({ http }) {
              http.route({ method: 'POST', path: '/echo', handler: (req) => ({ body: req.body }) });
              http.route({ method: 'PUT', path: '/echo', handler: (req) => ({ body: req.body }) });
            },
          }),
        },
      ],
    });
  });
  afterAll(() => k.close());

  const both = async (body: string, method: 'POST' | 'PUT' = 'POST', type = 'application/json') => {
    const direct = await k.request(method, '/api/v1/echo', { role: 'member', body, headers: { 'content-type': type } });
    const general = await k.request(method, '/api/v1/echo', { role: 'member', body, headers: { 'content-type': 'application/vnd.api+json' } });
    const view = (res: typeof direct) => ({ status: res.status, body: res.status === 200 ? res.body : { code: res.body.code, detail: res.body.detail } });
    expect(view(direct)).toEqual(view(general));
    return direct;
  };

  it('reads an object, an array, unicode and a charset parameter', async () => {
    expect((await both('{"a":1,"b":[true,null,"x"],"c":{"d":"ünïcödé ✓"}}')).body).toEqual({ body: { a: 1, b: [true, null, 'x'], c: { d: 'ünïcödé ✓' } } });
    expect((await both('[1,2,3]', 'PUT')).body).toEqual({ body: [1, 2, 3] });
    expect((await both('{"a":"b"}', 'POST', 'application/json; charset=utf-8')).body).toEqual({ body: { a: 'b' } });
    expect((await both('{"a":"b"}', 'POST', 'application/json;charset=UTF-8')).body).toEqual({ body: { a: 'b' } });
  });

  it('drops a byte-order mark, as the parser does', async () => {
    expect((await both('\uFEFF{"a":1}')).body).toEqual({ body: { a: 1 } });
  });

  it('reads a body that arrives in several chunks', async () => {
    const big = JSON.stringify({ items: Array.from({ length: 20_000 }, (_, i) => ({ i, name: `item ${i}` })) });
    const res = await both(big);
    expect((res.body as { body: { items: unknown[] } }).body.items).toHaveLength(20_000);
  });

  it('refuses what the parser refuses, with the same detail', async () => {
    for (const bad of ['{"title": ', '42', '"text"', 'null', '   ', '{"a":1}}']) {
      const body = expectProblem(await both(bad), 400, 'VV_VALIDATION');
      expect(body.detail).toMatch(/^Request body is not valid JSON: /);
    }
    // Prototype poisoning, spelled plainly or escaped.
    for (const poisoned of ['{"__proto__":{"admin":true}}', '{"a":{"\\u005f_proto__":{"admin":true}}}', '{"_\\u005Fproto__" :1}']) {
      expect(expectProblem(await both(poisoned), 400, 'VV_VALIDATION').detail).toBe('Request body is not valid JSON: Object contains forbidden prototype property');
    }
    // Underscores that spell nothing are fine.
    expect((await both('{"__proto":1,"_a_":"__proto__"}')).body).toEqual({ body: { __proto: 1, _a_: '__proto__' } });
  });

  it('answers 400 for a body shorter than its Content-Length once the client gives up', async () => {
    const token = await k.token('acme', 'member');
    const port = Number(new URL(k.url).port);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"a":1}`);
        // Half-close: the request is cut short, the connection still reads the answer.
        socket.end();
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    // Node's parser ends the request as incomplete: either a 400 problem or no answer, never a 2xx with a partial body.
    expect(answer).not.toMatch(/^HTTP\/1\.1 2/);
  });
});
