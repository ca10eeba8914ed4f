/**
 * `npm run bench -- billing` (issue #17): usage ingestion and summaries on the real host (`node host/dist/cli.js
 * start` on PostgreSQL + Redis), each beside a baseline measured in the same run:
 *  (a) single-event `POST /api/v1/billing/usage` from 32 keep-alive clients, events/s, against `POST
 *      /api/v1/calculate/npv` from the same clients (the same authentication and dispatch, no database write);
 *      target ≥ 3,000 events/s;
 *  (b) batches of 1,000 events, events/s, against the same 1,000-row `INSERT … ON CONFLICT DO NOTHING` sent by `pg`
 *      straight to PostgreSQL into a bare table (what the database alone costs); target ≥ 50,000 events/s;
 *  (c) `GET /api/v1/billing/usage/summary` (30 days by day) p99 over 1,000,000 stored events
 *      (VV_BENCH_BILLING_EVENTS), against `GET /health/live`'s p99; target < 50 ms.
 * Knobs: VV_BENCH_SECONDS (per measurement, default 8), VV_BENCH_CONNECTIONS (32), VV_BENCH_BILLING_EVENTS.
 * Builds nothing: run `npx tsc -b tsconfig.build.json` first.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { postgresUrl, serverAvailability, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';
import { figure } from './figures';
import { BENCH_TENANT, HostUnderTest } from './host-under-test';
import { BenchUnavailable } from './host-bench';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** Closed-loop POSTs (or GETs) from `connections` keep-alive clients for `seconds`; every answer must be 2xx. */
async function load(
  url: string,
  options: { seconds: number; connections: number; token: string; method: 'GET' | 'POST'; body: (n: number) => string | undefined },
): Promise<{ requests: number; rps: number; latencies: number[] }> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const deadline = Date.now() + options.seconds * 1000;
  let sent = 0;
  const latencies: number[] = [];
  const one = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const body = options.body(n);
      const started = performance.now();
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: options.method,
          agent,
          headers: { authorization: `Bearer ${options.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => {
            latencies.push(performance.now() - started);
            if ((res.statusCode ?? 500) >= 300) reject(new Error(`${options.method} ${target.pathname} answered ${res.statusCode}: ${text.slice(0, 200)}`));
            else resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (Date.now() < deadline) await one(sent++);
    }),
  );
  agent.destroy();
  return { requests: latencies.length, rps: latencies.length / ((Date.now() - started) / 1000), latencies };
}

export async function runBillingBench(): Promise<void> {
  const services = await serverAvailability();
  if (!services.postgres || !services.redis) throw new BenchUnavailable('the billing bench needs PostgreSQL and Redis (test/support/services.ts)');
  const seconds = envNumber('VV_BENCH_SECONDS', 8);
  const connections = envNumber('VV_BENCH_CONNECTIONS', 32);
  const stored = envNumber('VV_BENCH_BILLING_EVENTS', 1_000_000);
  const database = `vv_bench_billing_${randomBytes(4).toString('hex')}`;
  const prefix = `vv-bench-billing-${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  let host: HostUnderTest | undefined;
  const direct = new Client({ connectionString: postgresUrl(database) });
  try {
    host = await HostUnderTest.start({ databaseUrl: postgresUrl(database), redisUrl: TEST_REDIS_URL, redisPrefix: prefix });
    await fetch(`${host.url}/api/v1/admin/tenants/${BENCH_TENANT}/plugins/billing`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${host.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, config: { usageGraceHours: 2160 } }),
    }).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`enabling billing answered ${r.status}`))));
    // Setting up takes a tenant admin of the bench tenant; the member's token is what a metering client has.
    const password = randomBytes(18).toString('base64url');
    const json = (p: string, body: unknown, bearer: string | undefined) =>
      fetch(`${host!.url}${p}`, {
        method: 'POST',
        headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => {
        const text = await r.text();
        if (!r.ok) throw new Error(`${p} answered ${r.status}: ${text.slice(0, 200)}`);
        return JSON.parse(text) as Record<string, unknown>;
      });
    await json(`/api/v1/admin/tenants/${BENCH_TENANT}/members`, { email: 'bench-billing-admin@example.com', role: 'tenant-admin', password }, host.adminToken);
    const tenantAdmin = String((await json('/api/v1/auth/login', { email: 'bench-billing-admin@example.com', password, tenantId: BENCH_TENANT }, undefined)).accessToken);
    const adminPost = (p: string, body: unknown) => json(p, body, tenantAdmin);
    for (const c of ['bench-a', 'bench-b', 'bench-c', 'bench-d']) await adminPost('/api/v1/billing/customers', { externalId: c, name: c, currency: 'USD' });
    await adminPost('/api/v1/billing/metrics', { code: 'calls', name: 'Calls', aggregation: 'count' });
    const token = await host.memberToken();
    const run = randomBytes(3).toString('hex');
    const now = Date.now();
    const event = (n: number, prefixId: string) => ({
      transactionId: `${prefixId}-${run}-${n}`,
      customerId: `bench-${'abcd'[n % 4]}`,
      metric: 'calls',
      timestamp: new Date(now - (n % 720) * 3_600_000).toISOString(),
    });

    // (a) single events vs a plugin POST without a database write.
    const npv = JSON.stringify({ rate: 0.08, cashFlows: [-10000, 3000, 4200, 6800, 2500, 1200], convention: 't0' });
    await load(`${host.url}/api/v1/calculate/npv`, { seconds: 3, connections, token, method: 'POST', body: () => npv });
    await load(`${host.url}/api/v1/billing/usage`, { seconds: 3, connections, token, method: 'POST', body: (n) => JSON.stringify(event(n, 'warm')) });
    const baselineA = await load(`${host.url}/api/v1/calculate/npv`, { seconds, connections, token, method: 'POST', body: () => npv });
    const single = await load(`${host.url}/api/v1/billing/usage`, { seconds, connections, token, method: 'POST', body: (n) => JSON.stringify(event(n, 'single')) });
    console.log(`(a) single-event POST /billing/usage at ${connections} clients: ${single.rps.toFixed(0)} events/s, p99 ${percentile(single.latencies, 0.99).toFixed(1)} ms`);
    console.log(
      `    baseline POST /calculate/npv: ${baselineA.rps.toFixed(0)} req/s → ratio ${(single.rps / baselineA.rps).toFixed(2)} (target ≥ 3,000 events/s: ${single.rps >= 3000 ? 'met' : 'NOT met'})`,
    );
    figure('billing single events/s', single.rps, 'events/s', 'higher');

    // (b) batches of 1,000 vs the same INSERT straight to PostgreSQL.
    const batch = (n: number) => JSON.stringify({ events: Array.from({ length: 1000 }, (_, i) => event(n * 1000 + i, 'batch')) });
    const batches = await load(`${host.url}/api/v1/billing/usage`, { seconds, connections: 4, token, method: 'POST', body: batch });
    const batchRate = (batches.requests * 1000) / (batches.requests / batches.rps);
    await direct.connect();
    await direct.query(
      'create table public.bench_baseline (tenant_id text, transaction_id text, customer_id text, occurred_at timestamptz, primary key (tenant_id, transaction_id))',
    );
    let rows = 0;
    const started = Date.now();
    for (let n = 0; Date.now() - started < seconds * 1000; n++) {
      const ids = Array.from({ length: 1000 }, (_, i) => `base-${n}-${i}`);
      await direct.query(`insert into public.bench_baseline select 'bench', t, 'c', now() from unnest($1::text[]) as t on conflict do nothing`, [ids]);
      rows += 1000;
    }
    const baselineB = rows / ((Date.now() - started) / 1000);
    console.log(`(b) batches of 1,000 (4 clients): ${batchRate.toFixed(0)} events/s, p99 ${percentile(batches.latencies, 0.99).toFixed(0)} ms per batch`);
    console.log(
      `    baseline pg INSERT … ON CONFLICT of 1,000 rows, one connection: ${baselineB.toFixed(0)} rows/s → ratio ${(batchRate / baselineB).toFixed(2)} (target ≥ 50,000 events/s: ${batchRate >= 50_000 ? 'met' : 'NOT met'})`,
    );
    figure('billing batch events/s', batchRate, 'events/s', 'higher');

    // (c) fill to `stored` events, then summary p99.
    const [{ n: have }] = (await direct.query(`select count(*)::int as n from billing.usage_events`)).rows as [{ n: number }];
    let filled = Number(have);
    const fillStarted = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (filled < stored) {
          const n = next++;
          filled += 1000;
          const res = await fetch(`${host!.url}/api/v1/billing/usage`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events: Array.from({ length: 1000 }, (_, i) => event(n * 1000 + i, 'fill')) }),
          });
          if (!res.ok) throw new Error(`filling answered ${res.status}`);
          await res.text();
        }
      }),
    );
    const [{ n: total }] = (await direct.query(`select count(*)::int as n from billing.usage_events`)).rows as [{ n: number }];
    console.log(`    stored ${total} events (filled in ${((Date.now() - fillStarted) / 1000).toFixed(0)} s)`);
    const from = encodeURIComponent(new Date(now - 30 * 86_400_000).toISOString());
    const summaryUrl = `${host.url}/api/v1/billing/usage/summary?customerId=bench-a&metric=calls&from=${from}&granularity=day`;
    await load(summaryUrl, { seconds: 2, connections: 4, token, method: 'GET', body: () => undefined });
    const summary = await load(summaryUrl, { seconds, connections: 4, token, method: 'GET', body: () => undefined });
    const live = await load(`${host.url}/health/live`, { seconds, connections: 4, token, method: 'GET', body: () => undefined });
    const p99 = percentile(summary.latencies, 0.99);
    console.log(`(c) summary (30 days by day) over ${total} events: p99 ${p99.toFixed(1)} ms, ${summary.rps.toFixed(0)} req/s at 4 clients`);
    console.log(
      `    baseline GET /health/live p99 ${percentile(live.latencies, 0.99).toFixed(1)} ms → ratio ${(p99 / percentile(live.latencies, 0.99)).toFixed(1)} (target < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'})`,
    );
    figure('billing summary p99', p99, 'ms', 'lower');
  } finally {
    await host?.stop();
    await direct.end().catch(() => undefined);
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}
