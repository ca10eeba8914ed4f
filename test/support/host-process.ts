import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ADMIN_PASSWORD } from './host-fixture';

const repo = resolve(__dirname, '..', '..');

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  // Below Linux's ephemeral range (32768-60999): a host that stops (a restart, a rolling upgrade) leaves its port
  // free, and a `listen(0)` of another suite running at the same time (a fake provider, a webhook receiver) must not
  // take it while clients still call the old address.
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolveFree) => {
      const server = createServer();
      server.once('error', () => resolveFree(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
    });
    if (free) return port;
    if (attempt > 100) throw new Error('no free port between 20000 and 32000');
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 50): Promise<T> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export interface HostProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** What the process wrote to stderr and stdout so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `host start` as its own Node process (TypeScript sources through the swc require hook, as `npm run bench`
 * does, or the built host with `built`) on a free loopback port and waits until `/health/ready` answers 200.
 */
export async function startHostProcess(env: Record<string, string>, options: { readyTimeoutMs?: number; built?: boolean } = {}): Promise<HostProcess> {
  const port = await freePort();
  // `built`: the host as deployed, `node host/dist/cli.js start` on the compiled packages (run `tsc -b` first).
  const args = options.built
    ? [join(repo, 'host/dist/cli.js'), 'start']
    : ['--conditions=@valueverse/source', '-r', join(repo, 'test/bench/register-ts.js'), join(repo, 'host/src/cli.ts'), 'start'];
  const child = spawn(process.execPath, args, {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(port),
      HOST: '127.0.0.1',
      VV_ADMIN_PASSWORD: ADMIN_PASSWORD,
      VV_DATA_DIR: mkdtempSync(join(tmpdir(), 'vv-proc-')),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`host exited with ${child.exitCode}: ${output}`);
        const res = await fetch(`${url}/health/ready`);
        await res.text();
        return res.status === 200 ? true : undefined;
      },
      options.readyTimeoutMs ?? 60_000,
      `host on ${url} ready`,
      100,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- host output ---\n${output}`);
  }
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A private redis-server (the one from Debian's package) that a test may stop and start again on the same port. */
export async function startRedisProcess(): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor(
      () =>
        new Promise<boolean | undefined>((r) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            r(true);
          });
          socket.once('error', () => r(undefined));
        }),
      10_000,
      `redis-server on ${port}`,
    );
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((r) => running.once('exit', () => r()));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}
