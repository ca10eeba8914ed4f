/**
 * `npm run bench -- budget` (issue #10 finding 1): a real host, built and started as in production
 * (`node host/dist/cli.js start`, on a PostgreSQL database of its own when the server answers, else embedded), probed
 * from this process, in alternating windows: idle, then while four over-budget
 * value-model evaluations are in flight (four tenants keeping one each) and fill the worker pool. Each is a goal seek
 * on a driver the model does not use, over 2 formulas of 250 terms and horizon 600: the estimate (about 60
 * evaluations, ~730 ms) lets it start under the 1 s budget, but it never brackets the target and makes 161
 * evaluations (~2.7 times the estimate), so the pool's wall-clock budget stops it on any machine not 2.7 times faster
 * than the estimate's rate. (A sensitivity run estimated just under the budget finished within it on a fast machine,
 * which then measured evaluations at the budget rather than over it.)
 * Idle and loaded windows alternate (ROUNDS of WINDOW_MS each), so load from outside the benchmark that comes and goes
 * during the run weighs on both figures of the ratio alike, not on whichever phase it happened to meet.
 *  - /health/live p99 (target < 100 ms) and
 *  - the p99 of a light request of another tenant (a small model evaluation), as a ratio to its idle p99 (target <= 2).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { heavyModel } from '../../plugins/calculation/src/compute/__fixtures__/heavy-model';
import { estimateComputeCost } from '../../plugins/calculation/src/compute/estimate-compute-cost';
import { sampleModel } from '../../plugins/calculation/src/model/__fixtures__/sample-model';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/host-fixture';
import { freePort, waitFor } from '../support/host-process';
import { serverAvailability, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
// pg ships no types of its own; this is the slice the benchmark uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };

const REPO = path.resolve(__dirname, '../..');

/** `node host/dist/cli.js start`, as in production (built first), on a free port; resolves once ready. */
async function startBuiltHost(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const build = spawnSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const port = await freePort();
  const child = spawn(process.execPath, ['host/dist/cli.js', 'start'], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(port),
      VV_ADMIN_PASSWORD: ADMIN_PASSWORD,
      VV_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'vv-bench-')),
      LOG_LEVEL: 'warn',
      ...env,
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
    120_000,
    'host ready',
    200,
  );
  return { url, child };
}

const HEAVY_TENANTS = ['heavy1', 'heavy2', 'heavy3', 'heavy4'];
const BUDGET_MS = 1000;
const ROUNDS = 4;
const WINDOW_MS = 2500;

function p99(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

class Api {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown, tenant?: string): Promise<{ status: number; body: { code?: string }; ms: number }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (tenant) headers['x-tenant-id'] = tenant;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    const res = await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as { code?: string }) : {}, ms: performance.now() - started };
  }
}

/** Sequential /health/live probes and light requests for `durationMs`, each on its own loop. */
async function measure(api: Api, durationMs: number): Promise<{ live: number[]; light: number[] }> {
  const deadline = performance.now() + durationMs;
  const live: number[] = [];
  const light: number[] = [];
  await Promise.all([
    (async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        const res = await fetch(`${api.url}/health/live`);
        await res.text();
        if (res.status !== 200) throw new Error(`/health/live answered ${res.status}`);
        live.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 5));
      }
    })(),
    (async () => {
      while (performance.now() < deadline) {
        const res = await api.call('POST', '/api/v1/calculate/model', { model: sampleModel }, 'light');
        if (res.status !== 200) throw new Error(`light request answered ${res.status} ${res.body.code}`);
        light.push(res.ms);
        await new Promise((r) => setTimeout(r, 5));
      }
    })(),
  ]);
  return { live, light };
}

export async function runBudgetBench(): Promise<void> {
  const database = `vv_bench_budget_${randomBytes(4).toString('hex')}`;
  const onPostgres = (await serverAvailability()).postgres;
  const admin = onPostgres ? new Client({ connectionString: TEST_POSTGRES_URL }) : undefined;
  if (admin) {
    await admin.connect();
    await admin.query(`create database ${database}`);
  }
  let host: { url: string; child: ChildProcess } | undefined;
  try {
    host = await startBuiltHost({ ...(admin ? { DATABASE_URL: postgresUrl(database) } : {}), VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    const login = await fetch(`${host.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    const api = new Api(host.url, ((await login.json()) as { accessToken: string }).accessToken);
    for (const tenant of ['light', ...HEAVY_TENANTS]) {
      if ((await api.call('POST', '/api/v1/admin/tenants', { id: tenant, name: tenant })).status !== 201) throw new Error(`tenant ${tenant} not created`);
      const budget = HEAVY_TENANTS.includes(tenant) ? { computeBudgetMs: BUDGET_MS } : {};
      const enabled = await api.call('PUT', `/api/v1/admin/tenants/${tenant}/plugins/calculation`, { enabled: true, config: budget });
      if (enabled.status !== 200) throw new Error(`calculation not enabled for ${tenant}: ${enabled.status}`);
    }
    // Admitted by the estimate (60 evaluations), it needs 161 (d5 never moves NPV), so the pool stops it at the budget.
    const heavy = { model: heavyModel({ formulas: 2, terms: 250 }), driver: 'd5', target: 0 };
    const estimate = estimateComputeCost('goalSeek', heavy)!;
    console.log(
      `host on ${onPostgres ? 'PostgreSQL' : 'embedded PGlite'}; heavy request: POST /calculate/goal-seek on an unused driver, 2 formulas of 250 terms, horizon 600 (estimated ${Math.round(estimate.estimatedMs)} ms for ${estimate.evaluations} evaluations, needs 161; budget ${BUDGET_MS} ms)`,
    );

    await measure(api, 2000); // warm-up: JIT, caches, first worker thread
    const idle: { live: number[]; light: number[] } = { live: [], light: [] };
    const loaded: { live: number[]; light: number[] } = { live: [], light: [] };
    const outcomes = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round += 1) {
      const quiet = await measure(api, WINDOW_MS);
      idle.live.push(...quiet.live);
      idle.light.push(...quiet.light);
      let running = true;
      const heavyLoops = HEAVY_TENANTS.map(async (tenant) => {
        while (running) {
          const res = await api.call('POST', '/api/v1/calculate/goal-seek', heavy, tenant);
          const key = res.status === 200 ? '200 evaluated' : `${res.status} ${res.body.code}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
      });
      await new Promise((r) => setTimeout(r, 1000)); // let the pool fill
      const busy = await measure(api, WINDOW_MS);
      loaded.live.push(...busy.live);
      loaded.light.push(...busy.light);
      running = false;
      await Promise.all(heavyLoops);
    }

    const lightIdle = p99(idle.light);
    const lightLoaded = p99(loaded.light);
    console.log(`idle:   /health/live p99 ${p99(idle.live).toFixed(1)} ms (${idle.live.length} probes); light request p99 ${lightIdle.toFixed(1)} ms (${idle.light.length})`);
    console.log(
      `loaded: /health/live p99 ${p99(loaded.live).toFixed(1)} ms (${loaded.live.length} probes, target < 100 ms); light request p99 ${lightLoaded.toFixed(1)} ms (${loaded.light.length})`,
    );
    console.log(`(${ROUNDS} alternating rounds of ${WINDOW_MS / 1000} s idle and ${WINDOW_MS / 1000} s loaded)`);
    console.log(`light request p99 ratio loaded / idle: ${(lightLoaded / lightIdle).toFixed(2)} (target <= 2)`);
    console.log(`heavy requests meanwhile: ${[...outcomes].map(([k, n]) => `${n} × ${k}`).join(', ')}`);
  } finally {
    if (host) {
      const exited = new Promise((r) => host!.child.once('exit', r));
      host.child.kill('SIGTERM');
      await exited;
    }
    if (admin) {
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
    }
  }
}
