/**
 * `npm run bench -- scale` (issue #14, "many tenants"): the real host (`node host/dist/cli.js start`, built first,
 * with the Node.js flags of `npm start`) on PostgreSQL + Redis, once with 100 tenants (all active) and once with
 * 100,000 tenants in the database of which 10,000 are active. For each: boot time to ready, steady RSS, and the p99
 * of a tenant-bound plugin read (`GET /api/v1/value-models?limit=20`: the value-architect plugin's indexed select in
 * the tenant's row-level-security transaction), driven by wrk in its own process round-robin over one bearer token
 * per active tenant. Printed as ratios (100,000 / 100); targets: RSS within 2x, p99 within 1.5x, boot reported.
 *
 * Fair on a shared machine: each round boots both hosts side by side, serves every active tenant once, warms each
 * up, then alternates short load slices between them (A B B A ...), so a neighbour's burst lands on both alike.
 * Both get the same load shape: a fixed offered rate (VV_BENCH_SCALE_RPS, default 150 req/s over 16 connections),
 * well under what either serves, so the p99 is the read's own tail and not the queue of a saturated machine. The
 * p99 compared is the median of the slices' own p99s (one neighbour's burst moves one slice, not the figure), beside
 * the p99 over every request of every slice, the ratio of back-to-back slice pairs (which saw the same neighbours)
 * with its spread, each round's ratio, and the load average. Beside latency, what load on the machine does not
 * change: the host's CPU time per request served and its garbage-collection pauses per second, per slice (a host
 * busy with background work, such as a schedule that runs for every tenant, shows here first). Knobs:
 * VV_BENCH_SCALE_ROUNDS (2), VV_BENCH_SCALE_SLICES (8 per host and round), VV_BENCH_SCALE_SECONDS (8 per slice),
 * VV_BENCH_SCALE_RPS (150), VV_BENCH_SCALE_NODE_ARGS (Node.js flags for both hosts, e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof").
 *
 * Tenants, their plugin sets (a copy of the seeded demo tenant's) go in with one SQL statement each. Tokens are
 * minted with the host's own signing key (kernel.signing_keys, sealed with VV_ENCRYPTION_KEY, which the bench
 * sets): one per tenant, each for a user of its own, so the token, session and plugin-set caches all see 10,000
 * principals; the hosts' cache hit rates are printed. Databases are `vv_tenants_<rand>_<n>`, dropped after; Redis
 * keys are under a prefix of their own, deleted after.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { SecretBox } from '../../kernel/src/tenancy/secret-box';
import { TokenService } from '../../kernel/src/identity/token-service';
import { ADMIN_PASSWORD } from '../support/host-fixture';
import { startScriptNodeFlags } from './embedded-bench';
import { freePort, waitFor } from '../support/host-process';
import { postgresUrl, serverAvailability, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

interface PgClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}
// pg ships no types of its own; this is the slice the benchmark uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };

const REPO = path.resolve(__dirname, '../..');
const READ_PATH = '/api/v1/value-models?limit=20';
const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const ROUNDS = envNumber('VV_BENCH_SCALE_ROUNDS', 2);
const SLICES = envNumber('VV_BENCH_SCALE_SLICES', 8);
const SLICE_SECONDS = envNumber('VV_BENCH_SCALE_SECONDS', 8);
const RATE = envNumber('VV_BENCH_SCALE_RPS', 150);
const CONNECTIONS = 16;
/** Node.js flags added to the hosts' (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), after `npm start`'s own. */
const NODE_ARGS = (process.env['VV_BENCH_SCALE_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
const WARM_UP_SECONDS = 5;

interface Scenario {
  readonly label: string;
  readonly tenants: number;
  readonly active: number;
  database: string;
  redisPrefix: string;
  dataDir: string;
  tokenFile: string;
}

/** One wrk slice: its requests, rate served, non-2xx and socket errors, and its latency percentiles. */
interface Slice {
  readonly requests: number;
  readonly rps: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** [percentile, ms] at PERCENTILE_GRID, to merge slices into one distribution. */
  readonly grid: readonly (readonly [number, number])[];
  /** The host's CPU time (user + system) per request served in the slice, in µs: what load on the machine does not change. */
  cpuUs?: number;
  /** The host's garbage-collection pauses in the slice per second of it, in ms (prom-client's `vv_nodejs_gc_duration_seconds`). */
  gcMsPerS?: number;
}

interface RoundResult {
  readonly bootMs: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly slices: Slice[];
  readonly caches: string;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The p-th percentile of all the slices' requests together: the least latency x at which the slices' cumulative
 * shares (each slice's percentile grid, weighted by its requests) reach p. Exact to the grid's step (0.05%).
 */
export function mergedPercentile(slices: readonly Pick<Slice, 'requests' | 'grid'>[], p: number): number {
  const total = slices.reduce((sum, s) => sum + s.requests, 0);
  const candidates = [...new Set(slices.flatMap((s) => s.grid.map(([, ms]) => ms)))].sort((a, b) => a - b);
  for (const x of candidates) {
    let below = 0;
    for (const slice of slices) {
      let share = 0;
      for (const [percentile, ms] of slice.grid) if (ms <= x) share = percentile / 100;
      below += share * slice.requests;
    }
    if (below >= (p / 100) * total - 1e-9) return x;
  }
  return candidates[candidates.length - 1] ?? NaN;
}

async function metricsText(url: string): Promise<string> {
  // Once more on a socket error: a kept-alive socket idled through a load slice and may be closed.
  const read = () => fetch(`${url}/metrics`);
  return (await read().catch(read)).text();
}

/** The V8 heap in use (prom-client's default metric): RSS also holds free heap V8 has not given back yet. */
function heapUsedMb(metrics: string): number {
  const line = /^vv_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(metrics);
  return line ? Number(line[1]) / 1024 / 1024 : NaN;
}

/** Each bounded cache's hit rate since boot and its evictions, from `vv_cache_*` on /metrics. */
function cacheSummary(metrics: string): string {
  const counts = new Map<string, { hit: number; miss: number; evicted: number }>();
  const entry = (cache: string) => counts.get(cache) ?? counts.set(cache, { hit: 0, miss: 0, evicted: 0 }).get(cache)!;
  for (const [, cache, result, value] of metrics.matchAll(/^vv_cache_lookups_total\{cache="([^"]+)",result="(hit|miss)"\} (\S+)$/gm)) {
    entry(cache!)[result as 'hit' | 'miss'] += Number(value);
  }
  for (const [, cache, value] of metrics.matchAll(/^vv_cache_evictions_total\{cache="([^"]+)"\} (\S+)$/gm)) entry(cache!).evicted += Number(value);
  return [...counts].map(([cache, c]) => `${cache} ${c.hit + c.miss > 0 ? ((100 * c.hit) / (c.hit + c.miss)).toFixed(1) : '-'}% hit, ${c.evicted} evicted`).join('; ');
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const load = (): string => loadavg()[0]!.toFixed(1);

/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Seconds of garbage-collection pauses since boot, every kind of collection together. */
function gcSeconds(metrics: string): number {
  let sum = 0;
  for (const [, value] of metrics.matchAll(/^vv_nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm)) sum += Number(value);
  return sum;
}

/** Jobs waiting (queued or delayed) in every queue: background work a host has before it, beside its requests. */
function jobsWaiting(metrics: string): number {
  let sum = 0;
  for (const [, value] of metrics.matchAll(/^vv_jobs_waiting\{[^}]*\} (\S+)$/gm)) sum += Number(value);
  return sum;
}

const spread = (values: readonly number[], digits = 2): string => `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;

class HostRun {
  private constructor(
    readonly url: string,
    readonly child: ChildProcess,
    readonly bootMs: number,
  ) {}

  static async start(scenario: Scenario, encryptionKey: string): Promise<HostRun> {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, [...startScriptNodeFlags(), ...NODE_ARGS, 'host/dist/cli.js', 'start'], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        PORT: String(port),
        DATABASE_URL: postgresUrl(scenario.database),
        REDIS_URL: TEST_REDIS_URL,
        VV_REDIS_PREFIX: scenario.redisPrefix,
        VV_ENCRYPTION_KEY: encryptionKey,
        VV_ADMIN_PASSWORD: ADMIN_PASSWORD,
        VV_DATA_DIR: scenario.dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () =>
        (await fetch(`${url}/health/ready`).then(
          (r) => r.ok,
          () => false,
        )) || undefined,
      180_000,
      'host ready',
      50,
    );
    return new HostRun(url, child, performance.now() - started);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * Every token once, 32 at a time: each active tenant served (its plugin set, token and session cached). These are
 * the cold reads (nothing of the tenant or its user in the host's caches, no rate-limit lease): their latencies, in ms.
 */
async function touchAll(url: string, tokens: readonly string[]): Promise<number[]> {
  let next = 0;
  let failures = 0;
  const latencies: number[] = [];
  const worker = async (): Promise<void> => {
    while (next < tokens.length) {
      const token = tokens[next++]!;
      const read = () => fetch(url + READ_PATH, { headers: { authorization: `Bearer ${token}` } });
      const started = performance.now();
      // Once more on a socket error: on a starved machine the host may close a kept-alive connection as it is reused.
      const res = await read().catch(read);
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
      if (res.status !== 200 && failures++ < 3) process.stderr.write(`warm-up read answered ${res.status}\n`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  if (failures > 0) throw new Error(`${failures} of ${tokens.length} warm-up reads failed`);
  return latencies;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Percentiles each slice reports: the median, then the tail in steps of 0.05%. */
const PERCENTILE_GRID = [50, ...Array.from({ length: 200 }, (_, i) => 90 + i * 0.05), 100];

// Each connection waits `delay` ms before each request: CONNECTIONS / RATE s apiece makes about RATE req/s in all.
const WRK_SCRIPT = `
local tokens = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  i = math.random(#tokens)
end
function request()
  i = i % #tokens + 1
  return wrk.format("GET", "${READ_PATH}", { ["Authorization"] = "Bearer " .. tokens[i] })
end
function delay()
  return ${((CONNECTIONS / RATE) * 1000).toFixed(3)}
end
local grid = { ${PERCENTILE_GRID.map((p) => p.toFixed(2)).join(', ')} }
function done(summary, latency, requests)
  local e = summary.errors
  local parts = {}
  for _, p in ipairs(grid) do parts[#parts + 1] = string.format("%.2f:%d", p, p == 100 and latency.max or latency:percentile(p)) end
  io.write(string.format("RESULT %d %d %d %s\\n", summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status, table.concat(parts, ",")))
end
`;

function runWrk(url: string, tokenFile: string, scriptFile: string, seconds: number): Slice {
  const run = spawnSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', scriptFile, url, '--', tokenFile], { encoding: 'utf8' });
  const line = /RESULT (\d+) (\d+) (\d+) (\S+)/.exec(run.stdout);
  if (!line) throw new Error(`wrk gave no result: ${run.stdout}${run.stderr}`);
  const grid = line[4]!
    .split(',')
    .map((pair) => pair.split(':').map(Number) as [number, number])
    .map(([p, us]) => [p, us / 1000] as const);
  const at = (p: number) => grid.find(([q]) => Math.abs(q - p) < 1e-6)![1];
  const requests = Number(line[1]);
  return { requests, rps: requests / (Number(line[2]) / 1e6), errors: Number(line[3]), p50Ms: at(50), p99Ms: at(99), grid };
}

async function populate(admin: PgClient, scenario: Scenario, encryptionKey: string): Promise<void> {
  const db = new Client({ connectionString: postgresUrl(scenario.database) });
  await db.connect();
  try {
    const started = performance.now();
    // The demo tenant's plugin set (seeded on first boot) for every bench tenant: everything the product ships on.
    await db.query(`insert into kernel.tenants (id, name) select 'bench-' || lpad(g::text, 6, '0'), 'Bench Company ' || g from generate_series(1, $1) g`, [scenario.tenants]);
    await db.query(
      `insert into kernel.tenant_plugins (tenant_id, plugin_id, enabled, version, config, permissions, updated_at)
       select t.id, p.plugin_id, p.enabled, p.version, p.config, p.permissions, now()
         from kernel.tenants t cross join kernel.tenant_plugins p where p.tenant_id = 'demo' and t.id like 'bench-%'`,
    );
    await db.query('analyze kernel.tenants');
    await db.query('analyze kernel.tenant_plugins');
    const enabled = await db.query<{ n: string }>("select count(*) as n from kernel.tenant_plugins where tenant_id = 'demo' and enabled and plugin_id = 'value-architect'");
    if (Number(enabled.rows[0]!.n) !== 1) throw new Error('the demo tenant has no value-architect plugin enabled to copy');
    process.stdout.write(`  ${scenario.label}: ${scenario.tenants.toLocaleString('en-US')} tenants inserted in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

    // Tokens with the host's own signing key, one user per active tenant.
    const [row] = (await db.query<{ sealed_jwk: string }>("select sealed_jwk from kernel.signing_keys where id = 'current'")).rows;
    const secrets = new SecretBox(Buffer.from(encryptionKey, 'base64'));
    const tokens = await TokenService.create({ privateJwk: JSON.parse(secrets.open(row!.sealed_jwk)) });
    const expiresAt = Math.floor(Date.now() / 1000) + 6 * 3600;
    // Spread over the id range, so the active tenants are not just the first pages of the table.
    const step = Math.floor(scenario.tenants / scenario.active);
    const lines: string[] = [];
    for (let i = 0; i < scenario.active; i++) {
      const tid = `bench-${String(1 + i * step).padStart(6, '0')}`;
      lines.push(await tokens.issue({ sub: `bench-user-${i}`, tid, role: 'member', email: `user${i}@${tid}.test`, pa: false }, { expiresAt }));
    }
    writeFileSync(scenario.tokenFile, lines.join('\n') + '\n');
  } finally {
    await db.end();
  }
  void admin;
}

interface Summary {
  readonly boot: number;
  readonly rss: number;
  readonly heap: number;
  readonly p50: number;
  readonly p99: number;
  readonly mergedP99: number;
  readonly rps: number;
  readonly cpuUs: number;
  readonly gcMsPerS: number;
  readonly roundP99: number[];
  readonly roundCpu: number[];
  readonly slices: Slice[];
}

function ratioLine(name: string, small: number, large: number, unit: string, target?: number): string {
  const ratio = large / small;
  const verdict = target === undefined ? '' : ratio <= target ? `  (target <= ${target}: met)` : `  (target <= ${target}: MISSED)`;
  return `  ${name.padEnd(26)} ${small.toFixed(2).padStart(9)} ${unit.padEnd(4)} ${large.toFixed(2).padStart(9)} ${unit.padEnd(4)} ratio ${ratio.toFixed(2)}${verdict}\n`;
}

export async function runScaleBench(): Promise<void> {
  const available = await serverAvailability();
  if (!available.postgres || !available.redis) {
    process.stdout.write('scale bench needs PostgreSQL and Redis (shared/STACK.md "Services"); skipped\n');
    return;
  }
  const build = spawnSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');

  const tag = randomBytes(4).toString('hex');
  const encryptionKey = randomBytes(32).toString('base64');
  const work = mkdtempSync(path.join(tmpdir(), 'vv-scale-'));
  const scriptFile = path.join(work, 'read.lua');
  writeFileSync(scriptFile, WRK_SCRIPT);
  const scenarios: Scenario[] = [
    { label: '100 tenants', tenants: 100, active: 100 },
    { label: '100,000 tenants', tenants: 100_000, active: 10_000 },
  ].map((s) => ({
    ...s,
    database: `vv_tenants_${tag}_${s.tenants}`,
    redisPrefix: `vv_tenants_${tag}_${s.tenants}`,
    dataDir: mkdtempSync(path.join(work, `data-${s.tenants}-`)),
    tokenFile: path.join(work, `tokens-${s.tenants}.txt`),
  }));

  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const results = new Map<Scenario, RoundResult[]>(scenarios.map((s) => [s, []]));
  try {
    for (const scenario of scenarios) {
      await admin.query(`create database ${scenario.database}`);
      // First boot migrates and seeds (admin, demo tenant, signing key); then the bulk insert.
      const first = await HostRun.start(scenario, encryptionKey);
      await first.stop();
      await populate(admin, scenario, encryptionKey);
    }
    process.stdout.write(
      `  host node flags: ${startScriptNodeFlags().join(' ') || '(none)'}; per round: both hosts booted, every active tenant served once, ${WARM_UP_SECONDS} s warm-up each, ` +
        `then ${SLICES} alternating slices of ${SLICE_SECONDS} s each at ${RATE} req/s (${CONNECTIONS} connections)\n`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 ? scenarios : [...scenarios].reverse();
      const hosts = new Map<Scenario, HostRun>();
      try {
        // One at a time, so each boot has the machine to itself (the other host, if up, is idle).
        for (const scenario of order) hosts.set(scenario, await HostRun.start(scenario, encryptionKey));
        for (const scenario of order) {
          // The first read of each active tenant on this host: its cold path, at 32 concurrent (not the fixed rate below).
          const pid = hosts.get(scenario)!.child.pid!;
          const cpuBefore = cpuMs(pid);
          const cold = await touchAll(hosts.get(scenario)!.url, readFileSync(scenario.tokenFile, 'utf8').trim().split('\n'));
          const cpuUs = ((cpuMs(pid) - cpuBefore) * 1000) / cold.length;
          process.stdout.write(
            `  round ${round} ${scenario.label.padEnd(16)} cold reads (first of each tenant, 32 at a time): ${cold.length}, p50 ${percentile(cold, 50).toFixed(2)} ms, ` +
              `p99 ${percentile(cold, 99).toFixed(2)} ms, CPU per request ${cpuUs.toFixed(0)} µs, load ${load()}\n`,
          );
        }
        for (const scenario of order) runWrk(hosts.get(scenario)!.url, scenario.tokenFile, scriptFile, WARM_UP_SECONDS);
        const slices = new Map<Scenario, Slice[]>(scenarios.map((s) => [s, []]));
        const rss = new Map<Scenario, number[]>(scenarios.map((s) => [s, []]));
        const gcBefore = new Map<Scenario, number>();
        for (const scenario of scenarios) gcBefore.set(scenario, gcSeconds(await metricsText(hosts.get(scenario)!.url)));
        for (let i = 0; i < SLICES; i++) {
          // A B, B A, A B, ...: whichever runs first in a pair alternates too.
          for (const scenario of i % 2 ? [...order].reverse() : order) {
            const host = hosts.get(scenario)!;
            const cpuBefore = cpuMs(host.child.pid!);
            const slice = runWrk(host.url, scenario.tokenFile, scriptFile, SLICE_SECONDS);
            slice.cpuUs = ((cpuMs(host.child.pid!) - cpuBefore) * 1000) / Math.max(1, slice.requests);
            const gc = gcSeconds(await metricsText(host.url));
            slice.gcMsPerS = ((gc - gcBefore.get(scenario)!) * 1000) / SLICE_SECONDS;
            gcBefore.set(scenario, gc);
            slices.get(scenario)!.push(slice);
            rss.get(scenario)!.push(rssMb(host.child.pid!));
          }
        }
        for (const scenario of scenarios) {
          const host = hosts.get(scenario)!;
          const metrics = await metricsText(host.url);
          const mine = slices.get(scenario)!;
          const result: RoundResult = { bootMs: host.bootMs, rssMb: median(rss.get(scenario)!), heapMb: heapUsedMb(metrics), slices: mine, caches: cacheSummary(metrics) };
          results.get(scenario)!.push(result);
          const p99s = mine.map((s) => s.p99Ms);
          const cpus = mine.map((s) => s.cpuUs!);
          const gcs = mine.map((s) => s.gcMsPerS!);
          process.stdout.write(
            `  round ${round} ${scenario.label.padEnd(16)} boot ${(host.bootMs / 1000).toFixed(2)} s, RSS ${result.rssMb.toFixed(0)} MB (slices ${spread(rss.get(scenario)!, 0)}), ` +
              `heap used ${result.heapMb.toFixed(0)} MB, ${median(mine.map((s) => s.rps)).toFixed(0)} req/s, p50 ${mergedPercentile(mine, 50).toFixed(2)} ms, ` +
              `p99 median of slices ${median(p99s).toFixed(2)} ms (slices ${spread(p99s)}), CPU per request ${median(cpus).toFixed(0)} µs (slices ${spread(cpus, 0)}), ` +
              `GC ${median(gcs).toFixed(1)} ms/s (slices ${spread(gcs, 1)}), errors ${mine.reduce((n, s) => n + s.errors, 0)}, load ${load()}\n`,
          );
          process.stdout.write(`    caches: ${result.caches}; jobs waiting ${jobsWaiting(metrics)}\n`);
        }
      } finally {
        for (const host of hosts.values()) await host.stop();
      }
    }
    const [small, large] = scenarios.map((s) => {
      const r = results.get(s)!;
      const all = r.flatMap((x) => x.slices);
      return {
        boot: median(r.map((x) => x.bootMs)) / 1000,
        rss: median(r.map((x) => x.rssMb)),
        heap: median(r.map((x) => x.heapMb)),
        p50: median(all.map((x) => x.p50Ms)),
        p99: median(all.map((x) => x.p99Ms)),
        mergedP99: mergedPercentile(all, 99),
        rps: median(all.map((x) => x.rps)),
        cpuUs: median(all.map((x) => x.cpuUs!)),
        gcMsPerS: median(all.map((x) => x.gcMsPerS!)),
        roundP99: r.map((x) => median(x.slices.map((sl) => sl.p99Ms))),
        roundCpu: r.map((x) => median(x.slices.map((sl) => sl.cpuUs!))),
        slices: all,
      };
    }) as [Summary, Summary];
    // Slice i of one host and slice i of the other ran back to back: their ratio saw the same neighbours.
    const pairRatios = (pick: (slice: Slice) => number) => small.slices.map((slice, i) => pick(large.slices[i]!) / pick(slice));
    const p99Pairs = pairRatios((slice) => slice.p99Ms);
    const cpuPairs = pairRatios((slice) => slice.cpuUs!);
    process.stdout.write(
      `\n${ROUNDS} rounds, ${SLICES} alternating slices of ${SLICE_SECONDS} s per host and round at ${RATE} req/s (100 tenants all active vs 100,000 with 10,000 active); ` +
        `boot, RSS and heap are medians of rounds; p50, p99, CPU per request and GC are medians of every slice's own figure (load ${load()}):\n`,
    );
    process.stdout.write(`  ${''.padEnd(26)} ${'100 tenants'.padStart(14)} ${'100,000'.padStart(14)}\n`);
    process.stdout.write(ratioLine('boot to ready', small.boot, large.boot, 's'));
    process.stdout.write(ratioLine('steady RSS', small.rss, large.rss, 'MB', 2));
    process.stdout.write(ratioLine('heap used', small.heap, large.heap, 'MB'));
    process.stdout.write(ratioLine('p50 tenant-bound read', small.p50, large.p50, 'ms'));
    process.stdout.write(ratioLine('p99 tenant-bound read', small.p99, large.p99, 'ms', 1.5));
    process.stdout.write(ratioLine('p99 over all requests', small.mergedP99, large.mergedP99, 'ms'));
    process.stdout.write(ratioLine('CPU per request', small.cpuUs, large.cpuUs, 'µs'));
    process.stdout.write(ratioLine('GC pauses per second', small.gcMsPerS, large.gcMsPerS, 'ms'));
    process.stdout.write(ratioLine('rate served', small.rps, large.rps, 'r/s'));
    const perRound = (a: readonly number[], b: readonly number[]) => a.map((x, i) => (b[i]! / x).toFixed(2)).join(' ');
    process.stdout.write(
      `  p99 ratio per round (medians of slices): ${perRound(small.roundP99, large.roundP99)}; CPU per request ratio per round: ${perRound(small.roundCpu, large.roundCpu)}\n`,
    );
    process.stdout.write(
      `  back-to-back slice pairs (${p99Pairs.length}): p99 ratio median ${median(p99Pairs).toFixed(2)} (spread ${spread(p99Pairs)}), CPU per request ratio median ${median(cpuPairs).toFixed(2)} (spread ${spread(cpuPairs)})\n`,
    );
  } finally {
    for (const scenario of scenarios) await admin.query(`drop database if exists ${scenario.database} with (force)`).catch(() => undefined);
    await admin.end();
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for (const scenario of scenarios) {
        let cursor = '0';
        do {
          const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${scenario.redisPrefix}*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = nextCursor;
        } while (cursor !== '0');
      }
    } finally {
      redis.disconnect();
    }
    rmSync(work, { recursive: true, force: true });
  }
}
