/**
 * `npm run bench -- scale` (issue #14, "many tenants"): the real host (`node host/dist/cli.js start`, built first) on
 * PostgreSQL + Redis, once with 100 tenants (all active) and once with 100,000 tenants in the database of which 10,000
 * are active during the run, alternating rounds. For each: boot time to ready, steady RSS after every active tenant
 * was served and a load run, and the p99 of a tenant-bound plugin read (`GET /api/v1/value-models?limit=20`: the
 * value-architect plugin's indexed select in the tenant's row-level-security transaction), driven by wrk in its own
 * process round-robin over one bearer token per active tenant. Printed as ratios (100,000 / 100); targets: RSS
 * within 2x, p99 within 1.5x, boot reported.
 *
 * Tenants, their plugin sets (a copy of the seeded demo tenant's) go in with one SQL statement each. Tokens are
 * minted with the host's own signing key (kernel.signing_keys, sealed with VV_ENCRYPTION_KEY, which the bench
 * sets): one per tenant, each for a user of its own, so the token, session and plugin-set caches all see 10,000
 * principals. Databases are `vv_tenants_<rand>_<n>`, dropped after; Redis keys are under a prefix of their own,
 * deleted after.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { SecretBox } from '../../kernel/src/tenancy/secret-box';
import { TokenService } from '../../kernel/src/identity/token-service';
import { ADMIN_PASSWORD } from '../support/host-fixture';
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
const LOAD_SECONDS = Number(process.env['VV_BENCH_SCALE_SECONDS'] ?? 15);
const ROUNDS = Number(process.env['VV_BENCH_SCALE_ROUNDS'] ?? 2);

interface Scenario {
  readonly label: string;
  readonly tenants: number;
  readonly active: number;
  database: string;
  redisPrefix: string;
  dataDir: string;
  tokenFile: string;
}

interface RoundResult {
  readonly bootMs: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  readonly rps: number;
  readonly errors: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The V8 heap in use (prom-client's default metric): RSS also holds free heap V8 has not given back yet. */
async function heapUsedMb(url: string): Promise<number> {
  // Once more on a socket error: the warm-up's kept-alive sockets idled through the load run and may be closed.
  const read = () => fetch(`${url}/metrics`);
  const text = await (await read().catch(read)).text();
  const line = /^vv_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  return line ? Number(line[1]) / 1024 / 1024 : NaN;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

class HostRun {
  private constructor(
    readonly url: string,
    readonly child: ChildProcess,
    readonly bootMs: number,
  ) {}

  static async start(scenario: Scenario, encryptionKey: string): Promise<HostRun> {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, ['host/dist/cli.js', 'start'], {
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

/** Every token once, 32 at a time: each active tenant served (its plugin set, token and session cached). */
async function touchAll(url: string, tokens: readonly string[]): Promise<void> {
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < tokens.length) {
      const token = tokens[next++]!;
      const read = () => fetch(url + READ_PATH, { headers: { authorization: `Bearer ${token}` } });
      // Once more on a socket error: on a starved machine the host may close a kept-alive connection as it is reused.
      const res = await read().catch(read);
      await res.arrayBuffer();
      if (res.status !== 200 && failures++ < 3) process.stderr.write(`warm-up read answered ${res.status}\n`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  if (failures > 0) throw new Error(`${failures} of ${tokens.length} warm-up reads failed`);
}

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
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", latency:percentile(99), latency:percentile(50), summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status))
end
`;

function runWrk(url: string, tokenFile: string, scriptFile: string): { p99Ms: number; p50Ms: number; rps: number; errors: number } {
  const run = spawnSync('wrk', ['-t2', '-c16', `-d${LOAD_SECONDS}s`, '--timeout', '10s', '-s', scriptFile, url, '--', tokenFile], { encoding: 'utf8' });
  const line = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(run.stdout);
  if (!line) throw new Error(`wrk gave no result: ${run.stdout}${run.stderr}`);
  const [, p99, p50, requests, durationUs, errors] = line.map(Number) as [number, number, number, number, number, number];
  return { p99Ms: p99 / 1000, p50Ms: p50 / 1000, rps: requests / (durationUs / 1e6), errors };
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

function ratioLine(name: string, small: number, large: number, unit: string, target?: number): string {
  const ratio = large / small;
  const verdict = target === undefined ? '' : ratio <= target ? `  (target <= ${target}: met)` : `  (target <= ${target}: MISSED)`;
  return `  ${name.padEnd(26)} ${small.toFixed(1).padStart(9)} ${unit.padEnd(4)} ${large.toFixed(1).padStart(9)} ${unit.padEnd(4)} ratio ${ratio.toFixed(2)}${verdict}\n`;
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
    for (let round = 1; round <= ROUNDS; round++) {
      for (const scenario of round % 2 ? scenarios : [...scenarios].reverse()) {
        const host = await HostRun.start(scenario, encryptionKey);
        try {
          const tokens = readFileSync(scenario.tokenFile, 'utf8').trim().split('\n');
          await touchAll(host.url, tokens);
          const load = runWrk(host.url, scenario.tokenFile, scriptFile);
          const rss = rssMb(host.child.pid!);
          const heap = await heapUsedMb(host.url);
          results.get(scenario)!.push({ bootMs: host.bootMs, rssMb: rss, heapMb: heap, ...load });
          process.stdout.write(
            `  round ${round} ${scenario.label.padEnd(16)} boot ${(host.bootMs / 1000).toFixed(2)} s, RSS ${rss.toFixed(0)} MB, heap used ${heap.toFixed(0)} MB, ` +
              `${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, errors ${load.errors}\n`,
          );
        } finally {
          await host.stop();
        }
      }
    }
    const [small, large] = scenarios.map((s) => {
      const r = results.get(s)!;
      return {
        boot: median(r.map((x) => x.bootMs)) / 1000,
        rss: median(r.map((x) => x.rssMb)),
        heap: median(r.map((x) => x.heapMb)),
        p99: median(r.map((x) => x.p99Ms)),
        rps: median(r.map((x) => x.rps)),
      };
    }) as [{ boot: number; rss: number; heap: number; p99: number; rps: number }, { boot: number; rss: number; heap: number; p99: number; rps: number }];
    process.stdout.write(`\nmedians of ${ROUNDS} alternating rounds (${LOAD_SECONDS} s of wrk -t2 -c16 each; 100 tenants all active vs 100,000 with 10,000 active):\n`);
    process.stdout.write(`  ${''.padEnd(26)} ${'100 tenants'.padStart(14)} ${'100,000'.padStart(14)}\n`);
    process.stdout.write(ratioLine('boot to ready', small.boot, large.boot, 's'));
    process.stdout.write(ratioLine('steady RSS', small.rss, large.rss, 'MB', 2));
    process.stdout.write(ratioLine('heap used', small.heap, large.heap, 'MB'));
    process.stdout.write(ratioLine('p99 tenant-bound read', small.p99, large.p99, 'ms', 1.5));
    process.stdout.write(ratioLine('throughput', small.rps, large.rps, 'r/s'));
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
