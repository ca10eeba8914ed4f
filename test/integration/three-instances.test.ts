import { randomBytes } from 'node:crypto';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { signIn } from '../support/host-fixture';
import { startHostProcess, startRedisProcess, waitFor, type HostProcess, type RedisProcess } from '../support/host-process';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

// Three host processes on loopback sharing one PostgreSQL database and a private Redis, which the test stops and
// starts again: plugin-set changes reach every instance, and after a Redis outage they converge again.
describeWithPostgres('three host processes sharing PostgreSQL and Redis', () => {
  const database = `vv_three_${randomBytes(5).toString('hex')}`;
  let admin: Database;
  let redis: RedisProcess;
  let hosts: HostProcess[] = [];
  let token: string;

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${database}`);
    redis = await startRedisProcess();
    const env = { DATABASE_URL: postgresUrl(database), REDIS_URL: redis.url, VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    // A first, so first-boot seeding happens once; then B and C together.
    hosts = [await startHostProcess(env)];
    hosts.push(...(await Promise.all([startHostProcess(env), startHostProcess(env)])));
    token = await signIn(hosts[0]!.url);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await redis?.stop();
    await admin?.execute(`drop database if exists ${database} with (force)`);
    await admin?.close();
  }, 30_000);

  const npvStatus = async (url: string): Promise<number> => {
    const res = await fetch(`${url}/api/v1/calculate/npv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rate: 0.1, cashFlows: [-100, 60, 60], convention: 't0' }),
    });
    await res.text();
    return res.status;
  };

  const setCalculation = async (enabled: boolean): Promise<void> => {
    const res = await fetch(`${hosts[0]!.url}/api/v1/admin/tenants/demo/plugins/calculation?cascade=true`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled }),
    });
    if (res.status !== 200) throw new Error(`PUT failed: ${res.status} ${await res.text()}`);
  };

  /** Milliseconds until every host answers `status`. */
  const allAnswer = async (status: number, timeoutMs: number): Promise<number> => {
    const started = Date.now();
    await Promise.all(hosts.map((h) => waitFor(async () => ((await npvStatus(h.url)) === status ? true : undefined), timeoutMs, `${h.url} answering ${status}`, 10)));
    return Date.now() - started;
  };

  it('serves a change made through A from B and C within 2 s, both ways', async () => {
    expect(await allAnswer(200, 2000)).toBeLessThan(2000);
    await setCalculation(false);
    expect(await allAnswer(404, 2000)).toBeLessThan(2000);
    await setCalculation(true);
    expect(await allAnswer(200, 2000)).toBeLessThan(2000);
  });

  it('keeps serving from cache while Redis is down and converges after it returns', async () => {
    await redis.stop();
    // A change made while Redis is down: A applies it at once (its own cache), B and C cannot hear of it.
    await setCalculation(false);
    expect(await npvStatus(hosts[0]!.url)).toBe(404);
    // B and C keep serving (from their caches) rather than failing.
    for (const h of hosts.slice(1)) expect([200, 404]).toContain(await npvStatus(h.url));
    await redis.start();
    // On reconnect every instance reloads every tenant: all converge on the stored state.
    await allAnswer(404, 15_000);
    await setCalculation(true);
    expect(await allAnswer(200, 2000)).toBeLessThan(2000);
  }, 60_000);
});
