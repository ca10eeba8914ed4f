import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { isVvError, type VvError } from '@valueverse/plugin-sdk';
import { AddressPolicy } from './address-policy';
import { PinnedHttpClient, type HostResolver } from './pinned-http-client';
import { parsePrivateAllowance } from './private-allowance';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly host: string | undefined;
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, host: req.headers.host, body: Buffer.concat(chunks).toString(), headers: req.headers });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

async function refusal(promise: Promise<unknown>): Promise<VvError> {
  try {
    await promise;
  } catch (error) {
    if (isVvError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

describe('PinnedHttpClient', () => {
  let target: Awaited<ReturnType<typeof listen>>;
  let answer: (req: IncomingMessage, res: ServerResponse) => void;
  const lookups: string[] = [];
  let table: Record<string, string[]>;
  const resolver: HostResolver = async (name) => {
    lookups.push(name);
    return (table[name] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const client = (allow = '127.0.0.1/32') => new PinnedHttpClient(new AddressPolicy(parsePrivateAllowance(allow).allowance), resolver);
  const get = (c: PinnedHttpClient, url: string, init: Partial<{ method: string; headers: Headers; body: Buffer; signal: AbortSignal }> = {}) =>
    c.send({ url: new URL(url), method: init.method ?? 'GET', headers: init.headers ?? new Headers(), body: init.body, signal: init.signal });

  beforeAll(async () => {
    target = await listen((req, res) => answer(req, res));
  });
  beforeEach(() => {
    answer = (_req, res) => res.end('hello');
    target.seen.length = 0;
    lookups.length = 0;
    table = {};
  });
  afterAll(async () => {
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  });

  it('refuses a host name that resolves to a private address before connecting (injected resolver)', async () => {
    table = { 'api.example.test': ['10.0.0.8'] };
    const error = await refusal(get(client(), `http://api.example.test:${target.port}/v1`));
    expect(error.code).toBe('VV_OUTBOUND_REFUSED');
    expect(error.status).toBe(422);
    expect(error.message).toBe(
      `Outbound call to http://api.example.test:${target.port} refused: api.example.test resolves to 10.0.0.8, which is a private address, which this deployment does not allow (VV_OUTBOUND_ALLOW_PRIVATE)`,
    );
  });

  it('refuses a name with any refused address among its answers (metadata beside a public one)', async () => {
    table = { 'mixed.example.test': ['93.184.216.34', '169.254.169.254'] };
    const error = await refusal(get(client(), 'http://mixed.example.test/'));
    expect(error.message).toContain('resolves to 169.254.169.254, which is a metadata address');
  });

  it('refuses a loopback name unless the operator allows loopback', async () => {
    table = { 'local.example.test': ['127.0.0.1'] };
    await expect(get(client('false'), `http://local.example.test:${target.port}/`)).rejects.toMatchObject({ code: 'VV_OUTBOUND_REFUSED' });
    expect(target.seen).toEqual([]);
  });

  it('connects to the address it checked, resolving once, while speaking to the host by name', async () => {
    // The system resolver knows no "api.example.test": the call can only reach the server through the pinned address.
    table = { 'api.example.test': ['127.0.0.1'] };
    const res = await get(client(), `http://api.example.test:${target.port}/v1/models?x=1`, { headers: new Headers({ 'x-probe': 'yes', host: 'internal.admin' }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello');
    expect(lookups).toEqual(['api.example.test']);
    expect(target.seen).toEqual([expect.objectContaining({ method: 'GET', url: '/v1/models?x=1', host: `api.example.test:${target.port}` })]);
    expect(target.seen[0]!.headers['x-probe']).toBe('yes');
  });

  it('has no rebinding gap: an answer that changes after the check is never asked for again', async () => {
    // A rebinding resolver answers a public address first, then the metadata address. The client asks once per
    // call and connects to that answer, so the second answer is never used for the checked call.
    let calls = 0;
    const rebinding: HostResolver = async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '169.254.169.254', family: 4 }]);
    const c = new PinnedHttpClient(new AddressPolicy(parsePrivateAllowance('127.0.0.1/32').allowance), rebinding);
    expect((await get(c, `http://rebind.example.test:${target.port}/`)).status).toBe(200);
    expect(calls).toBe(1);
    await expect(get(c, `http://rebind.example.test:${target.port}/`)).rejects.toMatchObject({ code: 'VV_OUTBOUND_REFUSED' });
    expect(target.seen).toHaveLength(1);
  });

  it('tries the next checked address when one cannot be reached (IPv6 answer, server on IPv4 only)', async () => {
    table = { 'dual.example.test': ['::1', '127.0.0.1'] };
    const res = await get(client('true'), `http://dual.example.test:${target.port}/dual`);
    expect(res.status).toBe(200);
    expect(target.seen.map((s) => s.url)).toEqual(['/dual']);
  });

  it('checks IP literals without resolving them', async () => {
    await expect(get(client(), 'http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({
      code: 'VV_OUTBOUND_REFUSED',
      message: expect.stringContaining('169.254.169.254 is a metadata address'),
    });
    await expect(get(client(), 'http://[fe80::1]/')).rejects.toMatchObject({ code: 'VV_OUTBOUND_REFUSED' });
    await expect(get(client(), 'http://0.0.0.0:1/')).rejects.toMatchObject({ code: 'VV_OUTBOUND_REFUSED', message: expect.stringContaining('unspecified') });
    expect(lookups).toEqual([]);
  });

  it('refuses other schemes and credentials in the URL', async () => {
    await expect(get(client(), 'ftp://127.0.0.1/')).rejects.toMatchObject({ code: 'VV_OUTBOUND_REFUSED' });
    await expect(get(client(), `http://user:pw@127.0.0.1:${target.port}/`)).rejects.toMatchObject({ code: 'VV_OUTBOUND_REFUSED', message: expect.stringContaining('credentials') });
    expect(target.seen).toEqual([]);
  });

  it('does not follow redirects: the 3xx comes back as it is', async () => {
    answer = (_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    };
    const res = await get(client(), `http://127.0.0.1:${target.port}/go`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://169.254.169.254/latest/meta-data/');
    expect(target.seen).toHaveLength(1);
  });

  it('sends the body, and decodes a gzip answer as fetch would', async () => {
    answer = (_req, res) => {
      res.writeHead(201, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
      res.end(gzipSync(JSON.stringify({ ok: true })));
    };
    const res = await get(client(), `http://127.0.0.1:${target.port}/v1/chat`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json' }),
      body: Buffer.from('{"a":1}'),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(target.seen[0]).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(target.seen[0]!.headers['content-length']).toBe('7');
  });

  it('aborts with an AbortError of this realm when the signal fires', async () => {
    answer = () => undefined; // never answers
    const controller = new AbortController();
    const pending = get(client(), `http://127.0.0.1:${target.port}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
  });

  it('reports a name that does not resolve as a network error (ENOTFOUND)', async () => {
    await expect(get(client(), 'http://nowhere.example.test/')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
