/**
 * What OpenTelemetry tracing costs the host (issue #21): printed by `npm run bench -- host` (after its own figures)
 * and alone by `npm run bench -- tracing`. Hosts as `npm start` runs them (host/dist, PostgreSQL + Redis), driven by
 * wrk with `POST /api/v1/calculate/npv` (the host bench's hot path) and `GET /api/v1/value-models?limit=20` (a
 * plugin's tenant-bound read: PostgreSQL calls):
 *   off      the default: no OTEL_EXPORTER_OTLP_ENDPOINT, nothing of OpenTelemetry loaded;
 *   off-b    a second host like `off`: the noise floor (two identical hosts differ by this much);
 *   on       VV_TRACING=on as shipped: one trace in ten sampled (parentbased_traceidratio 0.1), exported over
 *            OTLP/HTTP to a loopback receiver in this process;
 *   on-all   every request sampled and exported (always_on), the worst case; only with VV_BENCH_TRACING_ALL=1.
 * The figure is the host process's CPU time per request served (utime + stime from /proc/<pid>/stat over the round,
 * divided by wrk's request count), which a shared machine disturbs far less than req/s, at the same offered load for
 * every host (half of what `off` serves flat out in its warm-up). Many short rounds alternate
 * the hosts (the order rotates each round); each round gives each host's ratio to `off` of the same round, and the
 * median of those ratios is printed with its spread (25th–75th percentile). Targets: `on` < 1.15, `off-b` within 2%
 * of 1 (tracing off has no per-request code of its own: the kernel picks its traced or plain path when it is built,
 * and host/src/tracing.test.ts shows nothing of the SDK loads).
 * Needs wrk, PostgreSQL and Redis; builds nothing (run `npx tsc -b tsconfig.build.json` first). Knobs:
 * VV_BENCH_TRACING_ROUNDS (default 15), VV_BENCH_TRACING_SECONDS (2), VV_BENCH_CONNECTIONS (32).
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

/** The value at quantile `q` (0–1) of `xs`, by linear interpolation. */
function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}

/** The 1-minute load average, for the report (figures from a loaded machine say so). */
function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export async function runTracingBench(): Promise<void> {
  if (!wrkAvailable()) throw new BenchUnavailable('wrk is not installed');
  const available = await serverAvailability();
  if (!available.postgres || !available.redis) throw new BenchUnavailable('PostgreSQL and Redis are required (test/support/services.ts URLs)');
  const sink = await startSink();
  const known = ['off', 'off-b', 'on', 'on-all', 'on-none'] as const;
  type HostName = (typeof known)[number];
  const asked = (process.env.VV_BENCH_TRACING_HOSTS ?? (process.env.VV_BENCH_TRACING_ALL === '1' ? 'off,off-b,on,on-all' : 'off,off-b,on')).split(',');
  const names = (['off', ...asked.filter((n) => n !== 'off')] as HostName[]).filter((n) => (known as readonly string[]).includes(n));
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
    const envOf = { off, 'off-b': off, on, 'on-all': onAll, 'on-none': { ...on, OTEL_TRACES_SAMPLER: 'always_off' } };
    for (let i = 0; i < names.length; i++) {
      hosts.push(await startWith(envOf[names[i]!], { databaseUrl: postgresUrl(databases[i]!), redisUrl: TEST_REDIS_URL, redisPrefix: prefixes[i]! }));
    }
    const seconds = envNumber('VV_BENCH_TRACING_SECONDS', 2);
    const rounds = envNumber('VV_BENCH_TRACING_ROUNDS', 15);
    const connections = envNumber('VV_BENCH_CONNECTIONS', 32);
    // The offered load, the same for every host: half of what `off` served flat out in its warm-up (a host's CPU per
    // request falls as its load rises — more requests per event-loop turn — so hosts compared at different rates
    // would differ by that too), at most VV_BENCH_TRACING_RPS; `VV_BENCH_TRACING_RPS=max`: each as fast as it serves.
    const flatOut = process.env.VV_BENCH_TRACING_RPS === 'max';
    const rateCap = envNumber('VV_BENCH_TRACING_RPS', 2000);
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
      `tracing: off (default), off-b (a second identical host: the noise floor), on (as shipped: 1 trace in 10 sampled, OTLP/HTTP export), ` +
        `on-all (every request sampled), on-none (tracing on, no request sampled): ${names.join(', ')}; load average ${loadAverage()}`,
    );
    const only = process.env.VV_BENCH_TRACING_ROUTE;
    for (const workload of workloads.filter((w) => only === undefined || w.label.includes(only))) {
      const requests = await Promise.all(hosts.map((host) => workload.requests(host)));
      const run = async (i: number, runSeconds: number, rate?: number) => {
        const host = hosts[i]!;
        const before = cpuMs(host.pid);
        const result = await runWrk(host.url, { seconds: runSeconds, connections, requests: requests[i]!, targetRps: rate });
        if (result.failures > 0) throw new Error(`${workload.label}: ${result.failures} of ${result.requests} requests to ${names[i]} failed`);
        return { rps: result.rps, p99: result.p99Ms, cpuUs: ((cpuMs(host.pid) - before) * 1000) / result.requests };
      };
      // Warm-up: the JIT, the caches and the pools of each host, flat out.
      const warm: number[] = [];
      for (let i = 0; i < names.length; i++) warm.push((await run(i, 3)).rps);
      const rate = flatOut ? undefined : Math.round(Math.min(rateCap, warm[0]! / 2));
      const ratios = new Map<string, { cpu: number[]; rps: number[] }>(names.map((n) => [n, { cpu: [], rps: [] }]));
      const absolute = new Map<string, { cpuUs: number[]; rps: number[] }>(names.map((n) => [n, { cpuUs: [], rps: [] }]));
      for (let round = 0; round < rounds; round++) {
        const measured: { rps: number; cpuUs: number }[] = [];
        for (let k = 0; k < names.length; k++) {
          const i = (k + round) % names.length;
          measured[i] = await run(i, seconds, rate);
        }
        for (let i = 0; i < names.length; i++) {
          ratios.get(names[i]!)!.cpu.push(measured[i]!.cpuUs / measured[0]!.cpuUs);
          ratios.get(names[i]!)!.rps.push(measured[i]!.rps / measured[0]!.rps);
          absolute.get(names[i]!)!.cpuUs.push(measured[i]!.cpuUs);
          absolute.get(names[i]!)!.rps.push(measured[i]!.rps);
        }
      }
      const spread = (xs: readonly number[]) => `${quantile(xs, 0.5).toFixed(3)} (${quantile(xs, 0.25).toFixed(3)}–${quantile(xs, 0.75).toFixed(3)})`;
      console.log(`  ${workload.label}, ${rate ? `${rate} req/s offered to each host` : 'each host flat out'} (load average now ${loadAverage()})`);
      for (const name of names) {
        const a = absolute.get(name)!;
        const r = ratios.get(name)!;
        console.log(
          `    ${name.padEnd(6)} ${quantile(a.rps, 0.5).toFixed(0).padStart(6)} req/s, CPU ${quantile(a.cpuUs, 0.5).toFixed(1).padStart(6)} µs/request; ` +
            `ratio to off, median (25th–75th percentile) of ${rounds} rounds: CPU/request ${spread(r.cpu)}, req/s ${spread(r.rps)}`,
        );
      }
      const onRatio = quantile(ratios.get('on')!.cpu, 0.5);
      const floor = quantile(ratios.get('off-b')!.cpu, 0.5);
      console.log(
        `    tracing on: CPU per request ×${onRatio.toFixed(3)} (target < 1.15: ${onRatio < 1.15 ? 'met' : 'NOT met'}); ` +
          `tracing off: a second off host ×${floor.toFixed(3)} (target within 2%: ${Math.abs(floor - 1) < 0.02 ? 'met' : 'NOT met'})`,
      );
      figure(`tracing on/off CPU per request, ${workload.label}`, onRatio, 'ratio', 'lower');
      figure(`tracing off-b/off CPU per request, ${workload.label}`, floor, 'ratio', 'lower');
    }
    console.log(`  (${rounds} rotating rounds of ${seconds} s per workload, ${connections} connections; the receiver got ${sink.spans()} spans)`);
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
