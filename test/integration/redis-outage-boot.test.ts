import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { isVvError } from '@valueverse/plugin-sdk';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { bootHost, signIn } from '../support/host-fixture';
import { freePort, waitFor } from '../support/host-process';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

type Host = Awaited<ReturnType<typeof bootHost>>;

interface Ready {
  readonly status: number;
  readonly body: { status: string; dependencies: Record<string, string> };
}

// Issue #10, finding 6: with REDIS_URL pointing at a port where nothing listens yet, two hosts boot degraded (local
// bus, rate limiter failing open, job enqueues refused with 503, readiness `redis: unavailable`), and converge once a
// Redis server comes up on that port: events cross instances, the limiter keeps buckets in Redis, jobs are queued
// and run. The Redis server is this suite's own child process on a free port (never the shared one), killed after.
describeWithPostgres('booting while Redis is unreachable', () => {
  const dbName = `vv_redisout_${randomBytes(5).toString('hex')}`;
  const prefix = `vv-redisout-${randomBytes(4).toString('hex')}`;
  let port: number;
  let admin: Database;
  let a: Host | undefined;
  let b: Host | undefined;
  let redisServer: ChildProcess | undefined;
  const killRedis = () => redisServer?.kill('SIGKILL');

  beforeAll(async () => {
    port = await freePort();
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${dbName}`);
    // Whatever happens to the test, the Redis server it starts dies with it.
    process.once('exit', killRedis);
  }, 30_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    killRedis();
    process.off('exit', killRedis);
    await admin?.execute(`drop database if exists ${dbName} with (force)`);
    await admin?.close();
  }, 30_000);

  const ready = async (host: Host): Promise<Ready> => {
    const res = await fetch(`${host.url}/health/ready`);
    return { status: res.status, body: (await res.json()) as Ready['body'] };
  };

  it('boots degraded, reports redis unavailable, and converges when Redis comes up', async () => {
    const env = { DATABASE_URL: postgresUrl(dbName), REDIS_URL: `redis://127.0.0.1:${port}`, VV_REDIS_PREFIX: prefix, VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const bootStarted = Date.now();
    a = await bootHost(env);
    b = await bootHost(env);
    const bootMs = Date.now() - bootStarted;

    // Degraded: 200 (it serves), Redis named.
    for (const host of [a, b]) {
      expect(await ready(host)).toMatchObject({ status: 200, body: { status: 'degraded', dependencies: { database: 'ok', redis: 'unavailable' } } });
    }
    const token = await signIn(a.url);
    const models = await fetch(`${a.url}/api/v1/value-models?limit=5`, { headers: { authorization: `Bearer ${token}` } });
    expect(models.status).toBe(200); // the rate limiter lets requests through

    // The job queue refuses (503 VV_UNAVAILABLE with Retry-After) rather than acknowledging a job it cannot keep.
    const calculation = a.kernel.plugins().find((p) => p.id === 'calculation')!;
    const jobs = a.kernel.jobs.forPlugin(calculation.manifest);
    const ran: unknown[] = [];
    jobs.define('redis-outage-probe', async (job) => {
      ran.push(job.data);
    });
    const refused = await jobs.enqueue('redis-outage-probe', 'demo', { n: 0 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isVvError(refused) && { code: refused.code, status: refused.status, retryAfter: refused.headers['Retry-After'] }).toEqual({
      code: 'VV_UNAVAILABLE',
      status: 503,
      retryAfter: '2',
    });

    // Events stay on their instance meanwhile.
    const received: unknown[] = [];
    b.kernel.events.subscribe('redis-outage.probe', (event) => void received.push(event.payload), 'test', { kernelEvents: true });

    // Redis appears on the port.
    redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const convergeStarted = Date.now();
    for (const host of [a, b]) {
      await waitFor(
        async () => {
          const r = await ready(host);
          return r.status === 200 && r.body.status === 'ready' ? r : undefined;
        },
        20_000,
        `${host.url} ready with Redis`,
        100,
      );
    }
    expect((await ready(a)).body.dependencies).toEqual({ database: 'ok', redis: 'ok' });

    // The event bridge carries A's events to B.
    let n = 0;
    await waitFor(
      async () => {
        await a!.kernel.events.publishKernelEvent('redis-outage.probe', 'demo', { n: (n += 1) });
        return received.length > 0 ? true : undefined;
      },
      10_000,
      'an event from A received on B',
      200,
    );

    // Plugin-set changes made through A reach B (change feed / bridge): B had cached "enabled".
    const npv = (url: string) =>
      fetch(`${url}/api/v1/calculate/npv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ rate: 0.1, cashFlows: [-100, 60, 60], convention: 't0' }),
      }).then(async (res) => (await res.text(), res.status));
    expect(await npv(b.url)).toBe(200);
    const off = await fetch(`${a.url}/api/v1/admin/tenants/demo/plugins/calculation?cascade=true`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(off.status).toBe(200);
    await waitFor(async () => ((await npv(b!.url)) === 404 ? true : undefined), 5000, 'B seeing the change made through A', 50);

    // Jobs are queued in Redis and run.
    await jobs.enqueue('redis-outage-probe', 'demo', { n: 1 });
    await waitFor(async () => (ran.length > 0 ? true : undefined), 10_000, 'the job running', 100);
    expect(ran).toEqual([{ n: 1 }]);

    // The rate limiter keeps its buckets in Redis now.
    const redis = new Redis(`redis://127.0.0.1:${port}`);
    try {
      await fetch(`${a.url}/api/v1/value-models?limit=5`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text());
      expect((await redis.keys(`${prefix}:rl:*`)).length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
    console.log(`booted two hosts without Redis in ${bootMs} ms; converged ${Date.now() - convergeStarted} ms after Redis started`);
  }, 120_000);
});
