import { randomBytes } from 'node:crypto';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { coreServices, definePlugin, respond, type EventEnvelope, type Role } from '@valueverse/plugin-sdk';
import { MemoryKernelStore, PasswordHasher, SecretBox, TokenService, createKernel, createKernelLogger, type Kernel } from '@valueverse/kernel';
import { BullJobQueue, RedisEventTransport } from '@valueverse/backend-defaults';
import { InProcessEventBus } from '../../kernel/src/events/in-process-event-bus';
import { slotOf } from '@valueverse/kernel/testing';
import { openSse, type SseClient } from '../../kernel/src/__fixtures__/sse-client';
import { describeWithRedis, TEST_REDIS_URL } from '../support/services';

const logger = createKernelLogger({ level: process.env.VV_TEST_LOG_LEVEL ?? 'silent' });

/** What the `relay` plugin saw on each instance, and every try of its jobs (the instances share this process). */
const received: Record<string, EventEnvelope[]> = { a: [], b: [] };
const tries: { job: string; jobId: string; attempt: number; at: number; instance: string }[] = [];
/** Jobs of `doomed` that stop failing (the remote end is back). */
const recovered = new Set<string>();
/** Every run of the scheduled `pulse` job, on either instance. */
const pulses: { id: string; tenantId: string; instance: string }[] = [];

/** A plugin that publishes `relay.*` events, subscribes to them, and has a flaky and a doomed job. */
function relay(instance: string) {
  return {
    manifest: {
      id: 'relay',
      version: '1.0.0',
      displayName: 'Relay',
      kernel: '^1.0.0',
      main: 'dist/index.js',
      routes: ['/relay'],
      permissions: ['events.publish:relay.*', 'events.subscribe:relay.*', 'jobs'],
    },
    plugin: definePlugin({
      deps: { http: coreServices.http, events: coreServices.events, jobs: coreServices.jobs },
      setup({ http, events, jobs }) {
        events.subscribe('relay.*', (event) => {
          received[instance]!.push(event);
        });
        jobs.define(
          'flaky',
          async (job) => {
            tries.push({ job: 'flaky', jobId: job.id, attempt: job.attempt, at: Date.now(), instance });
            if (job.attempt < 3) throw new Error(`flaky failure ${job.attempt}`);
          },
          { attempts: 3, backoffMs: 200 },
        );
        jobs.define(
          'doomed',
          async (job) => {
            tries.push({ job: 'doomed', jobId: job.id, attempt: job.attempt, at: Date.now(), instance });
            if (!recovered.has(job.id)) throw new Error('the remote end is gone');
          },
          { attempts: 2, backoffMs: 50 },
        );
        jobs.define('pulse', async (job) => {
          pulses.push({ id: job.id, tenantId: job.tenantId, instance });
        });
        // Both instances declare it, as every replica of a deployment would.
        jobs.schedule('pulse', { everyMs: 250, perTenant: true });
        http.route({
          method: 'POST',
          path: '/relay/events/:name',
          handler: async (req) => {
            await events.publish(`relay.${req.params.name}`, req.tenant.id, { from: instance });
            return respond(202, {});
          },
        });
        http.route({
          method: 'POST',
          path: '/relay/jobs/:name',
          handler: async (req) => respond(202, { jobId: await jobs.enqueue(req.params.name!, req.tenant.id, req.body ?? {}) }),
        });
      },
    }),
  };
}

interface Instance {
  kernel: Kernel;
  url: string;
}

describeWithRedis('events and jobs across host instances sharing Redis', () => {
  // Everything this file puts in Redis lives under this prefix (event channel and queues), deleted at the end.
  const prefix = `vv-it-${randomBytes(5).toString('hex')}`;
  let redis: Redis;
  let tokens: TokenService;
  let a: Instance;
  let b: Instance;
  const streams: SseClient[] = [];

  /** A: a web host with VV_WORKERS=off (enqueues only). B: runs the job workers, as `host worker` would. */
  async function boot(instance: 'a' | 'b'): Promise<Instance> {
    const store = new MemoryKernelStore();
    for (const id of ['acme', 'globex']) await store.createTenant({ id, name: id });
    const kernel = await createKernel({
      store,
      secrets: new SecretBox(randomBytes(32)),
      tokens,
      plugins: [relay(instance)],
      logger,
      passwordHasher: new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
      eventTransport: new RedisEventTransport(TEST_REDIS_URL, logger, { prefix }),
      jobQueue: new BullJobQueue({ url: TEST_REDIS_URL, prefix, workers: instance === 'b', closeTimeoutMs: 2000 }, logger),
    });
    for (const id of ['acme', 'globex']) await kernel.pluginSets.change(id, 'relay', { enabled: true }, { cascade: false });
    const server = await kernel.listen(0);
    return { kernel, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  const token = (tenant: string, role: Role = 'member') => tokens.issue({ sub: `user-${role}`, tid: tenant, role, email: `${role}@${tenant}.test`, pa: role === 'platform-admin' });
  const call = async (on: Instance, method: string, path: string, tenant = 'acme', role: Role = 'member', body?: unknown) => {
    const res = await fetch(on.url + path, {
      method,
      headers: { authorization: `Bearer ${await token(tenant, role)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const stream = async (on: Instance, tenant: string) => {
    const client = await openSse(`${on.url}/api/v1/events/stream?access_token=${await token(tenant)}`);
    expect(client.status).toBe(200);
    streams.push(client);
    return client;
  };
  async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
    const started = Date.now();
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    tokens = await TokenService.create();
    a = await boot('a');
    b = await boot('b');
  });

  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  afterAll(async () => {
    await a?.kernel.close({ drainMs: 1000 });
    await b?.kernel.close({ drainMs: 1000 });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('delivers an event published on instance A to subscribers on instance B, and once on each instance', async () => {
    received.a.length = 0;
    received.b.length = 0;
    expect((await call(a, 'POST', '/api/v1/relay/events/ping')).status).toBe(202);
    await eventually(
      () => received.b.length,
      (n) => n === 1,
    );
    // Long enough for a duplicate (A's own echo coming back from Redis) to have arrived.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.a.map((e) => e.name)).toEqual(['relay.ping']);
    expect(received.b.map((e) => e.name)).toEqual(['relay.ping']);
    expect(received.b[0]).toEqual(received.a[0]);
    expect(received.b[0]).toMatchObject({ tenantId: 'acme', source: 'relay', payload: { from: 'a' } });
  });

  it("streams an event published on B to A's event stream for that tenant, and not to another tenant's", async () => {
    const acme = await stream(a, 'acme');
    const globex = await stream(a, 'globex');
    await call(b, 'POST', '/api/v1/relay/events/for-globex', 'globex');
    await call(b, 'POST', '/api/v1/relay/events/for-acme', 'acme');
    const frame = await acme.next();
    expect(frame.event).toBe('relay.for-acme');
    expect(JSON.parse(frame.data!)).toMatchObject({ tenantId: 'acme', payload: { from: 'b' } });
    expect((await globex.next()).event).toBe('relay.for-globex');
  });

  it("streams plugin-set.changed to the tenant's streams on the other instance", async () => {
    const onB = await stream(b, 'acme');
    const put = (enabled: boolean) => call(a, 'PUT', '/api/v1/admin/tenants/acme/plugins/relay', 'acme', 'platform-admin', { enabled });
    expect((await put(false)).status).toBe(200);
    const frame = await onB.next();
    expect(frame.event).toBe('plugin-set.changed');
    expect(JSON.parse(frame.data!)).toMatchObject({ tenantId: 'acme', source: 'kernel', payload: { changes: [{ pluginId: 'relay', enabled: false }] } });
    expect((await put(true)).status).toBe(200);
  });

  it('runs a job enqueued on A on the worker B, retrying it with growing backoff until it succeeds on the 3rd attempt', async () => {
    const { status, body } = await call(a, 'POST', '/api/v1/relay/jobs/flaky', 'acme', 'member', { order: 1 });
    expect(status).toBe(202);
    const runs = await eventually(
      () => tries.filter((t) => t.jobId === body.jobId),
      (t) => t.length === 3,
    );
    expect(runs.map((t) => t.attempt)).toEqual([1, 2, 3]);
    expect(runs.every((t) => t.instance === 'b')).toBe(true);
    const first = runs[1]!.at - runs[0]!.at;
    const second = runs[2]!.at - runs[1]!.at;
    expect(first).toBeGreaterThanOrEqual(195);
    expect(second).toBeGreaterThanOrEqual(395);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tries.filter((t) => t.jobId === body.jobId)).toHaveLength(3);
    expect((await call(a, 'GET', '/api/v1/admin/jobs/dead', 'acme', 'platform-admin')).body.items.map((j: { jobId: string }) => j.jobId)).not.toContain(body.jobId);
  });

  it('dead-letters a job that always fails, lists it in GET /api/v1/admin/jobs/dead on either instance, and retries it', async () => {
    const { body } = await call(a, 'POST', '/api/v1/relay/jobs/doomed', 'globex', 'member', { hook: 'https://example.test' });
    const list = (on: Instance, query = '') => call(on, 'GET', `/api/v1/admin/jobs/dead${query}`, 'acme', 'platform-admin');
    const dead = await eventually(
      () => list(a),
      (res) => res.body.items.some((j: { jobId: string }) => j.jobId === body.jobId),
    );
    expect(dead.status).toBe(200);
    const item = dead.body.items.find((j: { jobId: string }) => j.jobId === body.jobId);
    expect(item).toEqual({
      id: `relay.doomed:${body.jobId}`,
      queue: 'relay.doomed',
      jobId: body.jobId,
      tenantId: 'globex',
      data: { hook: 'https://example.test' },
      attempts: 2,
      error: 'the remote end is gone',
      failedAt: expect.any(String),
    });
    expect(tries.filter((t) => t.jobId === body.jobId).map((t) => t.attempt)).toEqual([1, 2]);
    expect((await list(b, '?tenantId=globex')).body.items.map((j: { id: string }) => j.id)).toContain(item.id);
    expect((await list(b, '?tenantId=acme')).body.items.map((j: { id: string }) => j.id)).not.toContain(item.id);
    expect((await call(a, 'GET', '/api/v1/admin/jobs/dead', 'acme', 'tenant-admin')).status).toBe(403);

    recovered.add(body.jobId);
    const retried = await call(a, 'POST', `/api/v1/admin/jobs/dead/${encodeURIComponent(item.id)}/retry`, 'acme', 'platform-admin');
    expect(retried.status).toBe(202);
    await eventually(
      () => tries.filter((t) => t.jobId === body.jobId).map((t) => t.attempt),
      (t) => t.length === 3,
    );
    expect(tries.filter((t) => t.jobId === body.jobId).map((t) => t.attempt)).toEqual([1, 2, 1]);
    await eventually(
      () => list(a),
      (res) => !res.body.items.some((j: { id: string }) => j.id === item.id),
    );
  });

  it('deletes a dead job through DELETE /api/v1/admin/jobs/dead/:id on either instance: 204, then 404', async () => {
    const { body } = await call(a, 'POST', '/api/v1/relay/jobs/doomed', 'acme', 'member', {});
    const id = `relay.doomed:${body.jobId}`;
    const list = (on: Instance) => call(on, 'GET', '/api/v1/admin/jobs/dead?tenantId=acme', 'acme', 'platform-admin');
    await eventually(
      () => list(a),
      (res) => res.body.items.some((j: { id: string }) => j.id === id),
    );
    const path = `/api/v1/admin/jobs/dead/${encodeURIComponent(id)}`;
    expect((await call(b, 'DELETE', path, 'acme', 'tenant-admin')).status).toBe(403);
    expect((await call(b, 'DELETE', path, 'acme', 'platform-admin')).status).toBe(204);
    expect((await list(a)).body.items.map((j: { id: string }) => j.id)).not.toContain(id);
    expect((await call(a, 'DELETE', path, 'acme', 'platform-admin')).status).toBe(404);
  });

  it('runs a perTenant schedule declared by both instances once per slot and tenant, on the worker, for tenants with the plugin enabled', async () => {
    const after = Date.now();
    const since = () => pulses.filter((p) => slotOf(p) > after);
    await eventually(since, (p) => new Set(p.map(slotOf)).size >= 2);
    expect(since().every((p) => p.instance === 'b')).toBe(true);
    const first = Math.min(...since().map(slotOf));
    expect(
      since()
        .filter((p) => slotOf(p) === first)
        .map((p) => p.tenantId)
        .sort(),
    ).toEqual(['acme', 'globex']);

    // Each instance of this suite has a store of its own, so the change is made where the schedule runs: on the
    // worker B, which reads who has the plugin enabled when each slot fires.
    const relayFor = (enabled: boolean) => call(b, 'PUT', '/api/v1/admin/tenants/globex/plugins/relay', 'globex', 'platform-admin', { enabled });
    expect((await relayFor(false)).status).toBe(200);
    const cut = Date.now();
    try {
      await eventually(
        () => pulses.filter((p) => slotOf(p) > cut + 250),
        (p) => new Set(p.map(slotOf)).size >= 2,
      );
      expect(new Set(pulses.filter((p) => slotOf(p) > cut + 250).map((p) => p.tenantId))).toEqual(new Set(['acme']));
    } finally {
      expect((await relayFor(true)).status).toBe(200);
    }
    const ids = pulses.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

/** A TCP proxy in front of Redis that a test can cut and restore, to play a Redis outage. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

describeWithRedis('the Redis event bridge through an outage', () => {
  const prefix = `vv-it-${randomBytes(5).toString('hex')}`;

  it('keeps delivering locally while Redis is unreachable, and bridges again (both ways) once it is back', async () => {
    const proxy = new CuttableProxy(new URL(TEST_REDIS_URL));
    await proxy.open();
    const viaProxy = new InProcessEventBus(logger, new RedisEventTransport(`redis://127.0.0.1:${proxy.port}`, logger, { prefix }));
    const direct = new InProcessEventBus(logger, new RedisEventTransport(TEST_REDIS_URL, logger, { prefix }));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const seen = { viaProxy: [] as string[], direct: [] as string[] };
    viaProxy.subscribe('*', (e) => void seen.viaProxy.push(e.name), 'test');
    direct.subscribe('*', (e) => void seen.direct.push(e.name), 'test');
    const publish = (bus: InProcessEventBus, name: string) =>
      bus.publish({ id: randomBytes(8).toString('hex'), name, tenantId: 'acme', source: 'test', occurredAt: new Date().toISOString(), payload: {} });
    const waitFor = async (list: string[], name: string, timeoutMs = 5000) => {
      const started = Date.now();
      while (!list.includes(name)) {
        if (Date.now() - started > timeoutMs) throw new Error(`"${name}" not delivered within ${timeoutMs} ms (got ${list.join(', ')})`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      await Promise.all([viaProxy.start(), direct.start()]);
      await publish(viaProxy, 'before');
      await waitFor(seen.direct, 'before');

      await proxy.cut();
      const started = Date.now();
      await publish(viaProxy, 'during');
      // A publish that waited for Redis would not return until the proxy reopens, below; 2 s is room for a busy CI.
      expect(Date.now() - started).toBeLessThan(2000);
      expect(seen.viaProxy).toContain('during');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen.direct).not.toContain('during');

      await proxy.open();
      // ioredis reconnects (within 2 s here) and re-subscribes; until then publishing is dropped, not queued.
      const deadline = Date.now() + 8000;
      let n = 0;
      while (!seen.direct.some((name) => name.startsWith('after-')) && Date.now() < deadline) {
        await publish(viaProxy, `after-${(n += 1)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen.direct.some((name) => name.startsWith('after-'))).toBe(true);
      // Its subscription came back too: events of the other instance arrive again.
      let m = 0;
      while (!seen.viaProxy.some((name) => name.startsWith('back-')) && Date.now() < deadline) {
        await publish(direct, `back-${(m += 1)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen.viaProxy.some((name) => name.startsWith('back-'))).toBe(true);
      expect(seen.direct.filter((name) => name === 'before')).toHaveLength(1);
    } finally {
      await viaProxy.close();
      await direct.close();
      await proxy.cut();
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  }, 20_000);
});
