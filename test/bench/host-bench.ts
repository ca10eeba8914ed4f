/**
 * `npm run bench -- host`: what production runs, beside what a hand-written server costs, from one run.
 * The host runs as `npm start` runs it (`node <its flags> host/dist/cli.js start`: the young generation's fixed size
 * among them, README "Memory").
 *  (a) `POST /api/v1/calculate/npv` on the real host (`node host/dist/cli.js start` on PostgreSQL + Redis, bearer
 *      token, the tenant's rate limit raised) against bare Koa + @koa/router + @koa/bodyparser computing the same
 *      NPV: req/s and p99 of both, their ratios (targets: req/s ratio >= 0.75, p99 <= 2x bare);
 *  (b) `GET /api/v1/value-models?limit=20` (a plugin's tenant-bound read, empty tenant) against bare Koa + `pg`
 *      running the same transaction (target: req/s ratio >= 0.6);
 *  (c) the embedded default (test/bench/embedded-bench.ts): first and second start to ready, RSS (targets < 10 s,
 *      < 400 MB; VV_BENCH_EMBEDDED_ROUNDS, default 2);
 *  (d) a mixed soak at about 1,100 req/s (default 5 minutes, `VV_BENCH_SOAK_SECONDS`) printing the host's RSS over
 *      time and whether the last minute is within 10% of the second.
 *
 * Builds nothing: run `npx tsc -b tsconfig.build.json` first. wrk drives every side from its own process; rounds
 * alternate host/bare (and which goes first) so that drift on a shared machine hits both alike, and the medians are
 * compared. Needs wrk, PostgreSQL and Redis (the test URLs of test/support/services.ts); without them it says so and
 * exits non-zero. Knobs: VV_BENCH_SECONDS (per round, default 8), VV_BENCH_ROUNDS (5), VV_BENCH_CONNECTIONS (32),
 * VV_BENCH_SOAK_SECONDS (300), VV_BENCH_HOST_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Redis from 'ioredis';
import { postgresUrl, serverAvailability, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';
import { BaselineServer, BENCH_TENANT, HostUnderTest, rssMb } from './host-under-test';
import { formatEmbedded, measureEmbedded } from './embedded-bench';
import { runWrk, wrkAvailable, type WrkRequest, type WrkResult } from './wrk-runner';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };

/** Thrown when the bench cannot run here (no wrk, no PostgreSQL or Redis, no build); run.ts exits non-zero. */
export class BenchUnavailable extends Error {}

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const NPV_BODY = JSON.stringify({ rate: 0.08, cashFlows: [-10000, 3000, 4200, 6800, 2500, 1200], convention: 't0' });
const LIST_PATH = '/api/v1/value-models?limit=20';
/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Side {
  readonly url: string;
  readonly pid: number;
  /** The requests of one run; a function because the host's token is renewed before each run. */
  requests(): Promise<WrkRequest[]>;
}

/**
 * Alternating rounds of wrk against `host` and `bare` (the order flips every round), after a warm-up of each.
 * Every answer must be 2xx: a 401 or 429 would measure something else.
 */
async function compare(label: string, host: Side, bare: Side, target: { rps: number; p99?: number }): Promise<void> {
  const seconds = envNumber('VV_BENCH_SECONDS', 8);
  const rounds = envNumber('VV_BENCH_ROUNDS', 5);
  const connections = envNumber('VV_BENCH_CONNECTIONS', 32);
  const run = async (side: Side, runSeconds: number): Promise<WrkResult & { cpuUs: number }> => {
    const requests = await side.requests();
    const before = cpuMs(side.pid);
    const result = await runWrk(side.url, { seconds: runSeconds, connections, requests });
    if (result.failures > 0) throw new Error(`${label}: ${result.failures} of ${result.requests} requests to ${side === host ? 'the host' : 'the bare server'} failed`);
    return { ...result, cpuUs: ((cpuMs(side.pid) - before) * 1000) / result.requests };
  };
  // Warm-up: JIT, and the host's first collections of what its boot left behind.
  await run(host, 5);
  await run(bare, 5);
  const hostRuns: (WrkResult & { cpuUs: number })[] = [];
  const bareRuns: (WrkResult & { cpuUs: number })[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      hostRuns.push(await run(host, seconds));
      bareRuns.push(await run(bare, seconds));
    } else {
      bareRuns.push(await run(bare, seconds));
      hostRuns.push(await run(host, seconds));
    }
  }
  const hostRps = median(hostRuns.map((r) => r.rps));
  const bareRps = median(bareRuns.map((r) => r.rps));
  const hostP99 = median(hostRuns.map((r) => r.p99Ms));
  const bareP99 = median(bareRuns.map((r) => r.p99Ms));
  const hostCpu = median(hostRuns.map((r) => r.cpuUs));
  const bareCpu = median(bareRuns.map((r) => r.cpuUs));
  const ratio = hostRps / bareRps;
  const p99Ratio = hostP99 / bareP99;
  const perRound = hostRuns.map((h, i) => (h.rps / bareRuns[i]!.rps).toFixed(2)).join(' ');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`${label}`);
  console.log(`    host ${hostRps.toFixed(0)} req/s, p99 ${hostP99.toFixed(2)} ms | bare ${bareRps.toFixed(0)} req/s, p99 ${bareP99.toFixed(2)} ms`);
  console.log(`    ratio ${ratio.toFixed(3)} (target >= ${target.rps}: ${verdict(ratio >= target.rps)}); per round: ${perRound}`);
  if (target.p99 !== undefined) console.log(`    p99 host/bare ${p99Ratio.toFixed(2)} (target <= ${target.p99}: ${verdict(p99Ratio <= target.p99)})`);
  else console.log(`    p99 host/bare ${p99Ratio.toFixed(2)}`);
  // CPU time per request is what one core can serve whatever else runs on the machine: the steadier figure here.
  console.log(`    server CPU per request: host ${hostCpu.toFixed(0)} µs, bare ${bareCpu.toFixed(0)} µs; capacity ratio (bare/host) ${(bareCpu / hostCpu).toFixed(3)}`);
  console.log(`    (${rounds} alternating rounds of ${seconds} s, ${connections} connections, medians; the machine is shared, so compare ratios)`);
}

/**
 * (c) The embedded default (PGlite): RSS after boot and the first start's time to ready. Hook for the "embedded"
 * work of issue #14: `measureEmbedded()` (test/bench/) prints those figures; the integrator calls it here.
 */
async function embeddedSection(): Promise<void> {
  // The host's Node and flags as `npm start` runs it; two rounds keep the whole bench near its usual length.
  const figures = await measureEmbedded({ rounds: envNumber('VV_BENCH_EMBEDDED_ROUNDS', 2), withoutTemplate: false });
  for (const line of formatEmbedded(figures, '(c)')) console.log(line);
}

/**
 * (d) Mixed routes at about 1,100 req/s for VV_BENCH_SOAK_SECONDS, in runs of at most 5 minutes (a fresh token
 * each: access tokens live 15), with the host's RSS sampled every 5 s.
 */
async function soak(host: HostUnderTest): Promise<void> {
  const total = envNumber('VV_BENCH_SOAK_SECONDS', 300);
  const targetRps = 1100;
  const samples: { at: number; mb: number; heap?: { used: number; total: number } }[] = [];
  const started = Date.now();
  // RSS from /proc, and beside it V8's heap (used, and reserved by the heap's spaces) from the host's /metrics: what
  // tells a working set that grew from a heap that holds garbage or an enlarged young generation.
  const sampler = setInterval(() => {
    const sample: (typeof samples)[number] = { at: (Date.now() - started) / 1000, mb: rssMb(host.pid) };
    samples.push(sample);
    v8Heap(host.url).then(
      (heap) => (sample.heap = heap),
      () => undefined,
    );
  }, 5000);
  const results: WrkResult[] = [];
  try {
    for (let done = 0; done < total;) {
      const seconds = Math.min(300, total - done);
      const token = await host.memberToken();
      const auth = { authorization: `Bearer ${token}` };
      const requests: WrkRequest[] = [
        { method: 'POST', path: '/api/v1/calculate/npv', headers: { ...auth, 'content-type': 'application/json' }, body: NPV_BODY },
        { method: 'GET', path: LIST_PATH, headers: auth },
        { method: 'GET', path: '/api/v1/me', headers: auth },
        { method: 'GET', path: '/health/live' },
      ];
      // 22 connections, each waiting 20 ms between requests: about 1,100 req/s less the time each request takes.
      results.push(await runWrk(host.url, { seconds, connections: 22, requests, targetRps }));
      done += seconds;
    }
  } finally {
    clearInterval(sampler);
  }
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  const failures = results.reduce((sum, r) => sum + r.failures, 0);
  const mean = (from: number, to: number) => {
    const inside = samples.filter((s) => s.at >= from && s.at < to);
    return inside.reduce((sum, s) => sum + s.mb, 0) / Math.max(1, inside.length);
  };
  console.log(
    `(d) soak: ${total} s of mixed NPV / value-models list / me / health, aiming at ${targetRps} req/s: ${(requests / total).toFixed(0)} req/s served, ${failures} failed, p99 ${median(results.map((r) => r.p99Ms)).toFixed(2)} ms`,
  );
  const every = total >= 100 ? 10 : 5;
  // Samples are taken every 5 s (give or take the timer's delay): print every (every / 5)-th.
  const shown = samples.filter((_, i) => (i + 1) % (every / 5) === 0);
  console.log(`    host RSS (MB) every ${every} s: ${shown.map((s) => `${Math.round(s.at)}s ${s.mb.toFixed(0)}`).join(', ')}`);
  const heap = (s: (typeof samples)[number]) => (s.heap ? `${s.heap.used.toFixed(0)}/${s.heap.total.toFixed(0)}` : '?');
  console.log(`    V8 heap used/reserved (MB) every ${every} s: ${shown.map((s) => `${Math.round(s.at)}s ${heap(s)}`).join(', ')}`);
  // The second minute (past start-up and JIT) against the last; windows shrink with shorter soaks.
  const window = total >= 180 ? 60 : total / 3;
  const second = mean(window, 2 * window);
  const last = mean(total - window, total + 1);
  const drift = (last - second) / second;
  console.log(
    `    RSS ${second.toFixed(0)} MB in the second ${window.toFixed(0)} s, ${last.toFixed(0)} MB in the last; change ${(drift * 100).toFixed(1)}% ` +
      `(target within 10%: ${Math.abs(drift) <= 0.1 ? 'met' : 'NOT met'})`,
  );
}

/** V8's heap in MB from the host's /metrics (prom-client's default metrics): in use, and reserved by its spaces. */
async function v8Heap(url: string): Promise<{ used: number; total: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]) / 1024 / 1024;
  return { used: read('vv_nodejs_heap_size_used_bytes'), total: read('vv_nodejs_heap_size_total_bytes') };
}

async function preflight(): Promise<void> {
  const missing: string[] = [];
  if (!wrkAvailable()) missing.push('wrk is not installed (Debian: apt-get install wrk)');
  const services = await serverAvailability();
  if (!services.postgres) missing.push(`PostgreSQL does not answer at ${TEST_POSTGRES_URL}`);
  if (!services.redis) missing.push(`Redis does not answer at ${TEST_REDIS_URL}`);
  if (missing.length > 0) throw new BenchUnavailable(`the host bench cannot run: ${missing.join('; ')} (see shared/STACK.md "Services")`);
}

export async function runHostBench(): Promise<void> {
  await preflight();
  const name = `vv_bench_host_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  let host: HostUnderTest | undefined;
  const baselines: BaselineServer[] = [];
  try {
    const nodeArgs = (process.env['VV_BENCH_HOST_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    host = await HostUnderTest.start({ databaseUrl: postgresUrl(name), redisUrl: TEST_REDIS_URL, redisPrefix: name, nodeArgs });
    const running = host;
    const bareNpv = await BaselineServer.start(['npv']);
    baselines.push(bareNpv);
    const bareList = await BaselineServer.start(['list', postgresUrl(name), BENCH_TENANT]);
    baselines.push(bareList);

    // Both sides must give the same answers before their speed is compared.
    const token = await host.memberToken();
    const hostNpv = await host.post('/api/v1/calculate/npv', token, JSON.parse(NPV_BODY));
    const bareAnswer = (await (
      await fetch(`${bareNpv.url}/api/v1/calculate/npv`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: NPV_BODY })
    ).json()) as Record<string, unknown>;
    if (hostNpv['result'] !== bareAnswer['result'] || hostNpv['formula'] !== bareAnswer['formula']) {
      throw new Error(`the host and the bare server disagree on the NPV: ${JSON.stringify(hostNpv)} vs ${JSON.stringify(bareAnswer)}`);
    }
    const hostList = await host.get(LIST_PATH, token);
    const bareList0 = (await (await fetch(`${bareList.url}${LIST_PATH}`)).json()) as Record<string, unknown>;
    if (JSON.stringify(hostList['items']) !== JSON.stringify(bareList0['items'])) throw new Error('the host and the bare server disagree on the value-model list');

    // The same request on both sides, bearer token included, so only the server differs.
    const npvRequests = async (): Promise<WrkRequest[]> => [
      { method: 'POST', path: '/api/v1/calculate/npv', headers: { authorization: `Bearer ${await running.memberToken()}`, 'content-type': 'application/json' }, body: NPV_BODY },
    ];
    const listRequests = async (): Promise<WrkRequest[]> => [{ method: 'GET', path: LIST_PATH, headers: { authorization: `Bearer ${await running.memberToken()}` } }];
    await compare(
      '(a) POST /api/v1/calculate/npv: host (PostgreSQL + Redis) vs bare Koa + @koa/router + @koa/bodyparser',
      { url: host.url, pid: host.pid, requests: npvRequests },
      { url: bareNpv.url, pid: bareNpv.pid, requests: npvRequests },
      { rps: 0.75, p99: 2 },
    );
    await compare(
      `(b) GET ${LIST_PATH}: host (tenant-bound plugin read) vs bare Koa + pg (same transaction)`,
      { url: host.url, pid: host.pid, requests: listRequests },
      { url: bareList.url, pid: bareList.pid, requests: listRequests },
      { rps: 0.6 },
    );
    await embeddedSection();
    await soak(host);
  } finally {
    for (const baseline of baselines) baseline.stop();
    await host?.stop();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    // Only this run's keys: the prefix is its own.
    await redis.connect();
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${name}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
    await redis.quit();
  }
}
