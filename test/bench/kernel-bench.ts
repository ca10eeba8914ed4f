/**
 * `npm run bench -- kernel`:
 *  (a) requests/s through the whole kernel path (JWT auth, tenant, enablement check, dispatch, request scope) over
 *      requests/s of bare Koa + @koa/router serving the same handler (target ratio >= 0.75);
 *  (b) boot time with 10 and 500 generated plugins in a chain and in a wide fan (target: 500 in < 1 s, linear);
 *  (c) resident memory of the host after boot with every first-party plugin on the server backends (target
 *      < 200 MB), beside an idle Node.js process as the baseline;
 *  (d) the embedded default (PGlite, no servers): first and second start, time to ready and RSS (targets < 10 s,
 *      < 400 MB), see embedded-bench.ts.
 */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MemoryKernelStore, SecretBox, createKernel, createKernelLogger } from '@valueverse/kernel';
import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { figure } from './figures';
import { formatEmbedded, measureEmbedded } from './embedded-bench';
import { measureRps } from './load-generator';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
// pg ships no types of its own; this is the slice the benchmark uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (options: { connectionString: string }) => PgClient };

const REPO = path.resolve(__dirname, '../..');
const handler = () => ({ ok: true, value: 42 });

interface ServerSide {
  readonly url: string;
  readonly token: string;
  readonly pid: number;
  stop(): void;
}

/** Starts one side of the throughput comparison in its own Node process (see throughput-server.ts). */
async function startSide(side: 'bare' | 'kernel'): Promise<ServerSide> {
  const child = spawn(process.execPath, ['--conditions=@valueverse/source', '-r', path.join(__dirname, 'register-ts.js'), path.join(__dirname, 'throughput-server.ts'), side], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes('\n')) resolve(buffer.slice(0, buffer.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`${side} server exited with ${code}`)));
  });
  const { port, token } = JSON.parse(line) as { port: number; token: string };
  return { url: `http://127.0.0.1:${port}/api/v1/bench/ping`, token, pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * (a) Each server runs in its own process and the load comes from this one, so the generator never shares the
 * server's event loop. Two figures per side: requests per second, and the server's CPU time per request (from
 * /proc), whose inverse is what one core can serve whatever the load generator manages.
 */
async function throughput(): Promise<void> {
  const load = { durationMs: 1500, concurrency: 32 };
  const bare = await startSide('bare');
  const kernel = await startSide('kernel');
  try {
    // Both servers get the identical request, bearer token included, so only the server side differs.
    const headers = { authorization: `Bearer ${kernel.token}` };
    const measure = async (side: ServerSide) => {
      const before = cpuMs(side.pid);
      const rps = await measureRps(side.url, { ...load, headers });
      const used = cpuMs(side.pid) - before;
      return { rps, cpuUsPerRequest: (used * 1000) / (rps * (load.durationMs / 1000)) };
    };
    // Warm both (JIT, caches), then alternate so drift on a shared machine hits both sides alike; medians of six.
    await measureRps(bare.url, { ...load, durationMs: 1000, headers });
    await measureRps(kernel.url, { ...load, durationMs: 1000, headers });
    const bareSide: { rps: number; cpuUsPerRequest: number }[] = [];
    const kernelSide: { rps: number; cpuUsPerRequest: number }[] = [];
    for (let round = 0; round < 6; round++) {
      bareSide.push(await measure(bare));
      kernelSide.push(await measure(kernel));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const bareRps = median(bareSide.map((x) => x.rps));
    const kernelRps = median(kernelSide.map((x) => x.rps));
    const bareCpu = median(bareSide.map((x) => x.cpuUsPerRequest));
    const kernelCpu = median(kernelSide.map((x) => x.cpuUsPerRequest));
    figure('(a) kernel path', kernelRps, 'req/s', 'higher');
    figure('(a) bare Koa + @koa/router', bareRps, 'req/s', 'higher');
    figure('(a) server CPU per request, kernel', kernelCpu, 'µs', 'lower');
    figure('(a) server CPU per request, bare', bareCpu, 'µs', 'lower');
    console.log(
      `(a) throughput: kernel path ${kernelRps.toFixed(0)} req/s, bare Koa + @koa/router ${bareRps.toFixed(0)} req/s, ratio ${(kernelRps / bareRps).toFixed(3)} (target >= 0.75)`,
    );
    console.log(
      `    server CPU per request: kernel ${kernelCpu.toFixed(1)} µs, bare ${bareCpu.toFixed(1)} µs; capacity ratio (bare µs / kernel µs) ${(bareCpu / kernelCpu).toFixed(3)} (target >= 0.75)`,
    );
  } finally {
    bare.stop();
    kernel.stop();
  }
}

function generated(count: number, shape: 'chain' | 'fan') {
  return Array.from({ length: count }, (_, i) => {
    const id = `p${String(i).padStart(4, '0')}`;
    const requires = shape === 'chain' ? (i > 0 ? { [`p${String(i - 1).padStart(4, '0')}`]: '^1.0.0' } : undefined) : i > 0 ? { p0000: '^1.0.0' } : undefined;
    return {
      manifest: { id, version: '1.0.0', displayName: id, kernel: '^1.0.0', main: 'dist/index.js', routes: [`/${id}`], ...(requires ? { requires } : {}) },
      plugin: definePlugin({ deps: { http: coreServices.http }, setup: ({ http }) => http.route({ method: 'GET', path: `/${id}/ping`, handler }) }),
    };
  });
}

async function bootTime(count: number, shape: 'chain' | 'fan'): Promise<number> {
  const plugins = generated(count, shape);
  const started = performance.now();
  const kernel = await createKernel({ store: new MemoryKernelStore(), secrets: new SecretBox(randomBytes(32)), logger: createKernelLogger({ level: 'silent' }), plugins });
  const elapsed = performance.now() - started;
  const failed = kernel.plugins().filter((p) => p.state !== 'running');
  if (failed.length > 0) throw new Error(`${failed.length} generated plugins did not start: ${failed[0]!.error?.message}`);
  await kernel.close();
  return elapsed;
}

async function boot(): Promise<void> {
  await bootTime(10, 'chain'); // warm-up: module loading and schema compilation happen once per process
  for (const shape of ['chain', 'fan'] as const) {
    // Best of five: a boot of 50 ms is at the mercy of one garbage collection or JIT pause.
    const best = async (n: number) => {
      let fastest = Infinity;
      for (let i = 0; i < 5; i++) fastest = Math.min(fastest, await bootTime(n, shape));
      return fastest;
    };
    const [t10, t250, t500] = [await best(10), await best(250), await best(500)];
    // Linear growth: the cost of each added plugin is the same from 10 to 250 as from 250 to 500.
    figure(`(b) boot ${shape}, 500 plugins`, t500, 'ms', 'lower');
    const early = (t250 - t10) / 240;
    const late = (t500 - t250) / 250;
    console.log(
      `(b) boot ${shape}: 10 plugins ${t10.toFixed(1)} ms, 250 ${t250.toFixed(1)} ms, 500 ${t500.toFixed(1)} ms (target < 1000 ms); ` +
        `ms per added plugin ${early.toFixed(3)} (10→250) vs ${late.toFixed(3)} (250→500), ratio ${(late / early).toFixed(2)} (~1 = linear)`,
    );
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function hostMemory(): Promise<void> {
  const build = spawnSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000)']);
  await new Promise((r) => setTimeout(r, 500));
  const baseline = rssMb(idle.pid!);
  idle.kill();

  const database = `vv_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  try {
    await admin.connect();
  } catch {
    console.log('(c) host memory: skipped, PostgreSQL at 127.0.0.1:5432 does not answer');
    return;
  }
  await admin.query(`create database ${database}`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['host/dist/cli.js', 'start'], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`, VV_DATA_DIR: path.join('/tmp', database), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
    }
    if (!ready) throw new Error('host did not become ready');
    await new Promise((r) => setTimeout(r, 1000));
    const rss = rssMb(child.pid!);
    figure('(c) host RSS after boot (PostgreSQL)', rss, 'MB', 'lower');
    figure('(c) idle node RSS', baseline, 'MB', 'lower');
    console.log(`(c) host RSS after boot on PostgreSQL server: ${rss.toFixed(1)} MB (target < 200 MB); idle node ${baseline.toFixed(1)} MB; ratio ${(rss / baseline).toFixed(2)}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

export async function runKernelBench(): Promise<void> {
  await throughput();
  await boot();
  await hostMemory();
  // hostMemory built host/dist; VV_BENCH_NODE runs the embedded host on another Node.js binary.
  for (const line of formatEmbedded(await measureEmbedded({ node: process.env.VV_BENCH_NODE || undefined }))) console.log(line);
}
