import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import {
  MemoryKernelStore,
  PasswordHasher,
  SecretBox,
  createKernel,
  createKernelLogger,
  loadSandboxedPlugin,
  parsePrivateAllowance,
  type Kernel,
  type SandboxBudgets,
  type SandboxStatus,
} from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import type { EventEnvelope, Role, VvPlugin } from '@valueverse/plugin-sdk';

/** A plugin for the test kernel: a folder with plugin.json (its `src/index.ts` is preferred), or both parts. */
export type TestPluginSource = { readonly dir: string } | { readonly manifest: unknown; readonly plugin: VvPlugin };

export interface TestKernelOptions {
  readonly plugins: readonly TestPluginSource[];
  /** Tenants to create (default `["acme"]`); every plugin is enabled for each unless `enable` says otherwise. */
  readonly tenants?: readonly string[];
  /** Plugins to enable for every tenant: `all` (default) or a list of ids. */
  readonly enable?: 'all' | readonly string[];
  /** Per-plugin config to enable with, by plugin id. */
  readonly config?: Readonly<Record<string, Record<string, unknown>>>;
  /** Lifecycle timeouts (ms), short by default so hanging plugins fail fast in tests. */
  readonly timeouts?: { setupMs?: number; startMs?: number; stopMs?: number };
  /**
   * The database behind `core.db`: an in-memory embedded PostgreSQL (PGlite; boots in about 5 s, so share one test
   * kernel per file), or a server by URL. Default: embedded when a plugin declares a `database`, else none.
   */
  readonly database?: 'embedded' | 'none' | { readonly url: string };
  /**
   * Loopback and private destinations plugins may call, with the syntax of the operator's `VV_OUTBOUND_ALLOW_PRIVATE`:
   * `true`, or a list such as `'127.0.0.1/32'` or `'127.0.0.1:11434, ollama.internal'`. Default none, as in
   * production: a test that points a plugin at a loopback fake server allows it here, as an operator would.
   */
  readonly allowPrivateDestinations?: boolean | string;
  /** Platform metering (the kernel's `platformMetering` option): the operator's tenant that receives `platform.usage`. */
  readonly platformMetering?: { readonly tenantId: string; readonly flushEveryMs?: number };
  /** Resolves host names for outbound calls instead of the system (e.g. map `api.example.com` to a fake's address). */
  readonly resolveHost?: (hostname: string) => Promise<readonly { address: string; family: number }[]>;
  /**
   * Runs every plugin given by `dir` sandboxed, as the platform runs a package from an untrusted publisher: in its own
   * process, from its built `main` (build it first), with only the SDK services its manifest declares (default false).
   */
  readonly sandbox?: boolean;
  /** Budgets of the sandboxed plugins (CPU per call, memory, concurrent calls), when `sandbox` is true. */
  readonly sandboxBudgets?: Partial<SandboxBudgets>;
}

export interface TestRequestOptions {
  /** JSON-serialised, or sent as is when a string (the exact bytes a raw-body route, e.g. a webhook, signs). */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Tenant to call as (default: the first tenant). */
  readonly tenant?: string;
  /** Role of the caller in that tenant (default `tenant-admin`). */
  readonly role?: Role;
  /** An explicit bearer token, or null to send none (how a test calls a public route, `access: 'public'`). */
  readonly token?: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads arbitrary JSON bodies; callers narrow T when they want
export interface TestResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface TestKernel {
  /** Base URL of the real HTTP server, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Every event published so far, in order. */
  readonly events: EventEnvelope[];
  /** The underlying kernel (see `@valueverse/kernel`), for assertions on plugin states and routes. */
  readonly kernel: Kernel;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as TestResponse
  request<T = any>(method: string, path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  /** A signed access token for a user of `tenant` with `role`. */
  token(tenant?: string, role?: Role): Promise<string>;
  /** Sets a plugin's enablement/config for a tenant through the admin API (as platform admin). */
  setPlugin(tenant: string, pluginId: string, change: { enabled?: boolean; config?: Record<string, unknown> }, cascade?: boolean): Promise<TestResponse>;
  waitForEvent(name: string, timeoutMs?: number): Promise<EventEnvelope>;
  close(): Promise<void>;
}

function loadFromDir(dir: string): { manifest: unknown; plugin: VvPlugin; dir: string } {
  const manifest = JSON.parse(readFileSync(join(dir, 'plugin.json'), 'utf8')) as { main: string };
  const source = join(dir, 'src', 'index.ts');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(existsSync(source) ? source : join(dir, manifest.main)) as { plugin?: VvPlugin };
  if (!mod.plugin) throw new TypeError(`${dir}: the entry module must export \`plugin\``);
  return { manifest, plugin: mod.plugin, dir };
}

/**
 * Boots a real kernel in-process (in-memory store, real HTTP on a loopback port) with the given plugins, so a
 * plugin author tests routes, config and events exactly as the platform runs them.
 *
 * @example
 * const k = await createTestKernel({ plugins: [{ dir: path.resolve(__dirname, '..') }] });
 * const res = await k.request('GET', '/api/v1/hello');
 * expect(res.status).toBe(200);
 * await k.close();
 */
export async function createTestKernel(options: TestKernelOptions): Promise<TestKernel> {
  const store = new MemoryKernelStore();
  const tenants = options.tenants ?? ['acme'];
  for (const id of tenants) await store.createTenant({ id, name: id });
  const logger = createKernelLogger({ level: process.env.VV_TEST_LOG_LEVEL ?? 'silent' });
  const plugins: { manifest: unknown; plugin: VvPlugin; dir?: string; sandbox?: SandboxStatus }[] = [];
  for (const p of options.plugins) {
    if (!('dir' in p)) plugins.push(p);
    else if (!options.sandbox) plugins.push(loadFromDir(p.dir));
    else {
      const manifest = JSON.parse(readFileSync(join(p.dir, 'plugin.json'), 'utf8')) as { id: string; main: string };
      const sandboxed = await loadSandboxedPlugin({ pluginId: manifest.id, dir: p.dir, entry: join(p.dir, manifest.main), logger, budgets: options.sandboxBudgets });
      plugins.push({ manifest, dir: p.dir, ...sandboxed });
    }
  }
  const wantsDatabase = options.database ?? (plugins.some((p) => p.plugin.database) ? 'embedded' : 'none');
  const database = wantsDatabase === 'none' ? undefined : await openDatabase(wantsDatabase === 'embedded' ? { inMemory: true } : { url: wantsDatabase.url });
  const allowance = parsePrivateAllowance(options.allowPrivateDestinations === undefined ? undefined : String(options.allowPrivateDestinations));
  if (allowance.problems.length > 0) throw new TypeError(`createTestKernel: allowPrivateDestinations: ${allowance.problems.join('; ')}`);
  const kernel = await createKernel({
    outbound: { allowPrivate: allowance.allowance, resolver: options.resolveHost },
    database,
    store,
    secrets: new SecretBox(randomBytes(32)),
    plugins,
    logger,
    timeouts: { setupMs: 2000, startMs: 2000, stopMs: 2000, ...options.timeouts },
    passwordHasher: new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
    platformMetering: options.platformMetering,
  });
  const events: EventEnvelope[] = [];
  const waiters: { name: string; resolve: (e: EventEnvelope) => void }[] = [];
  kernel.events.subscribe(
    '*',
    (event: EventEnvelope) => {
      events.push(event);
      for (const w of waiters.filter((x) => x.name === event.name)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    },
    'test-kernel',
  );
  const server: Server = await kernel.listen(0, '127.0.0.1');
  const address = server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const token = (tenant = tenants[0]!, role: Role = 'tenant-admin') =>
    kernel.tokens.issue({ sub: `user-${role}`, tid: tenant, role, email: `${role}@${tenant}.test`, pa: role === 'platform-admin' });

  const request = async (method: string, path: string, opts: TestRequestOptions = {}): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...opts.headers };
    const bearer = opts.token === undefined ? await token(opts.tenant, opts.role) : opts.token;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(url + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let body: unknown = text;
    if (/json/.test(res.headers.get('content-type') ?? '') && text) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body };
  };
  const setPlugin = (tenant: string, pluginId: string, change: { enabled?: boolean; config?: Record<string, unknown> }, cascade = false) =>
    request('PUT', `/api/v1/admin/tenants/${tenant}/plugins/${pluginId}${cascade ? '?cascade=true' : ''}`, { body: change, role: 'platform-admin', tenant });

  const enable = options.enable ?? 'all';
  const ids =
    enable === 'all'
      ? kernel
          .plugins()
          .filter((p: { state: string }) => p.state === 'running')
          .map((p: { id: string }) => p.id)
      : enable;
  for (const tenant of tenants) {
    for (const id of ids) {
      const res = await setPlugin(tenant, id, { enabled: true, config: options.config?.[id] }, true);
      if (res.status !== 200) {
        // Nobody else holds the kernel yet: close it, or its server keeps the test process alive.
        await kernel.close({ drainMs: 0 });
        await database?.close();
        throw new Error(`createTestKernel: enabling "${id}" for "${tenant}" failed: ${JSON.stringify(res.body)}`);
      }
    }
  }

  return {
    url,
    events,
    kernel,
    request,
    token,
    setPlugin,
    waitForEvent: (name, timeoutMs = 5000) => {
      const seen = events.find((e) => e.name === name);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No event "${name}" within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          name,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    close: async () => {
      await kernel.close({ drainMs: 1000 });
      await database?.close();
    },
  };
}
