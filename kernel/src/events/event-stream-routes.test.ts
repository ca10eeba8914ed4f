import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { coreServices, definePlugin, respond, type Role } from '@valueverse/plugin-sdk';
import { manifest } from '../__fixtures__/kernel-test-support';
import { openSse, type SseClient } from '../__fixtures__/sse-client';
import { TokenService } from '../auth/token-service';
import { PasswordHasher } from '../auth/password-hasher';
import { createKernel, type Kernel } from '../kernel';
import { createKernelLogger } from '../observability/kernel-logger';
import { MemoryKernelStore } from '../tenancy/memory-kernel-store';
import { SecretBox } from '../tenancy/secret-box';

// A plugin that publishes `thing.created` for the caller's tenant on POST /things.
const things = {
  manifest: manifest('things', { routes: ['/things'], permissions: ['events.publish:thing.*'] }),
  plugin: definePlugin({
    deps: { http: coreServices.http, events: coreServices.events },
    setup({ http, events }) {
      http.route({
        method: 'POST',
        path: '/things',
        handler: async (req) => {
          await events.publish('thing.created', req.tenant.id, { name: (req.body as { name?: string })?.name ?? 'widget' });
          return respond(201, { created: true });
        },
      });
    },
  }),
};

interface Running {
  kernel: Kernel;
  url: string;
  token(tenant: string, role?: Role): Promise<string>;
}

async function boot(options: { heartbeatMs?: number; tokens?: TokenService } = {}): Promise<Running> {
  const store = new MemoryKernelStore();
  for (const id of ['acme', 'globex']) await store.createTenant({ id, name: id });
  const kernel = await createKernel({
    store,
    secrets: new SecretBox(randomBytes(32)),
    plugins: [things],
    logger: createKernelLogger({ level: 'silent' }),
    passwordHasher: new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
    timeouts: { setupMs: 2000, startMs: 2000, stopMs: 2000 },
    tokens: options.tokens,
    eventStreamHeartbeatMs: options.heartbeatMs,
  });
  for (const id of ['acme', 'globex']) await kernel.pluginSets.change(id, 'things', { enabled: true }, { cascade: false });
  const server = await kernel.listen(0);
  return {
    kernel,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: (tenant, role = 'member') => kernel.tokens.issue({ sub: `user-${role}`, tid: tenant, role, email: `${role}@${tenant}.test`, pa: role === 'platform-admin' }),
  };
}

describe('GET /api/v1/events/stream', () => {
  let k: Running;
  const streams: SseClient[] = [];
  const open = async (tenant: string, via: 'header' | 'query' = 'header') => {
    const token = await k.token(tenant);
    const client = via === 'header'
      ? await openSse(`${k.url}/api/v1/events/stream`, { authorization: `Bearer ${token}` })
      : await openSse(`${k.url}/api/v1/events/stream?access_token=${encodeURIComponent(token)}`);
    streams.push(client);
    return client;
  };
  const post = async (tenant: string, name: string) => {
    const res = await fetch(`${k.url}/api/v1/things`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await k.token(tenant)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(201);
  };
  const openStreams = async () => {
    const text = await (await fetch(`${k.url}/metrics`)).text();
    return Number(/^vv_event_streams_open (\d+)$/m.exec(text)?.[1]);
  };

  beforeAll(async () => {
    k = await boot({ heartbeatMs: 100 });
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(() => k.kernel.close({ drainMs: 1000 }));

  it("streams the caller's tenant's events: id, event name, and the envelope as data", async () => {
    const stream = await open('acme');
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toBe('no-cache, no-transform');
    await post('acme', 'sprocket');
    const frame = await stream.next();
    expect(frame.event).toBe('thing.created');
    const envelope = JSON.parse(frame.data!);
    expect(envelope).toMatchObject({ name: 'thing.created', tenantId: 'acme', source: 'things', payload: { name: 'sprocket' } });
    expect(frame.id).toBe(envelope.id);
  });

  it("never sends another tenant's events", async () => {
    const acme = await open('acme');
    const globex = await open('globex');
    await post('globex', 'for-globex');
    await post('acme', 'for-acme');
    // Events arrive in publish order: had globex's reached acme's stream, it would come first.
    expect(JSON.parse((await acme.next()).data!).payload).toEqual({ name: 'for-acme' });
    expect(JSON.parse((await globex.next()).data!).payload).toEqual({ name: 'for-globex' });
    await post('globex', 'second');
    expect(JSON.parse((await globex.next()).data!).payload).toEqual({ name: 'second' });
    expect(acme.frames.filter((f) => f.data).map((f) => JSON.parse(f.data!).tenantId)).toEqual(['acme']);
  });

  it('accepts the token as ?access_token=, since EventSource cannot send headers', async () => {
    const stream = await open('acme', 'query');
    expect(stream.status).toBe(200);
    await post('acme', 'via-query');
    expect(JSON.parse((await stream.next()).data!).payload).toEqual({ name: 'via-query' });
  });

  it('answers 401 problem+json without a token or with a bad one, and only the stream takes ?access_token=', async () => {
    for (const path of ['/api/v1/events/stream', '/api/v1/events/stream?access_token=not.a.jwt']) {
      const res = await fetch(k.url + path);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { code: string }).code).toBe('VV_UNAUTHENTICATED');
    }
    const elsewhere = await fetch(`${k.url}/api/v1/me?access_token=${await k.token('acme')}`);
    expect(elsewhere.status).toBe(401);
    await elsewhere.text();
  });

  it("sends plugin-set.changed to the tenant's streams when its plugin set changes, and to no other tenant", async () => {
    const acme = await open('acme');
    const globex = await open('globex');
    const admin = await k.token('acme', 'platform-admin');
    const put = (enabled: boolean) =>
      fetch(`${k.url}/api/v1/admin/tenants/acme/plugins/things`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled }),
      });
    expect((await put(false)).status).toBe(200);
    const frame = await acme.next();
    expect(frame.event).toBe('plugin-set.changed');
    expect(JSON.parse(frame.data!)).toMatchObject({
      name: 'plugin-set.changed',
      tenantId: 'acme',
      source: 'kernel',
      payload: { changes: [{ pluginId: 'things', enabled: false, configChanged: false, reason: 'requested' }] },
    });
    expect((await put(true)).status).toBe(200);
    expect(JSON.parse((await acme.next()).data!).payload.changes[0]).toMatchObject({ pluginId: 'things', enabled: true });
    await post('globex', 'after');
    expect((await globex.next()).event).toBe('thing.created');
  });

  it('sends a heartbeat comment every interval', async () => {
    const stream = await open('acme');
    const started = Date.now();
    await stream.next((f) => f.comments.includes('heartbeat'));
    await stream.next((f) => f.comments.includes('heartbeat'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(stream.frames[0]).toMatchObject({ retry: '3000', comments: ['connected to acme'] });
  });

  it('forgets a stream as soon as its client hangs up', async () => {
    const count = async (expected: number) => {
      const started = Date.now();
      while ((await openStreams()) !== expected && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 10));
      return openStreams();
    };
    // The previous tests' streams were closed by their clients just now.
    expect(await count(0)).toBe(0);
    const stream = await open('acme');
    expect(await openStreams()).toBe(1);
    stream.close();
    expect(await count(0)).toBe(0);
  });
});

describe('event stream lifetime', () => {
  it('ends the stream when its access token expires', async () => {
    const k = await boot({ tokens: await TokenService.create({ ttlSeconds: 1 }) });
    try {
      const stream = await openSse(`${k.url}/api/v1/events/stream`, { authorization: `Bearer ${await k.token('acme')}` });
      expect(stream.status).toBe(200);
      const started = Date.now();
      await stream.ended;
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      await k.kernel.close({ drainMs: 1000 });
    }
  });

  it('does not hold up a graceful shutdown: close() ends open streams instead of waiting out the drain', async () => {
    const k = await boot();
    const stream = await openSse(`${k.url}/api/v1/events/stream`, { authorization: `Bearer ${await k.token('acme')}` });
    expect(stream.status).toBe(200);
    const started = Date.now();
    await k.kernel.close({ drainMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(2000);
    await stream.ended;
  });
});
