import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { startScriptNodeFlags } from './embedded-bench';

const REPO = path.resolve(__dirname, '../..');
export const HOST_CLI = path.join(REPO, 'host/dist/cli.js');

/** The tenant, member and limits an operator sets up for the benchmark. */
export const BENCH_TENANT = 'bench';
const MEMBER_EMAIL = 'bench-member@example.com';
// Far above what one host can serve: the benchmark measures the path, not the limiter refusing requests (each
// request still takes its token, from a lease of the shared bucket).
const RAISED_LIMITS = { tenant: { perSecond: 1_000_000, burst: 1_000_000 } };

/** A free loopback port (the host's PORT must be 1-65535, so port 0 is resolved here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function call(url: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 300)}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * The real host (`node host/dist/cli.js start`, as built by `npx tsc -b tsconfig.build.json`) as a child process on
 * PostgreSQL and Redis, with the environment an operator would give it, and the operator's first steps done through
 * its API: a tenant with raised rate limits, the calculation and value-architect plugins enabled, a member.
 */
export class HostUnderTest {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dataDir: string,
    private readonly memberPassword: string,
    readonly adminToken: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
    nodeArgs?: readonly string[];
    /** Where the host's stdout goes (a file descriptor, e.g. for --trace-gc); default: discarded. */
    stdout?: number;
    /** The port to listen on; default: a free one. */
    port?: number;
    /** Another checkout's build to run (its host/dist/cli.js, from its folder), e.g. to compare two builds; default this one. */
    repo?: string;
  }): Promise<HostUnderTest> {
    const repo = options.repo ?? REPO;
    const cli = path.join(repo, 'host/dist/cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build first with \`npx tsc -b tsconfig.build.json\``);
    const port = options.port ?? (await freePort());
    const dataDir = path.join('/tmp', `${options.redisPrefix}-data`);
    const adminPassword = randomBytes(18).toString('base64url');
    // The Node.js flags `npm start` runs the host with (its V8 heap sizing among them), then any the bench adds.
    const child = spawn(process.execPath, [...startScriptNodeFlags(), ...(options.nodeArgs ?? []), cli, 'start'], {
      cwd: repo,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: options.databaseUrl,
        REDIS_URL: options.redisUrl,
        VV_REDIS_PREFIX: options.redisPrefix,
        VV_DATA_DIR: dataDir,
        VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        VV_ADMIN_EMAIL: 'bench-admin@example.com',
        VV_ADMIN_PASSWORD: adminPassword,
        // The production default (info): a request must not log at that level, so this costs nothing if all is well.
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
      },
      stdio: ['ignore', options.stdout ?? 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    let exited: number | null | undefined;
    child.once('exit', (code) => (exited = code));
    const started = Date.now();
    for (;;) {
      if (exited !== undefined) throw new Error(`the host exited with code ${exited} before it was ready`);
      if (Date.now() - started > 120_000) {
        child.kill('SIGKILL');
        throw new Error('the host was not ready within 120 s');
      }
      if (
        await fetch(`${url}/health/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const login = await call(`${url}/api/v1/auth/login`, { method: 'POST', body: { email: 'bench-admin@example.com', password: adminPassword } });
    const adminToken = String(login['accessToken']);
    await call(`${url}/api/v1/admin/tenants`, { method: 'POST', token: adminToken, body: { id: BENCH_TENANT, name: 'Bench', settings: { rateLimits: RAISED_LIMITS } } });
    for (const plugin of ['calculation', 'value-architect']) {
      await call(`${url}/api/v1/admin/tenants/${BENCH_TENANT}/plugins/${plugin}?cascade=true`, { method: 'PUT', token: adminToken, body: { enabled: true } });
    }
    const memberPassword = randomBytes(18).toString('base64url');
    await call(`${url}/api/v1/admin/tenants/${BENCH_TENANT}/members`, {
      method: 'POST',
      token: adminToken,
      body: { email: MEMBER_EMAIL, role: 'member', password: memberPassword },
    });
    return new HostUnderTest(url, child, dataDir, memberPassword, adminToken);
  }

  /** A fresh access token of the bench tenant's member (tokens live 15 minutes; the whole bench may take longer). */
  async memberToken(): Promise<string> {
    const session = await call(`${this.url}/api/v1/auth/login`, { method: 'POST', body: { email: MEMBER_EMAIL, password: this.memberPassword, tenantId: BENCH_TENANT } });
    return String(session['accessToken']);
  }

  async post(pathname: string, token: string, body: unknown): Promise<Record<string, unknown>> {
    return call(`${this.url}${pathname}`, { method: 'POST', token, body });
  }

  async get(pathname: string, token: string): Promise<Record<string, unknown>> {
    return call(`${this.url}${pathname}`, { token });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A bare baseline server (host-baseline-server.ts) in its own process. */
export class BaselineServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(args: readonly string[], nodeArgs: readonly string[] = []): Promise<BaselineServer> {
    const child = spawn(
      process.execPath,
      [...nodeArgs, '--conditions=@valueverse/source', '-r', path.join(__dirname, 'register-ts.js'), path.join(__dirname, 'host-baseline-server.ts'), ...args],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        if (buffer.includes('\n')) resolve(buffer.slice(0, buffer.indexOf('\n')));
      });
      child.once('exit', (code) => reject(new Error(`baseline ${args[0]} exited with ${code}`)));
    });
    const { port } = JSON.parse(line) as { port: number };
    return new BaselineServer(`http://127.0.0.1:${port}`, child);
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
