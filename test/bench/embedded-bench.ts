/**
 * The embedded default as a newcomer meets it (issue #14): `node host/dist/cli.js start` with no DATABASE_URL or
 * REDIS_URL (PGlite in VV_DATA_DIR, in-process bus and queue), started on a fresh data directory (first start) and
 * again on the same one (second start). For each: time to ready (until /health/ready answers 200), CPU time the
 * process used to get there, RSS when ready, RSS after a small workload, and the peak RSS (VmHWM).
 *
 * Time to ready depends on how busy the machine is; the CPU time and the RSS much less. Figures are medians of
 * alternating rounds, printed beside an idle Node.js process and (with `withoutTemplate`) beside a first start
 * that runs initdb instead of copying the template, both from the same run.
 *
 * Needs `host/dist` (npx tsc -b tsconfig.build.json). `node` picks the Node.js binary (e.g. Node 24 against 20).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'host/dist/cli.js');
const ADMIN_PASSWORD = 'embedded bench password';

/**
 * The Node.js flags `npm start` gives the host (root package.json, e.g. `--liftoff-only`), so the bench measures
 * what a newcomer runs.
 */
export function startScriptNodeFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const match = /\bnode((?:\s+--?[\w-]+(?:=\S+)?)*)\s+host\/dist\/cli\.js start/.exec(scripts.start ?? '');
  if (!match) throw new Error('the root package.json start script no longer runs "node … host/dist/cli.js start"; review embedded-bench.ts');
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

export interface EmbeddedStart {
  /** From spawn to the first 200 of /health/ready. */
  readonly readyMs: number;
  /** User + system CPU time of the host process up to ready. */
  readonly cpuMs: number;
  readonly rssReadyMb: number;
  readonly rssAfterWorkloadMb: number;
  /** VmHWM after the workload: the most the process was resident at any moment. */
  readonly peakRssMb: number;
}

export interface EmbeddedFigures {
  readonly node: string;
  readonly nodeFlags: readonly string[];
  readonly nodeVersion: string;
  readonly rounds: number;
  /** RSS of `node -e` idling, the floor any Node.js process pays. */
  readonly idleRssMb: number;
  /** Fresh VV_DATA_DIR, the initdb template in place (as after `npm install`). */
  readonly first: EmbeddedStart;
  /** The same VV_DATA_DIR again. */
  readonly second: EmbeddedStart;
  /** Fresh VV_DATA_DIR with VV_PGLITE_TEMPLATE=off: initdb runs, as before the template existed. */
  readonly firstWithoutTemplate?: EmbeddedStart;
}

export interface MeasureEmbeddedOptions {
  /** Node.js binary that runs the host; default the one running this process. */
  readonly node?: string;
  /** Flags before `host/dist/cli.js`; default those of `npm start` (startScriptNodeFlags). */
  readonly nodeFlags?: readonly string[];
  /** Rounds (medians are reported); default 3. */
  readonly rounds?: number;
  /** Also measure a first start without the initdb template; default true. */
  readonly withoutTemplate?: boolean;
  /** Most a start may take before the measurement fails; default 120 s. */
  readonly readyTimeoutMs?: number;
}

/** Resident and peak memory of a process, in MB, from /proc. */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  // A clean stop flushes PGlite; a host that hangs in shutdown is killed so the bench goes on.
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** What a newcomer does in the first minute: sign in, create a few models, list them, compute, commit. */
async function workload(url: string): Promise<void> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@example.com', password: ADMIN_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const call = async (method: string, route: string, body?: unknown, expected = 200) => {
    const res = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status !== expected) throw new Error(`${method} ${route}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  let modelId = '';
  for (let i = 0; i < 10; i++) {
    const created = await call('POST', '/api/v1/value-models', { name: `Bench model ${i} ${Date.now()}`, fromLibrary: { industry: 'software' } }, 201);
    modelId = created.id as string;
  }
  for (let i = 0; i < 20; i++) await call('GET', '/api/v1/value-models?limit=20');
  for (let i = 0; i < 20; i++) await call('POST', '/api/v1/calculate/npv', { rate: 0.1, cashFlows: [-10000, 3000, 4200, 6800], convention: 'excel' });
  await call('POST', '/api/v1/commitments', { modelId, title: 'Bench commitment', confidence: 0.8, trials: 2000, seed: 42, allowNonPositive: true }, 201);
  await call('GET', '/api/v1/admin/tenants');
}

/** One start of the host on `dataDir`: figures when ready and after the workload, then a clean stop. */
async function startOnce(node: string, flags: readonly string[], dataDir: string, env: Record<string, string>, readyTimeoutMs: number): Promise<EmbeddedStart> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const hostEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), VV_DATA_DIR: dataDir, VV_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'warn' };
  delete hostEnv.DATABASE_URL;
  delete hostEnv.REDIS_URL;
  delete hostEnv.VV_ENCRYPTION_KEY;
  const started = performance.now();
  const child = spawn(node, [...flags, CLI, 'start'], { cwd: REPO, env: hostEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    let readyMs = 0;
    while (readyMs === 0) {
      if (child.exitCode !== null) throw new Error(`the host exited with ${child.exitCode}: ${stderr.slice(-2000)}`);
      if (performance.now() - started > readyTimeoutMs) throw new Error(`the host was not ready within ${readyTimeoutMs} ms`);
      const ok = await fetch(`${url}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) readyMs = performance.now() - started;
      else await sleep(50);
    }
    const cpu = cpuMs(child.pid!);
    const ready = memoryMb(child.pid!);
    await workload(url);
    const after = memoryMb(child.pid!);
    return { readyMs, cpuMs: cpu, rssReadyMb: ready.rss, rssAfterWorkloadMb: after.rss, peakRssMb: after.peak };
  } finally {
    await stopHost(child);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medianStart(starts: EmbeddedStart[]): EmbeddedStart {
  const of = (key: keyof EmbeddedStart) => median(starts.map((s) => s[key]));
  return { readyMs: of('readyMs'), cpuMs: of('cpuMs'), rssReadyMb: of('rssReadyMb'), rssAfterWorkloadMb: of('rssAfterWorkloadMb'), peakRssMb: of('peakRssMb') };
}

async function idleRssMb(node: string): Promise<number> {
  const idle = spawn(node, ['-e', 'setTimeout(() => {}, 5000)']);
  await sleep(500);
  const { rss } = memoryMb(idle.pid!);
  idle.kill();
  return rss;
}

/**
 * Measures the embedded default: first and second start of the real host, rounds alternating (with template, then
 * the same directory again, then without template), medians reported.
 *
 * @example
 * const node24 = await measureEmbedded({ node: '/opt/node24/bin/node', rounds: 3 });
 * console.log(node24.first.readyMs, node24.second.rssAfterWorkloadMb);
 */
export async function measureEmbedded(options: MeasureEmbeddedOptions = {}): Promise<EmbeddedFigures> {
  const node = options.node ?? process.execPath;
  const rounds = options.rounds ?? 3;
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const flags = options.nodeFlags ?? startScriptNodeFlags();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -b tsconfig.build.json)`);
  const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  // What `npm install` leaves: the initdb template in node_modules/.cache (a no-op when it is there).
  const prepared = spawnSync(node, [...flags, CLI, 'prepare'], { cwd: REPO, encoding: 'utf8' });
  if (prepared.status !== 0) throw new Error(`valueverse prepare failed: ${prepared.stderr}`);

  const first: EmbeddedStart[] = [];
  const second: EmbeddedStart[] = [];
  const without: EmbeddedStart[] = [];
  for (let round = 0; round < rounds; round++) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vv-embedded-bench-'));
    try {
      first.push(await startOnce(node, flags, dataDir, {}, readyTimeoutMs));
      second.push(await startOnce(node, flags, dataDir, {}, readyTimeoutMs));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    if (options.withoutTemplate === false) continue;
    const bareDir = mkdtempSync(path.join(tmpdir(), 'vv-embedded-bench-'));
    try {
      without.push(await startOnce(node, flags, bareDir, { VV_PGLITE_TEMPLATE: 'off' }, readyTimeoutMs));
    } finally {
      rmSync(bareDir, { recursive: true, force: true });
    }
  }
  return {
    node,
    nodeFlags: flags,
    nodeVersion,
    rounds,
    idleRssMb: await idleRssMb(node),
    first: medianStart(first),
    second: medianStart(second),
    ...(without.length > 0 ? { firstWithoutTemplate: medianStart(without) } : {}),
  };
}

/** The lines `npm run bench -- kernel` prints for the embedded default. */
export function formatEmbedded(figures: EmbeddedFigures, label = '(d)'): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const mb = (x: number) => `${x.toFixed(0)} MB`;
  const line = (name: string, x: EmbeddedStart) =>
    `    ${name}: ready in ${s(x.readyMs)} (CPU ${s(x.cpuMs)}), RSS ${mb(x.rssReadyMb)} when ready, ${mb(x.rssAfterWorkloadMb)} after a small workload, peak ${mb(x.peakRssMb)}`;
  const lines = [
    `${label} embedded default (PGlite, no DATABASE_URL/REDIS_URL), node ${[figures.nodeVersion, ...figures.nodeFlags].join(' ')}, medians of ${figures.rounds} rounds (targets: RSS < 400 MB, first start < 10 s to ready):`,
    line('first start (fresh VV_DATA_DIR)', figures.first),
    line('second start (same VV_DATA_DIR)', figures.second),
  ];
  const bare = figures.firstWithoutTemplate;
  if (bare) {
    lines.push(line('first start running initdb (VV_PGLITE_TEMPLATE=off)', bare));
    lines.push(
      `    template vs initdb on a first start: ready-time ratio ${(figures.first.readyMs / bare.readyMs).toFixed(2)}, CPU ratio ${(figures.first.cpuMs / bare.cpuMs).toFixed(2)}, peak RSS ratio ${(figures.first.peakRssMb / bare.peakRssMb).toFixed(2)}`,
    );
  }
  lines.push(`    idle node ${mb(figures.idleRssMb)}; second-start RSS after workload / idle node ${(figures.second.rssAfterWorkloadMb / figures.idleRssMb).toFixed(2)}`);
  return lines;
}

/** `npm run bench -- embedded`: the same section alone (VV_BENCH_NODE picks the Node.js binary, VV_BENCH_ROUNDS the rounds). */
export async function runEmbeddedBench(): Promise<void> {
  const build = spawnSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const figures = await measureEmbedded({ node: process.env.VV_BENCH_NODE || undefined, rounds: Number(process.env.VV_BENCH_ROUNDS) || undefined });
  for (const line of formatEmbedded(figures)) console.log(line);
}
