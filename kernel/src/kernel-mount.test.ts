import { VvError, definePlugin } from '@valueverse/plugin-sdk';
import { bootAuthKernel, type AuthTestKernel } from './__fixtures__/auth-test-kernel';
import { expectProblem, manifest } from './__fixtures__/kernel-test-support';
import type { KernelMount } from './http/kernel-mount';
import { loadPlugins } from './manifest/load-plugins';
import { createKernelLogger } from './observability/kernel-logger';

describe('apps mounted under a prefix (KernelMount)', () => {
  let k: AuthTestKernel;
  const seen: { path: string; body: unknown; rawLength?: number }[] = [];
  const mount: KernelMount = {
    prefix: '/api/v1/shelf',
    name: 'shelf',
    routes: [
      { method: 'GET', path: '/api/v1/shelf/open', access: 'public' },
      { method: 'POST', path: '/api/v1/shelf/admin', access: 'platform-admin' },
    ],
    async handle(ctx, caller) {
      if (ctx.path === '/api/v1/shelf/open') {
        ctx.body = { open: true, requestId: ctx.get('x-request-id') || null };
      } else if (ctx.path === '/api/v1/shelf/admin') {
        const principal = await caller.requireRole('platform-admin');
        ctx.body = { admin: principal.user.id, body: (ctx.request as { body?: unknown }).body };
      } else if (ctx.path === '/api/v1/shelf/raw') {
        const chunks: Buffer[] = [];
        for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
        seen.push({ path: ctx.path, body: (ctx.request as { body?: unknown }).body, rawLength: Buffer.concat(chunks).length });
        ctx.status = 204;
      } else if (ctx.path === '/api/v1/shelf/fail') {
        throw new VvError('VV_CONFLICT', { params: { reason: 'mounted apps throw VvErrors' } });
      }
    },
  };

  beforeAll(async () => {
    k = await bootAuthKernel({ mounts: [mount] });
  });
  afterAll(() => k.close());

  it('serves public routes of the mount without a token', async () => {
    const res = await k.call('GET', '/api/v1/shelf/open');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ open: true, requestId: null });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("checks the kernel's authentication and roles when the mount asks", async () => {
    expectProblem(await k.call('POST', '/api/v1/shelf/admin', { body: {} }), 401, 'VV_UNAUTHENTICATED');
    await k.addUser('mia', { acme: 'tenant-admin' });
    const login = await k.login('mia@example.test');
    expectProblem(await k.call('POST', '/api/v1/shelf/admin', { token: login.body.accessToken, body: {} }), 403, 'VV_FORBIDDEN');
    const ok = await k.call('POST', '/api/v1/shelf/admin', { token: await k.admin(), body: { a: 1 } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ admin: 'root', body: { a: 1 } });
  });

  it('leaves a body that is neither JSON nor text on the stream for the mount', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    const res = await fetch(`${k.url}/api/v1/shelf/raw`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    expect(res.status).toBe(204);
    expect(seen).toEqual([{ path: '/api/v1/shelf/raw', body: {}, rawLength: bytes.length }]);
  });

  it('answers problem+json for what the mount throws and for paths it does not serve', async () => {
    expectProblem(await k.call('GET', '/api/v1/shelf/fail'), 409, 'VV_CONFLICT');
    expectProblem(await k.call('GET', '/api/v1/shelf/nothing-here'), 404, 'VV_NOT_FOUND');
    // A sibling path is not the mount's: it is the kernel's (authentication first).
    expectProblem(await k.call('GET', '/api/v1/shelfish'), 401, 'VV_UNAUTHENTICATED');
  });

  it('keeps plugins off its prefix: one claiming it, or a path below it, fails with VV_ROUTE_CONFLICT', async () => {
    const squatter = (id: string, route: string) => ({ manifest: manifest(id, { routes: [route] }), plugin: definePlugin({ deps: {}, setup: () => undefined }) });
    const loaded = await loadPlugins(
      { plugins: [squatter('squatter', '/shelf'), squatter('nested', '/shelf/books'), squatter('neighbour', '/shelves')], mounts: [mount] },
      '1.0.0',
      createKernelLogger({ level: 'silent' }),
    );
    expect(loaded.records.get('squatter')).toMatchObject({ state: 'failed', error: expect.objectContaining({ code: 'VV_ROUTE_CONFLICT' }) });
    expect(loaded.records.get('nested')).toMatchObject({ state: 'failed', error: expect.objectContaining({ code: 'VV_ROUTE_CONFLICT' }) });
    expect(loaded.records.get('neighbour')?.state).not.toBe('failed');
  });

  it("lists the mount's routes in httpRoutes with the mount as owner", () => {
    const mine = k.kernel.httpRoutes().filter((r) => r.owner === 'shelf');
    expect(mine).toEqual([
      { method: 'GET', path: '/api/v1/shelf/open', access: 'public', owner: 'shelf' },
      { method: 'POST', path: '/api/v1/shelf/admin', access: 'platform-admin', owner: 'shelf' },
    ]);
  });
});
