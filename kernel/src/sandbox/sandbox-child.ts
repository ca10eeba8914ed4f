/**
 * The entry of a sandbox process (`node --permission --allow-fs-read=<package>,<sdk> sandbox-child.js <entry>`): loads
 * one untrusted plugin and serves the kernel's calls over IPC. It imports nothing of the kernel but the RPC peer.
 *
 * Node 24's permission model (set by the kernel's command line) denies file reads outside the package and the SDK,
 * every file write, child processes, workers, addons and WASI. It has no network switch, so the network is closed in
 * here, before the plugin's first line runs: the plugin gets a `require` that only resolves files of its package and
 * a list of builtins without any that can reach a socket or another process (`net`, `tls`, `http*`, `dgram`, `dns`,
 * `child_process`, `worker_threads`, `cluster`, `inspector`, `module`, `vm`, `v8`, `os`, `process`), dynamic `import()`
 * has no loader, and every way `process` and the global object offer to those modules is removed (`binding`,
 * `getBuiltinModule`, `mainModule`, the IPC handle, `fetch`, `WebSocket`, `kill`, `_debugProcess`, ...). The
 * architecture notes (docs/sandbox.md) say what this does not cover.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { compileFunction } from 'node:vm';
import { RpcPeer, type Wire } from './rpc-peer';

/** Builtins a plugin may require: none of them opens a socket, a process or a file for writing. */
const ALLOWED_BUILTINS = new Set([
  'assert',
  'assert/strict',
  'buffer',
  'crypto',
  'events',
  'fs',
  'fs/promises',
  'path',
  'path/posix',
  'querystring',
  'stream',
  'stream/promises',
  'stream/web',
  'string_decoder',
  'timers',
  'timers/promises',
  'url',
  'util',
  'util/types',
  'zlib',
]);

const entry = resolve(process.argv[2] ?? '');
const packageRoot = resolve(process.argv[3] ?? dirname(entry));

// Captured before `process` is stripped: the one way out of this process is the kernel's channel.
const rawSend = (process as unknown as { _send: (m: unknown, h: undefined, o: object, cb: (e?: Error) => void) => void })._send;
const post = (message: Wire) => rawSend.call(process, message, undefined, {}, () => undefined);
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded before `harden`, handed to the plugin as is
const sdk: unknown = require(resolve(process.argv[4] ?? '@valueverse/plugin-sdk'));
const peer = new RpcPeer({ send: post });
process.on('message', (message) => peer.receive(message as Wire));
// The kernel is gone (or let go of this sandbox): so is the sandbox.
process.on('disconnect', () => process.exit(0));
// A plugin's stray rejection or throw in a timer is its own problem: logged by the kernel when the process dies (a
// throw) or ignored (a rejection), never the kernel's.
process.on('unhandledRejection', () => undefined);

function harden(): void {
  const p = process as unknown as Record<string | symbol, unknown>;
  for (const key of [
    'binding',
    '_linkedBinding',
    'getBuiltinModule',
    'dlopen',
    'mainModule',
    'kill',
    '_kill',
    '_debugProcess',
    '_debugEnd',
    '_startProfilerIdleNotifier',
    '_stopProfilerIdleNotifier',
    'execve',
    'report',
    'send',
    '_send',
    'disconnect',
    '_disconnect',
    'openStdin',
    'setSourceMapsEnabled',
    'loadEnvFile',
  ]) {
    try {
      delete p[key];
    } catch {
      p[key] = undefined;
    }
  }
  for (const symbol of Object.getOwnPropertySymbols(process)) if (String(symbol) === 'Symbol(kChannelHandle)') delete p[symbol];
  Object.defineProperty(process, 'env', { value: Object.freeze({}), writable: false, configurable: false });
  const g = globalThis as unknown as Record<string | symbol, unknown>;
  for (const key of ['fetch', 'WebSocket', 'EventSource', 'require', 'module']) delete g[key];
  for (const symbol of Object.getOwnPropertySymbols(globalThis)) if (String(symbol).includes('undici')) delete g[symbol];
}

interface LoadedModule {
  exports: unknown;
}

const cache = new Map<string, LoadedModule>();

function inside(file: string): boolean {
  return file === packageRoot || file.startsWith(packageRoot + sep);
}

function resolveFile(base: string): string | undefined {
  const candidates = [base, `${base}.js`, `${base}.cjs`, `${base}.json`, join(base, 'index.js')];
  if (existsSync(join(base, 'package.json'))) {
    const main = (JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')) as { main?: string }).main;
    if (main) candidates.splice(1, 0, join(base, main), `${join(base, main)}.js`, join(base, main, 'index.js'));
  }
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

function makeRequire(fromDir: string): (specifier: string) => unknown {
  return (specifier: string) => {
    const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    if (name === '@valueverse/plugin-sdk') return sdk;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (ALLOWED_BUILTINS.has(name)) return require(`node:${name}`);
    if (builtinModules.includes(name) || specifier.startsWith('node:')) throw new Error(`module "${specifier}" is not available in the sandbox`);
    let file: string | undefined;
    if (specifier.startsWith('.') || isAbsolute(specifier)) file = resolveFile(resolve(fromDir, specifier));
    else
      for (let dir = fromDir; inside(dir); dir = dirname(dir)) {
        file = resolveFile(join(dir, 'node_modules', specifier));
        if (file || dir === packageRoot) break;
      }
    if (!file || !inside(file)) throw new Error(`module "${specifier}" is not available in the sandbox (only files of the plugin's package load)`);
    return load(file);
  };
}

function load(file: string): unknown {
  const cached = cache.get(file);
  if (cached) return cached.exports;
  const module: LoadedModule = { exports: {} };
  cache.set(file, module);
  const source = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    module.exports = JSON.parse(source);
    return module.exports;
  }
  // No `importModuleDynamically`: `import()` in the plugin fails with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING.
  const wrapper = compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  wrapper.call(module.exports, module.exports, makeRequire(dirname(file)), module, file, dirname(file));
  return module.exports;
}

interface SandboxedModule {
  readonly deps: Record<string, unknown>;
  readonly database?: { readonly migrations: readonly unknown[]; readonly entities?: readonly unknown[] };
  setup(deps: Record<string, unknown>, registrar: unknown): unknown;
  start?(): unknown;
  stop?(): unknown;
}

function describeRef(ref: unknown): { id: string; multiple: boolean; optional: boolean } {
  const r = ref as { $$type?: string; id?: string; multiple?: boolean; ref?: { id: string; multiple?: boolean } };
  if (r?.$$type === 'valueverse.optional-service-ref' && r.ref) return { id: r.ref.id, multiple: r.ref.multiple === true, optional: true };
  return { id: String(r?.id), multiple: r?.multiple === true, optional: false };
}

interface RequestInfo {
  readonly requestId: string;
  readonly tenant: unknown;
  readonly user: unknown;
}

/** The request a handler serves, for `coreServices.context` (synchronous, so it cannot be asked of the kernel). */
const currentRequest = new AsyncLocalStorage<RequestInfo>();

/**
 * Where the SDK's contract is synchronous or returns what cannot cross (a `Response`), the sandbox side completes the
 * kernel's service: the request context is tracked here, outbound answers are rebuilt as `Response`s.
 */
function localService(refId: string, service: unknown): unknown {
  if (service === undefined || service === null) return service;
  const remote = service as Record<string, (...args: unknown[]) => Promise<unknown>>;
  switch (refId) {
    case 'core.context':
      return { current: () => currentRequest.getStore() };
    case 'core.http':
      return {
        route: (definition: { handler: (req: RequestInfo) => unknown }) =>
          remote.route!({
            ...definition,
            handler: (req: RequestInfo) => currentRequest.run({ requestId: req.requestId, tenant: req.tenant, user: req.user }, () => definition.handler(req)),
          }),
      };
    case 'core.outbound':
      return {
        fetch: async (input: unknown, init?: Record<string, unknown>) => {
          const url = typeof input === 'object' && input !== null && 'url' in input ? String((input as { url: string }).url) : String(input);
          const plainInit = init
            ? { ...init, headers: init.headers ? Object.fromEntries(new Headers(init.headers as ConstructorParameters<typeof Headers>[0])) : undefined, signal: undefined }
            : undefined;
          const res = (await remote.fetch!(url, plainInit)) as { status: number; statusText: string; headers: [string, string][]; body: Uint8Array };
          const empty = res.status === 204 || res.status === 304 || (res.status >= 100 && res.status < 200);
          return new Response(empty ? null : res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
        },
      };
    default:
      return service;
  }
}

harden();
let plugin: SandboxedModule | undefined;
let loadError: unknown;
try {
  plugin = (load(entry) as { plugin?: SandboxedModule }).plugin;
  if (!plugin || typeof plugin.setup !== 'function') loadError = new Error(`${entry} must \`export const plugin = definePlugin(...)\``);
} catch (error) {
  loadError = error;
}

peer.expose(0, {
  describe() {
    if (loadError) throw loadError;
    return {
      deps: Object.fromEntries(Object.entries(plugin!.deps).map(([name, ref]) => [name, describeRef(ref)])),
      database: plugin!.database
        ? { migrations: JSON.parse(JSON.stringify(plugin!.database.migrations)) as unknown[], entities: (plugin!.database.entities ?? []).length }
        : undefined,
      hasStart: typeof plugin!.start === 'function',
      hasStop: typeof plugin!.stop === 'function',
    };
  },
  async setup(deps: Record<string, unknown>, registrar: unknown) {
    peer.pinned = true;
    try {
      const local: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(plugin!.deps)) local[name] = localService(describeRef(ref).id, deps[name]);
      await plugin!.setup(local, registrar);
    } finally {
      peer.pinned = false;
    }
  },
  async start() {
    await plugin!.start?.();
  },
  async stop() {
    await plugin!.stop?.();
  },
});
post({ t: 'pong', id: 0 });
