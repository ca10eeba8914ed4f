import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from './registry-client';

// The client against a small real HTTP server that answers what a broken or hostile registry might.
describe('RegistryClient', () => {
  let server: Server;
  let base: string;
  const body = Buffer.from('package bytes');
  const integrity = `sha512-${createHash('sha512').update(body).digest('base64')}`;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/r/packages/good/versions/1.0.0/download') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-package-integrity': integrity }).end(body);
      } else if (url === '/r/packages/tampered/versions/1.0.0/download') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-package-integrity': integrity }).end(Buffer.from('package bytez'));
      } else if (url === '/r/packages/bare/versions/1.0.0/download') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
      } else if (url === '/r/packages/gone') {
        res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ code: 'VV_PACKAGE_UNKNOWN', detail: 'No package "gone" in this registry' }));
      } else if (url.startsWith('/r/packages?')) {
        const params = new URL(url, 'http://x').searchParams;
        const page = params.get('cursor') === null ? { items: [{ id: 'a' }], nextCursor: 'c1' } : { items: [{ id: 'b' }], nextCursor: null };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...page, q: params.get('q') }));
      } else {
        res.writeHead(500).end('boom');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('returns a download whose SHA-512 matches the stated integrity', async () => {
    expect(await new RegistryClient({ baseUrl: `${base}/` }).download('good', '1.0.0')).toEqual(body);
  });

  it('refuses a download that does not match its integrity, or states none', async () => {
    const client = new RegistryClient({ baseUrl: base });
    await expect(client.download('tampered', '1.0.0')).rejects.toMatchObject({ code: 'VV_UPSTREAM_FAILED' });
    await expect(client.download('bare', '1.0.0')).rejects.toMatchObject({ code: 'VV_UPSTREAM_FAILED' });
  });

  it("passes the registry's catalogued problems on, and reports a failing or unreachable registry", async () => {
    const client = new RegistryClient({ baseUrl: base });
    await expect(client.getPackage('gone')).rejects.toMatchObject({ code: 'VV_PACKAGE_UNKNOWN', message: 'No package "gone" in this registry' });
    await expect(client.getPackage('broken')).rejects.toMatchObject({ code: 'VV_DEPENDENCY_UNAVAILABLE' });
    await expect(new RegistryClient({ baseUrl: 'http://127.0.0.1:1/r' }).getPackage('any')).rejects.toMatchObject({ code: 'VV_DEPENDENCY_UNAVAILABLE' });
    await expect(client.getPackage('../admin')).rejects.toMatchObject({ code: 'VV_PACKAGE_UNKNOWN' });
    expect(() => new RegistryClient({ baseUrl: 'ftp://registry' })).toThrow(expect.objectContaining({ code: 'VV_CONFIG_INVALID' }));
  });

  it('follows catalog cursors', async () => {
    const entries = await new RegistryClient({ baseUrl: base }).catalog('crm');
    expect(entries.map((e) => e.id)).toEqual(['a', 'b']);
  });
});
