import { coreServices, definePlugin, respond } from '@valueverse/plugin-sdk';
import { bootKernel, type BootedKernel } from '../__fixtures__/boot-kernel';
import { expectProblem, manifest } from '../__fixtures__/kernel-test-support';
import { bodyParserError } from './problem-response';

const echo = {
  manifest: manifest('echo', { routes: ['/echo'] }),
  plugin: definePlugin({
    deps: { http: coreServices.http },
    setup({ http }) {
      http.route({ method: 'POST', path: '/echo', handler: (req) => respond(200, { size: JSON.stringify(req.body).length }) });
    },
  }),
};

describe('bodyParserError', () => {
  it('maps the parser refusals: 413 → VV_PAYLOAD_TOO_LARGE with the limit, anything else → 400', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true, type: 'entity.too.large' });
    expect(bodyParserError(tooLarge, '1mb')).toMatchObject({ code: 'VV_PAYLOAD_TOO_LARGE', status: 413, message: 'Request body exceeds 1 MB' });
    expect(bodyParserError(tooLarge, '512kb').message).toBe('Request body exceeds 512 KB');
    const invalid = Object.assign(new SyntaxError('Unexpected token } in JSON'), { status: 400, expose: true });
    expect(bodyParserError(invalid, '1mb')).toMatchObject({ code: 'VV_VALIDATION', status: 400, message: 'Request body is not valid JSON: Unexpected token } in JSON' });
  });
});

// issue #10, finding 8: a body over the limit answered 400 "Request body is not valid JSON: request entity too large".
describe('a body over the limit answers 413 VV_PAYLOAD_TOO_LARGE, over HTTP', () => {
  let standard: BootedKernel;
  let small: BootedKernel;

  beforeAll(async () => {
    standard = await bootKernel({ plugins: [echo] });
    small = await bootKernel({ plugins: [echo], bodyLimit: '10kb' });
  }, 30_000);
  afterAll(async () => {
    await standard?.close();
    await small?.close();
  });

  it('JSON over 1 MB on a plugin route and on a kernel route, before authentication', async () => {
    const big = { text: 'x'.repeat(1_100_000) };
    const plugin = expectProblem(await standard.request('POST', '/api/v1/echo', { body: big }), 413, 'VV_PAYLOAD_TOO_LARGE');
    expect(plugin.detail).toBe('Request body exceeds 1 MB');
    expectProblem(await standard.request('POST', '/api/v1/auth/login', { body: { email: 'a@b.test', password: 'x'.repeat(1_100_000) }, token: null }), 413, 'VV_PAYLOAD_TOO_LARGE');
    expect((await standard.request('POST', '/api/v1/echo', { body: { text: 'x'.repeat(900_000) } })).status).toBe(200);
  });

  it('a CSV body over the limit too, and the configured limit is the one named', async () => {
    const csv = await standard.request('POST', '/api/v1/echo', { body: 'a,b\n'.repeat(300_000), headers: { 'content-type': 'text/csv' } });
    expectProblem(csv, 413, 'VV_PAYLOAD_TOO_LARGE');
    const res = await small.request('POST', '/api/v1/echo', { body: { text: 'x'.repeat(11_000) } });
    expect(expectProblem(res, 413, 'VV_PAYLOAD_TOO_LARGE').detail).toBe('Request body exceeds 10 KB');
    // Invalid JSON stays a 400.
    expect(expectProblem(await small.request('POST', '/api/v1/echo', { body: '{"text":' }), 400, 'VV_VALIDATION').detail).toMatch(/not valid JSON/);
  });
});
