import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachStaticUi } from './static-ui';

// A stand-in for the kernel's listener: it answers everything the console does not.
function kernelServer(): Server {
  return createServer((req, res) => {
    res.setHeader('content-type', 'application/problem+json');
    res.end(JSON.stringify({ from: 'kernel', method: req.method, url: req.url }));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('attachStaticUi', () => {
  let dir: string;
  let root: string;
  let pluginDir: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vv-static-'));
    root = join(dir, 'browser');
    mkdirSync(join(root, 'media'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><vv-root></vv-root>');
    writeFileSync(join(root, 'main-ABCD1234.js'), 'console.log(1)');
    writeFileSync(join(root, 'media', 'roboto-latin-400-normal-LOX3CHMS.woff2'), 'font');
    writeFileSync(join(root, 'favicon.svg'), '<svg/>');
    writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET');
    pluginDir = join(dir, 'plugins', 'insights');
    mkdirSync(join(pluginDir, 'ui'), { recursive: true });
    mkdirSync(join(pluginDir, 'src'), { recursive: true });
    writeFileSync(join(pluginDir, 'ui', 'elements.js'), 'customElements.define("x-y", class extends HTMLElement {})');
    writeFileSync(join(pluginDir, 'src', 'index.ts'), 'export const key = "TOP-SECRET";');
    writeFileSync(join(pluginDir, 'plugin.json'), '{"TOP-SECRET": true}');
    server = kernelServer();
    attachStaticUi(server, {
      root,
      plugins: () => [
        { id: 'insights', dir: pluginDir, manifest: { ui: { elements: 'ui/elements.js' } } },
        { id: 'calculation', dir: join(dir, 'plugins', 'calculation'), manifest: {} },
      ],
    });
    url = await listen(server);
  });

  afterAll(async () => {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and as the fallback for app paths, never cached, with a CSP', async () => {
    for (const path of ['/', '/workspace/what-if', '/admin/tenants/demo?x=1']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('<vv-root>');
    }
  });

  it('caches hashed assets for a year as immutable, and other files briefly', async () => {
    const js = await fetch(`${url}/main-ABCD1234.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${url}/media/roboto-latin-400-normal-LOX3CHMS.woff2`)).headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/favicon.svg`)).headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('answers a matching ETag with 304', async () => {
    const first = await fetch(`${url}/main-ABCD1234.js`);
    const again = await fetch(`${url}/main-ABCD1234.js`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('leaves the kernel’s paths, and every non-GET, to the kernel', async () => {
    for (const path of ['/api/v1/me', '/api', '/health/ready', '/metrics', '/.well-known/jwks.json']) {
      expect(((await (await fetch(`${url}${path}`)).json()) as { from: string }).from).toBe('kernel');
    }
    const post = await fetch(`${url}/workspace`, { method: 'POST' });
    expect(((await post.json()) as { method: string }).method).toBe('POST');
  });

  it('answers 404 for a missing asset instead of the app, and never leaves its folder', async () => {
    const missing = await fetch(`${url}/chunk-GONE1234.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<vv-root>');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/media/..%2f..%2fsecret.txt']) {
      const res = await fetch(`${url}${path}`);
      expect(await res.text()).not.toContain('TOP-SECRET');
    }
  });

  it('serves a plugin’s custom-element bundle, and nothing else of the plugin', async () => {
    const bundle = await fetch(`${url}/plugin-assets/insights/ui/elements.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await bundle.text()).toContain('customElements.define');
    for (const path of [
      '/plugin-assets/insights/plugin.json',
      '/plugin-assets/insights/src/index.ts',
      '/plugin-assets/insights/ui/../src/index.ts',
      '/plugin-assets/calculation/ui/elements.js',
      '/plugin-assets/nope/x.js',
    ]) {
      const res = await fetch(`${url}${path}`);
      expect(await res.text()).not.toContain('TOP-SECRET');
      expect(res.status === 404 || ((await fetch(`${url}${path}`).then((r) => r.json())) as { from?: string }).from === 'kernel').toBe(true);
    }
  });

  it('says how to build the console when it is not built, and keeps the API', async () => {
    const bare = kernelServer();
    const ui = attachStaticUi(bare, { root: join(dir, 'not-built') });
    expect(ui.built).toBe(false);
    const bareUrl = await listen(bare);
    try {
      const page = await fetch(`${bareUrl}/workspace`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('npm run build');
      expect(((await (await fetch(`${bareUrl}/api/v1/me`)).json()) as { from: string }).from).toBe('kernel');
    } finally {
      await close(bare);
    }
  });
});
