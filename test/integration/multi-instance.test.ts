import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { bootHost, signIn } from '../support/host-fixture';
import { describeWithPostgres, describeWithRedis, postgresUrl, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

// Two host instances sharing one PostgreSQL database and Redis: a plugin-set change made through A is served by B.
describeWithPostgres('host instances on PostgreSQL and Redis', () => {
  describeWithRedis('plugin-set changes propagate', () => {
    const database = `vv_multi_${randomBytes(5).toString('hex')}`;
    // A Redis prefix of its own, deleted at the end: nothing is left on the shared Redis.
    const prefix = `vv-multi-${randomBytes(4).toString('hex')}`;
    let admin: Database;
    let a: Awaited<ReturnType<typeof bootHost>>;
    let b: Awaited<ReturnType<typeof bootHost>>;

    beforeAll(async () => {
      admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
      await admin.execute(`create database ${database}`);
      const env = { DATABASE_URL: postgresUrl(database), REDIS_URL: TEST_REDIS_URL, VV_REDIS_PREFIX: prefix, VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
      a = await bootHost(env);
      b = await bootHost(env);
    }, 60_000);

    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await admin?.execute(`drop database if exists ${database} with (force)`);
      await admin?.close();
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });

    async function npvStatus(url: string, token: string): Promise<number> {
      const res = await fetch(`${url}/api/v1/calculate/npv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ rate: 0.1, cashFlows: [-100, 60, 60], convention: 't0' }),
      });
      await res.text();
      return res.status;
    }

    async function waitForStatus(url: string, token: string, status: number): Promise<number> {
      const started = Date.now();
      while (Date.now() - started < 2000) {
        if ((await npvStatus(url, token)) === status) return Date.now() - started;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`${url} did not answer ${status} within 2 s`);
    }

    it('serves a change made through A from B within 2 s', async () => {
      const token = await signIn(a.url);
      expect(await npvStatus(b.url, token)).toBe(200);
      const off = await fetch(`${a.url}/api/v1/admin/tenants/demo/plugins/calculation?cascade=true`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false }),
      });
      expect(off.status).toBe(200);
      await waitForStatus(b.url, token, 404);
      const on = await fetch(`${a.url}/api/v1/admin/tenants/demo/plugins/calculation?cascade=true`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: true }),
      });
      expect(on.status).toBe(200);
      await waitForStatus(b.url, token, 200);
    });
  });
});
