/**
 * `npm run bench -- tracing`: what OpenTelemetry tracing costs the host (issue #21). Three hosts as `npm start` runs
 * them (host/dist, PostgreSQL + Redis), driven by wrk from its own process with `POST /api/v1/calculate/npv` (the
 * host bench's hot path) and `GET /api/v1/value-models?limit=20` (a plugin's tenant-bound read: PostgreSQL spans):
 *   off      the default: no OTEL_EXPORTER_OTLP_ENDPOINT, nothing of OpenTelemetry loaded;
 *   off-b    a second host like `off`: the noise floor of the machine (two identical hosts differ by this much);
 *   on       VV_TRACING=on as shipped: one trace in ten sampled (parentbased_traceidratio 0.1) and exported over
 *            OTLP/HTTP to a loopback receiver in this process;
 *   on-all   every request sampled and exported (always_on): the worst case, for comparison.
 * Rounds alternate the three (the order rotates) and medians are compared: req/s and server CPU per request as
 * ratios to `off`. Targets: `on` costs < 15% (CPU per request ratio < 1.15); `off` beside `off-b` shows what a
 * difference under 2% looks like here. (Tracing off has no per-request code of its own: the kernel picks its traced
 * or plain path when it is built, test host/src/tracing.test.ts shows nothing of the SDK loads.)
 * Needs wrk, PostgreSQL and Redis; builds nothing (run `npx tsc -b tsconfig.build.json` first). Knobs as the host
 * bench: VV_BENCH_SECONDS (default 8), VV_BENCH_ROUNDS (5), VV_BENCH_CONNECTIONS (32).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Redis from 'ioredis';
import { postgresUrl, serverAvailability, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';
import { figure } from './figures';
import { BenchUnavailable } from './host-bench';
import { HostUnderTest } from './host-under-test';
import { runWrk, wrkAvailable, type WrkRequest } from './wrk-runner';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const NPV_BODY = JSON.stringify({ rate: 0.08, cashFlows: [-10000, 3000, 4200, 6800, 2500, 1200], convention: 't0' });

/** A loopback OTLP/HTTP receiver that counts the spans it is sent (JSON) and answers 200. */
function startSink(): Promise<{ url: string; spans: () => number; close(): void }> {
  let spans = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      spans += (body.match(/"spanId"/g) ?? []).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        spans: () => spans,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

/** Starts a host with `env` added to this process's environment for the start only. */
async function startWith(env: Record<string, string | undefined>, options: Parameters<typeof HostUnderTest.start>[0]): Promise<HostUnderTest> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await HostUnderTest.start(options);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export async function runTracingBench(): Promise<void> {
  if (!wrkAvailable()) throw new BenchUnavailable('wrk is not installed');
  const available = await serverAvailability();
  if (!available.postgres || !available.redis) throw new BenchUnavailable('PostgreSQL and Redis are required (test/support/services.ts URLs)');
  const sink = await startSink();
  const names = ['off', 'off-b', 'on', 'on-all'] as const;
  const databases = names.map((n) => `vv_bench_tracing_${n.replace('-', '_')}_${randomBytes(3).toString('hex')}`);
  const prefixes = names.map((n) => `vv-bench-tracing-${n}-${randomBytes(3).toString('hex')}`);
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const hosts: HostUnderTest[] = [];
  try {
    for (const database of databases) await admin.query(`create database ${database}`);
    const off = { VV_TRACING: 'off', OTEL_EXPORTER_OTLP_ENDPOINT: undefined };
    const on = { VV_TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: undefined, OTEL_SERVICE_NAME: 'bench' };
    const onAll = { ...on, OTEL_TRACES_SAMPLER: 'always_on' };
    const envOf = { off, 'off-b': off, on, 'on-all': onAll };
    for (let i = 0; i < names.length; i++) {
      hosts.push(await startWith(envOf[names[i]!], { databaseUrl: postgresUrl(databases[i]!), redisUrl: TEST_REDIS_URL, redisPrefix: prefixes[i]! }));
    }
    const seconds = envNumber('VV_BENCH_SECONDS', 8);
    const rounds = envNumber('VV_BENCH_ROUNDS', 5);
    const connections = envNumber('VV_BENCH_CONNECTIONS', 32);
    const workloads: { label: string; requests: (host: HostUnderTest) => Promise<WrkRequest[]> }[] = [
      {
        label: 'POST /api/v1/calculate/npv',
        requests: async (host) => [
          { method: 'POST', path: '/api/v1/calculate/npv', headers: { authorization: `Bearer ${await host.memberToken()}`, 'content-type': 'application/json' }, body: NPV_BODY },
        ],
      },
      {
        label: 'GET /api/v1/value-models?limit=20',
        requests: async (host) => [{ method: 'GET', path: '/api/v1/value-models?limit=20', headers: { authorization: `Bearer ${await host.memberToken()}` } }],
      },
    ];
    console.log(
      'tracing: off (default), off-b (a second identical host: the noise floor), on (as shipped: 1 trace in 10 sampled, OTLP/HTTP export), on-all (every request sampled)',
    );
    for (const workload of workloads) {
      const results = new Map<string, { rps: number; p99: number; cpuUs: number }[]>(names.map((n) => [n, []]));
      const run = async (i: number, runSeconds: number) => {
        const host = hosts[i]!;
        const requests = await workload.requests(host);
        const before = cpuMs(host.pid);
        const result = await runWrk(host.url, { seconds: runSeconds, connections, requests });
        if (result.failures > 0) throw new Error(`${workload.label}: ${result.failures} of ${result.requests} requests to ${names[i]} failed`);
        return { rps: result.rps, p99: result.p99Ms, cpuUs: ((cpuMs(host.pid) - before) * 1000) / result.requests };
      };
      for (let i = 0; i < names.length; i++) await run(i, 4);
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < names.length; k++) {
          const i = (k + round) % names.length;
          results.get(names[i]!)!.push(await run(i, seconds));
        }
      }
      const m = (name: string, key: 'rps' | 'p99' | 'cpuUs') => median(results.get(name)!.map((r) => r[key]));
      console.log(`  ${workload.label}`);
      for (const name of names) {
        console.log(
          `    ${name.padEnd(6)} ${m(name, 'rps').toFixed(0)} req/s, p99 ${m(name, 'p99').toFixed(2)} ms, CPU ${m(name, 'cpuUs').toFixed(0)} µs/request; ` +
            `ratio to off: req/s ${(m(name, 'rps') / m('off', 'rps')).toFixed(3)}, CPU/request ${(m(name, 'cpuUs') / m('off', 'cpuUs')).toFixed(3)}`,
        );
      }
      const onCost = m('on', 'cpuUs') / m('off', 'cpuUs') - 1;
      const floor = Math.abs(m('off-b', 'cpuUs') / m('off', 'cpuUs') - 1);
      const allCost = m('on-all', 'cpuUs') / m('off', 'cpuUs') - 1;
      console.log(
        `    tracing on costs ${(onCost * 100).toFixed(1)}% CPU per request (target < 15%: ${onCost < 0.15 ? 'met' : 'NOT met'}), every request sampled ${(allCost * 100).toFixed(1)}%; ` +
          `two identical hosts (off, off-b) differ by ${(floor * 100).toFixed(1)}% (tracing off adds no per-request work: target < 2%)`,
      );
      figure(`tracing on/off CPU per request, ${workload.label}`, onCost + 1, 'ratio', 'lower');
    }
    console.log(`  (${rounds} rotating rounds of ${seconds} s, ${connections} connections, medians; the receiver got ${sink.spans()} spans)`);
  } finally {
    for (const host of hosts) await host.stop().catch(() => undefined);
    for (const database of databases) await admin.query(`drop database if exists ${database} with (force)`).catch(() => undefined);
    await admin.end();
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
    sink.close();
  }
}
