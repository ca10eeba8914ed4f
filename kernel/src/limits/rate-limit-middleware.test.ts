import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { manifest } from '../__fixtures__/kernel-test-support';
import { PasswordHasher } from '../identity/password-hasher';
import { createKernel, type Kernel } from '../kernel';
import { createKernelLogger } from '../observability/kernel-logger';
import { MemoryKernelStore } from '../tenancy/memory-kernel-store';
import { SecretBox } from '../tenancy/secret-box';
import { MemoryRateLimiter } from './rate-limiter';

// The rate limits over HTTP, on a frozen clock so that no token comes back during a test: 429 problem+json with
// Retry-After once a bucket is empty, per tenant (with a tenant's own settings), and per API key on top.
describe('rate limits through the kernel', () => {
  let kernel: Kernel;
  let url: string;
  const now = 1_000_000;

  beforeAll(async () => {
    const store = new MemoryKernelStore();
    await store.createTenant({ id: 'acme', name: 'acme' });
    await store.createTenant({ id: 'globex', name: 'globex', settings: { rateLimits: { tenant: { perSecond: 1, burst: 4 } } } });
    await store.createTenant({ id: 'initech', name: 'initech', settings: { rateLimits: { tenant: { perSecond: 1, burst: 50 }, apiKey: { perSecond: 0.5, burst: 2 } } } });
    const things = definePlugin({
      deps: { http: coreServices.http },
      setup({ http }) {
        http.route({ method: 'GET', path: '/things', handler: () => ({ items: [] }) });
      },
    });
    kernel = await createKernel({
      store,
      secrets: new SecretBox(randomBytes(32)),
      plugins: [{ manifest: manifest('things', { routes: ['/things'] }), plugin: things }],
      logger: createKernelLogger({ level: 'silent' }),
      passwordHasher: new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
      rateLimiter: new MemoryRateLimiter(() => now),
      rateLimits: { tenant: { perSecond: 1, burst: 2 }, apiKey: { perSecond: 1, burst: 10 } },
    });
    for (const id of ['acme', 'globex', 'initech']) await kernel.pluginSets.change(id, 'things', { enabled: true }, { cascade: false });
    url = `http://127.0.0.1:${((await kernel.listen(0)).address() as AddressInfo).port}`;
  });
  afterAll(() => kernel.close({ drainMs: 1000 }));

  const bearer = async (tenant: string) =>
    `Bearer ${await kernel.tokens.issue({ sub: `admin-${tenant}`, tid: tenant, role: 'tenant-admin', email: `admin@${tenant}.test`, pa: false })}`;
  const get = async (authorization: string) => {
    const res = await fetch(`${url}/api/v1/things`, { headers: { authorization } });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
  };

  it('answers 429 VV_RATE_LIMITED with Retry-After once the tenant bucket (burst 2) is empty', async () => {
    const auth = await bearer('acme');
    expect([(await get(auth)).status, (await get(auth)).status]).toEqual([200, 200]);
    const refused = await get(auth);
    expect({ status: refused.status, retryAfter: refused.retryAfter, code: refused.body.code }).toEqual({ status: 429, retryAfter: '1', code: 'VV_RATE_LIMITED' });
    expect(refused.type).toMatch(/^application\/problem\+json/);
  });

  it("uses a tenant's own settings.rateLimits, and one tenant's traffic never drains another's bucket", async () => {
    const auth = await bearer('globex');
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(auth)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('limits each API key by its own bucket as well as its tenant', async () => {
    const created = await fetch(`${url}/api/v1/admin/tenants/initech/api-keys`, {
      method: 'POST',
      headers: { authorization: await bearer('initech'), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sync job', role: 'member' }),
    });
    expect(created.status).toBe(201);
    const key = `Bearer ${((await created.json()) as { key: string }).key}`;
    const statuses = [(await get(key)).status, (await get(key)).status];
    const refused = await get(key);
    expect([...statuses, refused.status]).toEqual([200, 200, 429]);
    // 0.5 tokens a second: 2 s until the key has a token again.
    expect(refused.retryAfter).toBe('2');
    // The tenant's bucket (burst 50) still has room: a user of initech is not refused.
    expect((await get(await bearer('initech'))).status).toBe(200);
  });
});
