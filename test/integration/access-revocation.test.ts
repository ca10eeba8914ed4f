import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import type { Role } from '@valueverse/plugin-sdk';
import { openSse, type SseClient } from '../../kernel/src/__fixtures__/sse-client';
import { bootHost, signIn } from '../support/host-fixture';
import { describeWithPostgres, describeWithRedis, postgresUrl, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

// Issue #10 findings 5, 2 and 3 across instances: two hosts share one PostgreSQL database and Redis. Access taken
// away through A ends on B within 2 s (tokens and event streams), and failed sign-ins count on both.
describeWithPostgres('access changes across host instances', () => {
  describeWithRedis('on PostgreSQL and Redis', () => {
    const database = `vv_access_${randomBytes(5).toString('hex')}`;
    const prefix = `vv-access-${randomBytes(4).toString('hex')}`;
    const PASSWORD = 'a long enough password';
    let admin: Database;
    let a: Awaited<ReturnType<typeof bootHost>>;
    let b: Awaited<ReturnType<typeof bootHost>>;
    let root: string;
    const streams: SseClient[] = [];

    beforeAll(async () => {
      admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
      await admin.execute(`create database ${database}`);
      const env = { DATABASE_URL: postgresUrl(database), REDIS_URL: TEST_REDIS_URL, VV_REDIS_PREFIX: prefix, VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
      a = await bootHost(env);
      b = await bootHost(env);
      root = await signIn(a.url);
    }, 60_000);

    afterAll(async () => {
      for (const s of streams) s.close();
      await a?.stop();
      await b?.stop();
      await admin?.execute(`drop database if exists ${database} with (force)`);
      await admin?.close();
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });

    const call = async (url: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
    };
    /** A user made in the shared database (not through a route, which other work may change), signed in through A. */
    const user = async (id: string, tenantId: string, role: Role) => {
      await a.kernel.store.createUser({ id, email: `${id}@example.test`, passwordHash: await a.kernel.passwords.hash(PASSWORD), platformAdmin: false });
      await a.kernel.store.setMembership({ userId: id, tenantId, role });
      const res = await call(a.url, 'POST', '/api/v1/auth/login', { body: { email: `${id}@example.test`, password: PASSWORD } });
      expect(res.status).toBe(200);
      return res.body as { accessToken: string; refreshToken: string };
    };
    /** Milliseconds until `probe` answers true, polled; fails after 2 s. */
    const within2s = async (what: string, probe: () => Promise<boolean>): Promise<number> => {
      const started = Date.now();
      while (Date.now() - started < 2000) {
        if (await probe()) return Date.now() - started;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`${what}: not within 2 s`);
    };
    const stream = async (url: string, headers: Record<string, string>) => {
      const client = await openSse(`${url}/api/v1/events/stream`, headers);
      streams.push(client);
      expect(client.status).toBe(200);
      return client;
    };
    const revokedWithin2s = async (client: SseClient) => {
      const frame = await client.next((f) => f.event === 'stream.revoked', 2000);
      expect(JSON.parse(frame.data!).reason).toEqual(expect.any(String));
      await client.ended;
    };

    it('refuses on B, within 2 s, the token of a tenant admin demoted through A, and ends their stream there', async () => {
      const session = await user('u-demoted', 'demo', 'tenant-admin');
      expect((await call(b.url, 'GET', '/api/v1/admin/tenants/demo/members', { token: session.accessToken })).status).toBe(200);
      const feed = await stream(b.url, { authorization: `Bearer ${session.accessToken}` });
      expect((await call(a.url, 'PATCH', '/api/v1/admin/tenants/demo/members/u-demoted', { token: root, body: { role: 'member' } })).status).toBe(200);
      await revokedWithin2s(feed);
      await within2s('B refuses the demoted token', async () => (await call(b.url, 'GET', '/api/v1/admin/tenants/demo/members', { token: session.accessToken })).status === 401);
      // A refresh on B gives the member role, which lists no members.
      const refreshed = await call(b.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expect(refreshed.body.tenant.role).toBe('member');
      expect((await call(b.url, 'GET', '/api/v1/admin/tenants/demo/members', { token: refreshed.body.accessToken })).status).toBe(403);
    });

    it('refuses on B, within 2 s, a member removed through A, and ends their stream there', async () => {
      const session = await user('u-removed', 'demo', 'member');
      const npv = () => call(b.url, 'POST', '/api/v1/calculate/npv', { token: session.accessToken, body: { rate: 0.1, cashFlows: [-100, 60, 60], convention: 't0' } });
      expect((await npv()).status).toBe(200);
      const feed = await stream(b.url, { authorization: `Bearer ${session.accessToken}` });
      expect((await call(a.url, 'DELETE', '/api/v1/admin/tenants/demo/members/u-removed', { token: root })).status).toBe(204);
      await revokedWithin2s(feed);
      await within2s('B refuses the removed member', async () => (await npv()).status === 401);
    });

    it('refuses on B, within 2 s, a user disabled through A, and lets them sign in again once enabled', async () => {
      const session = await user('u-disabled', 'demo', 'member');
      const feed = await stream(b.url, { authorization: `Bearer ${session.accessToken}` });
      expect((await call(a.url, 'PATCH', '/api/v1/admin/users/u-disabled', { token: root, body: { disabled: true } })).status).toBe(200);
      await revokedWithin2s(feed);
      await within2s('B refuses the disabled user', async () => (await call(b.url, 'GET', '/api/v1/me', { token: session.accessToken })).status === 401);
      const login = (url: string) => call(url, 'POST', '/api/v1/auth/login', { body: { email: 'u-disabled@example.test', password: PASSWORD } });
      expect((await login(b.url)).status).toBe(403);
      expect((await call(b.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } })).status).toBe(403);
      expect((await call(a.url, 'PATCH', '/api/v1/admin/users/u-disabled', { token: root, body: { disabled: false } })).status).toBe(200);
      expect((await login(b.url)).status).toBe(200);
    });

    it('ends on B, within 2 s, the stream of an API key deleted through A, and of a session signed out through A', async () => {
      const key = await call(a.url, 'POST', '/api/v1/admin/tenants/demo/api-keys', { token: root, body: { name: 'feed', role: 'viewer' } });
      expect(key.status).toBe(201);
      const keyFeed = await stream(b.url, { 'x-api-key': key.body.key });
      const session = await user('u-leaving', 'demo', 'viewer');
      const sessionFeed = await stream(b.url, { authorization: `Bearer ${session.accessToken}` });
      expect((await call(a.url, 'DELETE', `/api/v1/admin/tenants/demo/api-keys/${key.body.id}`, { token: root })).status).toBe(204);
      expect((await call(a.url, 'POST', '/api/v1/auth/logout', { body: { refreshToken: session.refreshToken } })).status).toBe(204);
      await Promise.all([revokedWithin2s(keyFeed), revokedWithin2s(sessionFeed)]);
      expect((await call(b.url, 'GET', '/api/v1/me', { token: session.accessToken })).status).toBe(401);
    });

    it('ends on B, within 2 s, the streams of a tenant suspended through A', async () => {
      expect((await call(a.url, 'POST', '/api/v1/admin/tenants', { token: root, body: { id: 'soon-suspended', name: 'Soon suspended' } })).status).toBe(201);
      const key = await call(a.url, 'POST', '/api/v1/admin/tenants/soon-suspended/api-keys', { token: root, body: { name: 'feed', role: 'viewer' } });
      const feed = await stream(b.url, { 'x-api-key': key.body.key });
      expect((await call(a.url, 'PATCH', '/api/v1/admin/tenants/soon-suspended', { token: root, body: { status: 'suspended' } })).status).toBe(200);
      await revokedWithin2s(feed);
    });

    it('counts failed sign-ins on both instances (Redis): failures split across A and B lock the account on both', async () => {
      await user('u-target', 'demo', 'member');
      const wrong = (url: string) => call(url, 'POST', '/api/v1/auth/login', { body: { email: 'u-target@example.test', password: 'not the password' } });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await wrong(i % 2 === 0 ? a.url : b.url)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      for (const url of [a.url, b.url]) {
        const right = await call(url, 'POST', '/api/v1/auth/login', { body: { email: 'u-target@example.test', password: PASSWORD } });
        expect(right.status).toBe(429);
        expect(right.body.code).toBe('VV_TOO_MANY_ATTEMPTS');
        expect(Number(right.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      const redis = new Redis(TEST_REDIS_URL);
      try {
        expect((await redis.keys(`${prefix}:auth:*`)).length).toBeGreaterThan(0);
      } finally {
        await redis.quit();
      }
    });
  });
});
