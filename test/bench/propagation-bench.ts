/**
 * `npm run bench -- propagation`: three host processes on loopback share PostgreSQL and Redis. For each of 200
 * plugin-set changes made through instance A, the delay until instances B and C both serve the new state
 * (target p99 < 100 ms). The baseline is one request's round trip to B, measured in the same run: a delay can
 * never be shorter than the request that observes it.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { openDatabase } from '@valueverse/backend-defaults';
import { signIn } from '../support/host-fixture';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { postgresUrl, serverAvailability, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

const CHANGES = 200;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runPropagationBench(): Promise<void> {
  const services = await serverAvailability();
  if (!services.postgres || !services.redis) {
    process.stdout.write('skipped: needs PostgreSQL and Redis (start them as docs/stack.md "Services" says)\n');
    return;
  }
  const database = `vv_prop_${randomBytes(5).toString('hex')}`;
  const admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
  await admin.execute(`create database ${database}`);
  // A Redis prefix of its own, deleted at the end: the bench leaves no queues or schedules on a shared Redis.
  const prefix = `vv-bench-${randomBytes(4).toString('hex')}`;
  const env = {
    DATABASE_URL: postgresUrl(database),
    REDIS_URL: TEST_REDIS_URL,
    VV_REDIS_PREFIX: prefix,
    VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'error',
  };
  const hosts: HostProcess[] = [];
  try {
    hosts.push(await startHostProcess(env));
    hosts.push(...(await Promise.all([startHostProcess(env), startHostProcess(env)])));
    const token = await signIn(hosts[0]!.url);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const probe = async (url: string): Promise<number> => {
      const res = await fetch(`${url}/api/v1/calculate/npv`, { method: 'POST', headers, body: '{"rate":0.1,"cashFlows":[-100,60],"convention":"t0"}' });
      await res.arrayBuffer();
      return res.status;
    };
    const until = async (url: string, status: number): Promise<void> => {
      for (let tries = 0; tries < 20_000; tries++) if ((await probe(url)) === status) return;
      throw new Error(`${url} never answered ${status}`);
    };

    // Baseline: one observing request's round trip.
    for (let i = 0; i < 50; i++) await probe(hosts[1]!.url);
    const roundTrips: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await probe(hosts[1]!.url);
      roundTrips.push(performance.now() - t);
    }

    const fromResponse: number[] = [];
    const fromRequest: number[] = [];
    let enabled = true;
    for (let i = 0; i < CHANGES; i++) {
      enabled = !enabled;
      const sent = performance.now();
      const res = await fetch(`${hosts[0]!.url}/api/v1/admin/tenants/demo/plugins/calculation?cascade=true`, { method: 'PUT', headers, body: JSON.stringify({ enabled }) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`change ${i} failed with ${res.status}`);
      const committed = performance.now();
      await Promise.all(hosts.slice(1).map((h) => until(h.url, enabled ? 200 : 404)));
      const seen = performance.now();
      fromResponse.push(seen - committed);
      fromRequest.push(seen - sent);
    }
    const sort = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const rt = sort(roundTrips);
    const resp = sort(fromResponse);
    const req = sort(fromRequest);
    const f = (ms: number) => `${ms.toFixed(1)} ms`;
    process.stdout.write(`baseline: one request round trip to B: p50 ${f(percentile(rt, 50))}, p99 ${f(percentile(rt, 99))}\n`);
    process.stdout.write(`${CHANGES} changes through A, until B and C both serve the new state:\n`);
    process.stdout.write(`  from A's response (change stored and broadcast): p50 ${f(percentile(resp, 50))}, p99 ${f(percentile(resp, 99))}, max ${f(resp[resp.length - 1]!)}\n`);
    process.stdout.write(
      `  from A's request: p50 ${f(percentile(req, 50))}, p99 ${f(percentile(req, 99))} (target p99 < 100 ms: ${percentile(req, 99) < 100 ? 'met' : 'NOT met'})\n`,
    );
    process.stdout.write(`  p99 delay / p50 request round trip: ${(percentile(resp, 99) / percentile(rt, 50)).toFixed(1)}x\n`);
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
    await admin.execute(`drop database if exists ${database} with (force)`);
    await admin.close();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}
