import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { coreServices, definePlugin, respond, type EventEnvelope, type Role } from '@valueverse/plugin-sdk';
import { manifest } from '../__fixtures__/kernel-test-support';
import { openSse, type SseClient, type SseFrame } from '../__fixtures__/sse-client';
import { TokenService } from '../identity/token-service';
import { PasswordHasher } from '../identity/password-hasher';
import { createKernel, type Kernel, type KernelOptions } from '../kernel';
import { createKernelLogger } from '../observability/kernel-logger';
import { MemoryKernelStore } from '../tenancy/memory-kernel-store';
import { SecretBox } from '../tenancy/secret-box';
import type { EventTransport } from './event-transport';

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

async function boot(options: { heartbeatMs?: number; tokens?: TokenService; eventTransport?: EventTransport; replay?: KernelOptions['eventStreamReplay'] } = {}): Promise<Running> {
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
    eventTransport: options.eventTransport,
    eventStreamReplay: options.replay,
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
    const client =
      via === 'header'
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
      // The token lives 1 s; a stream that ignored expiry would stay open until the test times out.
      expect(Date.now() - started).toBeLessThan(5000);
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
    expect(Date.now() - started).toBeLessThan(5000);
    await stream.ended;
  });
});

/** Plays "another instance" behind the Redis bridge: `receive` delivers an event as if it came from there. */
class LoopbackTransport implements EventTransport {
  receive: (envelope: EventEnvelope) => void = () => undefined;
  async start(receive: (envelope: EventEnvelope) => void): Promise<void> {
    this.receive = receive;
  }
  async send(): Promise<void> {}
  async close(): Promise<void> {}
}

describe('resuming the event stream with Last-Event-ID', () => {
  let k: Running;
  const bridge = new LoopbackTransport();
  const streams: SseClient[] = [];
  const url = (query = '') => `${k.url}/api/v1/events/stream${query}`;
  /** Opens a stream as EventSource would after a reconnect: the token, and the last id it got as a header. */
  const open = async (tenant: string, options: { lastEventId?: string; query?: string } = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${await k.token(tenant)}` };
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const client = await openSse(url(options.query), headers);
    expect(client.status).toBe(200);
    streams.push(client);
    return client;
  };
  const envelope = (tenantId: string, name: string): EventEnvelope => ({
    id: randomUUID(),
    name: 'thing.created',
    tenantId,
    source: 'things',
    occurredAt: new Date().toISOString(),
    payload: { name },
  });
  /** Publishes straight on the bus (as a plugin would), for tests that need many events quickly. */
  const publish = async (tenantId: string, ...names: string[]) => {
    const ids: string[] = [];
    for (const name of names) {
      const event = envelope(tenantId, name);
      await k.kernel.events.publish(event);
      ids.push(event.id);
    }
    return ids;
  };
  const names = (frames: readonly SseFrame[]) => frames.filter((f) => f.event === 'thing.created').map((f) => JSON.parse(f.data!).payload.name);
  /** Waits for the event with this payload name and returns every event frame up to it. */
  const upTo = async (stream: SseClient, name: string) => {
    await stream.next((f) => f.event === 'thing.created' && JSON.parse(f.data!).payload.name === name);
    return names(stream.frames);
  };
  const isReset = (f: SseFrame) => f.event === 'stream.reset';

  beforeAll(async () => {
    k = await boot({ eventTransport: bridge });
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(() => k.kernel.close({ drainMs: 1000 }));

  it('sends exactly the events missed while disconnected, in order, then the live ones', async () => {
    const first = await open('acme');
    await publish('acme', 'one', 'two');
    expect(await upTo(first, 'two')).toEqual(['one', 'two']);
    first.close();
    await publish('acme', 'three', 'four', 'five');

    const second = await open('acme', { lastEventId: first.lastEventId });
    expect(await upTo(second, 'five')).toEqual(['three', 'four', 'five']);
    await publish('acme', 'six');
    expect(await upTo(second, 'six')).toEqual(['three', 'four', 'five', 'six']);
    expect(second.frames.some(isReset)).toBe(false);
    // `retry:` once, at the start.
    expect(second.frames.filter((f) => f.retry !== undefined)).toEqual([expect.objectContaining({ retry: '3000' })]);
    expect(second.frames[0]).toMatchObject({ retry: '3000', comments: ['connected to acme'] });
  });

  it('replays the events published through the HTTP API and the kernel, frames identical to the live ones', async () => {
    const live = await open('acme');
    const res = await fetch(`${k.url}/api/v1/things`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await k.token('acme')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'posted' }),
    });
    expect(res.status).toBe(201);
    const frame = await live.next();
    const resumed = await open('acme', { lastEventId: live.frames[0]!.id });
    expect(await resumed.next()).toEqual(frame);
  });

  it('resumes from the position given when the stream opened, even if the client had no event yet', async () => {
    const first = await open('globex');
    await first.next((f) => f.comments.includes('connected to globex'));
    expect(first.lastEventId).not.toBe('');
    first.close();
    await publish('globex', 'while-away');
    const second = await open('globex', { lastEventId: first.lastEventId });
    expect(await upTo(second, 'while-away')).toEqual(['while-away']);
  });

  it('accepts ?lastEventId= for clients that cannot set headers; the header wins over it', async () => {
    const [a, b] = await publish('acme', 'q-one', 'q-two');
    await publish('acme', 'q-three');
    const byQuery = await open('acme', { query: `?lastEventId=${encodeURIComponent(a!)}` });
    expect(await upTo(byQuery, 'q-three')).toEqual(['q-two', 'q-three']);
    // EventSource reconnects to its first URL with a newer Last-Event-ID header.
    const both = await open('acme', { query: `?lastEventId=${encodeURIComponent(a!)}`, lastEventId: b! });
    expect(await upTo(both, 'q-three')).toEqual(['q-three']);
  });

  it('sends stream.reset for an unknown id, then the live events; resuming from the reset needs no second reset', async () => {
    const stream = await open('acme', { lastEventId: 'from-before-a-restart' });
    const reset = await stream.next(isReset);
    expect(JSON.parse(reset.data!)).toEqual({ reason: expect.stringMatching(/reload state/) });
    expect(reset.id).toBeTruthy();
    await publish('acme', 'after-reset');
    expect(await upTo(stream, 'after-reset')).toEqual(['after-reset']);
    expect(stream.frames.filter(isReset)).toHaveLength(1);

    const fromReset = await open('acme', { lastEventId: reset.id });
    expect(await upTo(fromReset, 'after-reset')).toEqual(['after-reset']);
    expect(fromReset.frames.some(isReset)).toBe(false);
  });

  it('forgets the oldest events beyond the limit (1,000 per tenant): an id from before them gets stream.reset', async () => {
    const ids = await publish('acme', ...Array.from({ length: 1002 }, (_, i) => `n${i}`));
    // n0 has been evicted; n1 is the oldest id still known, so all of n2..n1001 (1,000 events) are replayed.
    const tooOld = await open('acme', { lastEventId: ids[0] });
    await tooOld.next(isReset);
    expect(names(tooOld.frames)).toEqual([]);
    const oldest = await open('acme', { lastEventId: ids[1] });
    const replayed = await upTo(oldest, 'n1001');
    expect(replayed).toEqual(Array.from({ length: 1000 }, (_, i) => `n${i + 2}`));
    expect(oldest.frames.some(isReset)).toBe(false);
  });

  it('takes its limits from the kernel option eventStreamReplay', async () => {
    const small = await boot({ replay: { maxEventsPerTenant: 3 } });
    try {
      const ids: string[] = [];
      for (const name of ['s0', 's1', 's2', 's3', 's4']) {
        const event = envelope('acme', name);
        await small.kernel.events.publish(event);
        ids.push(event.id);
      }
      const open = async (lastEventId: string) => {
        const client = await openSse(`${small.url}/api/v1/events/stream`, { authorization: `Bearer ${await small.token('acme')}`, 'last-event-id': lastEventId });
        streams.push(client);
        return client;
      };
      // s2, s3, s4 are kept: resuming after s1 is the oldest resume that needs no reset.
      const tooOld = await open(ids[0]!);
      await tooOld.next(isReset);
      const oldest = await open(ids[1]!);
      expect(await upTo(oldest, 's4')).toEqual(['s2', 's3', 's4']);
      expect(oldest.frames.some(isReset)).toBe(false);
    } finally {
      for (const s of streams.splice(0)) s.close();
      await small.kernel.close({ drainMs: 1000 });
    }
  });

  it("never replays another tenant's events: its ids are unknown, and its events are not in the replay", async () => {
    const [acmeId] = await publish('acme', 'acme-1');
    const [globexId] = await publish('globex', 'globex-1');
    await publish('acme', 'acme-2');
    await publish('globex', 'globex-2');
    const resumed = await open('acme', { lastEventId: acmeId });
    await publish('acme', 'acme-3');
    expect(await upTo(resumed, 'acme-3')).toEqual(['acme-2', 'acme-3']);
    const crossTenant = await open('acme', { lastEventId: globexId });
    await crossTenant.next(isReset);
    await publish('acme', 'acme-4');
    expect(await upTo(crossTenant, 'acme-4')).toEqual(['acme-4']);
    expect([...resumed.frames, ...crossTenant.frames].filter((f) => f.data && !isReset(f)).map((f) => JSON.parse(f.data!).tenantId)).not.toContain('globex');
  });

  it('replays events that came from other instances through the bridge', async () => {
    const [before] = await publish('acme', 'local');
    const remote = envelope('acme', 'from-instance-b');
    bridge.receive(remote);
    const stream = await open('acme', { lastEventId: before });
    expect(await upTo(stream, 'from-instance-b')).toEqual(['from-instance-b']);
    expect(stream.frames.find((f) => f.event === 'thing.created')!.id).toBe(remote.id);
  });

  it('loses and repeats nothing when the client reconnects while events keep coming', async () => {
    const all = Array.from({ length: 300 }, (_, i) => `c${i}`);
    let published = 0;
    const first = await open('acme');
    const publishing = (async () => {
      for (const name of all) {
        await publish('acme', name);
        published += 1;
        // Let the HTTP side run between events, so the reconnect lands in the middle of the run.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await upTo(first, 'c50');
    first.close();
    const seenFirst = names(first.frames);
    const publishedBeforeFirstClosed = published;
    const second = await open('acme', { lastEventId: first.lastEventId });
    const publishedWhenSecondOpened = published;
    await publishing;
    const seenSecond = await upTo(second, 'c299');
    // The switch-over happened mid-run, after the client missed some events: both replay and live were exercised.
    expect(publishedWhenSecondOpened).toBeGreaterThan(publishedBeforeFirstClosed);
    expect(publishedWhenSecondOpened).toBeLessThan(all.length);
    expect([...seenFirst, ...seenSecond]).toEqual(all);
  });
});
