import { AsyncLocalStorage } from 'node:async_hooks';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { VvError, createServiceRef, isErrorCode, optionalRef, type PluginMigration, type PluginRegistrar, type VvPlugin } from '@valueverse/plugin-sdk';
import type { KernelLogger } from '../observability/kernel-logger';
import { RpcPeer, type Wire, type WireError } from './rpc-peer';
import { defaultSandboxBudgets, type SandboxBudgets } from './sandbox-budgets';
import { sandboxFacade, type SandboxScope } from './sandbox-facades';

export { defaultSandboxBudgets, type SandboxBudgets };

/** Resident memory a sandbox may hold beyond its heap budget (code, buffers, the runtime itself). */
const RSS_SLACK_MB = 96;
const WATCH_EVERY_MS = 50;
const BOOT_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
/** `nice` of a sandbox process (the host runs at 0). */
const SANDBOX_NICE = 10;

export type SandboxState = 'starting' | 'up' | 'restarting' | 'stopped';

/** What `/health/ready` and `/metrics` show of one sandbox. */
export interface SandboxStatus {
  readonly trust: 'sandboxed';
  state: SandboxState;
  restarts: number;
  readonly budgetHits: { cpu: number; memory: number; concurrency: number; time: number };
  readonly budgets: SandboxBudgets;
  lastExit?: string;
}

export interface SandboxEvents {
  budgetExceeded?(pluginId: string, budget: keyof SandboxStatus['budgetHits']): void;
  restarted?(pluginId: string): void;
}

interface Descriptor {
  readonly deps: Record<string, { id: string; multiple: boolean; optional: boolean }>;
  readonly database?: { readonly migrations: readonly PluginMigration[]; readonly entities: number };
  readonly hasStart: boolean;
  readonly hasStop: boolean;
}

function kernelFile(name: string): string {
  // Under jest the kernel runs from its TypeScript sources; the sandbox process runs plain Node on the build.
  const here = __filename.endsWith('.ts') ? resolve(__dirname, '..', '..', 'dist', 'sandbox') : __dirname;
  return join(here, name);
}

/** The SDK's built entry: a plugin in a sandbox gets the same SDK (never its TypeScript sources, as under jest). */
function sdkEntry(): string {
  const root = sdkRoot();
  const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main?: string }).main ?? 'dist/index.js';
  return join(root, main);
}

function sdkRoot(): string {
  const entry = require.resolve('@valueverse/plugin-sdk');
  let root = dirname(entry);
  while (root !== dirname(root)) {
    try {
      if ((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string }).name === '@valueverse/plugin-sdk') break;
    } catch {
      // not a package folder
    }
    root = dirname(root);
  }
  return realpathSync(root);
}

/** Folders the sandbox process may read besides the plugin's package: its own code and the SDK with its dependencies. */
function runtimeReadPaths(): string[] {
  // The SDK's own dependencies (ajv, ...): its node_modules and the workspace's, where npm hoists them.
  const sdk = sdkRoot();
  const modules = [join(sdk, 'node_modules'), join(dirname(sdk), 'node_modules')].filter((dir) => existsSync(dir));
  return [dirname(kernelFile('sandbox-child.js')), sdk, ...modules];
}

function toError(error: WireError): Error {
  if (error?.code && isErrorCode(error.code)) {
    try {
      return new VvError(error.code, { params: error.params ?? {}, extensions: error.extensions });
    } catch {
      // fall through to a plain error
    }
  }
  const e = new Error(error?.message ?? 'the sandboxed plugin failed');
  e.name = error?.name ?? 'Error';
  return e;
}

/**
 * One untrusted plugin in its own Node process (Grafana runs backend plugins as subprocesses and restarts them). The
 * kernel holds a `VvPlugin` facade (`plugin`) that the lifecycle treats like any other; every call into the plugin
 * crosses IPC, is timed, and is refused while the sandbox is down. A call that holds the event loop past the CPU
 * budget, or a sandbox past its memory, is killed; a killed or crashed sandbox restarts with backoff and its setup
 * runs again against the same kernel-side registrations (routes, subscriptions, jobs stay; their stubs reach the new
 * process).
 */
export class PluginSandbox {
  readonly status: SandboxStatus;
  private child: ChildProcess | undefined;
  private peer: RpcPeer | undefined;
  private active = 0;
  private lastPong = Date.now();
  private lastTick = Date.now();
  private pings = 0;
  private killedFor: { budget: keyof SandboxStatus['budgetHits']; reason: string } | undefined;
  private watch: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs = 250;
  private upSince = 0;
  private setupWith: { facades: Record<string, unknown>; registrar: PluginRegistrar } | undefined;
  private started = false;
  private stopping = false;
  private replaying = false;
  /** False from a sandbox's exit until its replacement has run setup again: calls before that would find no handlers. */
  private serving = false;
  /** The tenant the call being served is for: requests, events and jobs set it; db/config/events check it. */
  private readonly scope = new AsyncLocalStorage<SandboxScope>();
  /** Set while the kernel serves a call the sandbox made: calls back into it are nested, not new work. */
  private readonly servingSandbox = new AsyncLocalStorage<true>();

  constructor(
    private readonly o: {
      readonly pluginId: string;
      readonly entry: string;
      readonly dir: string;
      readonly budgets: SandboxBudgets;
      readonly logger: KernelLogger;
      readonly events?: SandboxEvents;
    },
  ) {
    this.status = { trust: 'sandboxed', state: 'starting', restarts: 0, budgetHits: { cpu: 0, memory: 0, concurrency: 0, time: 0 }, budgets: o.budgets };
  }

  /** Starts the process and loads the plugin; returns the kernel-side plugin. Throws what loading the plugin threw. */
  async load(): Promise<VvPlugin> {
    await this.spawn();
    const descriptor = (await this.callRoot('describe', [])) as Descriptor;
    this.serving = true;
    return this.facadeOf(descriptor);
  }

  private facadeOf(d: Descriptor): VvPlugin {
    const deps = Object.fromEntries(
      Object.entries(d.deps).map(([name, ref]) => {
        const serviceRef = ref.multiple ? createServiceRef({ id: ref.id, multiple: true }) : createServiceRef({ id: ref.id });
        return [name, ref.optional ? optionalRef(serviceRef) : serviceRef];
      }),
    );
    return Object.freeze({
      $$type: 'valueverse.plugin' as const,
      version: 'v1' as const,
      deps,
      // Migrations are data: the kernel runs them. Entities are classes that cannot cross: `em` is not offered.
      database: d.database ? { migrations: d.database.migrations } : undefined,
      setup: async (resolved: Record<string, unknown>, registrar: PluginRegistrar) => {
        const facades: Record<string, unknown> = {};
        for (const [name, ref] of Object.entries(d.deps)) facades[name] = sandboxFacade(ref.id, resolved[name], this.facadeContext());
        const provide = {
          provide: (ref: Parameters<PluginRegistrar['provide']>[0], impl: unknown) => (this.replaying ? undefined : registrar.provide(ref, impl)),
          privacy: (handlers: Parameters<PluginRegistrar['privacy']>[0]) => (this.replaying ? undefined : registrar.privacy(handlers)),
          onReseal: (hook: Parameters<PluginRegistrar['onReseal']>[0]) => (this.replaying ? undefined : registrar.onReseal(hook)),
        };
        this.setupWith = { facades, registrar: provide };
        try {
          await this.callRoot('setup', [facades, provide], true);
        } catch (error) {
          // A failed plugin is never started, so never stopped by the lifecycle: its process ends here.
          await this.stop().catch(() => undefined);
          throw error;
        }
      },
      start: async () => {
        this.started = true;
        if (d.hasStart) await this.callRoot('start', []);
      },
      stop: async () => {
        await this.stop();
      },
    });
  }

  private facadeContext() {
    return {
      pluginId: this.o.pluginId,
      budgets: this.o.budgets,
      scope: this.scope,
      replaying: () => this.replaying,
    };
  }

  /** Ends the plugin's stop, then the process; no restart follows. */
  async stop(): Promise<void> {
    try {
      if (this.status.state === 'up' && this.started) await this.callRoot('stop', []);
    } finally {
      this.stopping = true;
      this.status.state = 'stopped';
      clearTimeout(this.restartTimer);
      clearInterval(this.watch);
      this.child?.kill('SIGKILL');
    }
  }

  private spawn(): Promise<void> {
    const budgets = this.o.budgets;
    const reads = [this.o.dir, ...runtimeReadPaths()];
    const child = fork(kernelFile('sandbox-child.js'), [this.o.entry, this.o.dir, sdkEntry()], {
      execPath: process.execPath,
      execArgv: ['--permission', ...reads.map((p) => `--allow-fs-read=${p}`), `--max-old-space-size=${budgets.memoryMb}`, '--unhandled-rejections=warn'],
      // No environment at all: nothing of the host's (DATABASE_URL, VV_ENCRYPTION_KEY) reaches the plugin.
      env: {},
      cwd: this.o.dir,
      // stdio to /dev/null: a pipe would hand the plugin a net.Socket, and a net.Socket can connect anywhere.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    // Below the host's priority: a sandbox that spins (until its budget kills it) takes the CPU the host leaves over,
    // so /health/live and in-process routes keep their latency on a small machine.
    try {
      if (child.pid) setPriority(child.pid, SANDBOX_NICE);
    } catch {
      // not permitted here (some containers): the budgets still apply
    }
    const peer = new RpcPeer({
      send: (message) => {
        if (!child.connected) throw new VvError('VV_PLUGIN_FAILED', { params: { plugin: this.o.pluginId, state: this.status.state, reason: 'its sandbox is not running' } });
        child.send(message);
      },
      toError,
      remoteFunction:
        (_peer, id, method) =>
        (...args: unknown[]) =>
          this.invoke(id, method, args),
      runIncoming: (context, work) => {
        const snapshot = context as (<R>(fn: () => R) => R) | undefined;
        return this.servingSandbox.run(true, () => (snapshot ? snapshot(work) : work()));
      },
    });
    this.peer = peer;
    return new Promise<void>((resolveBoot, rejectBoot) => {
      const bootTimer = setTimeout(() => {
        child.kill('SIGKILL');
        rejectBoot(new VvError('VV_PLUGIN_FAILED', { params: { plugin: this.o.pluginId, state: 'failed', reason: `its sandbox did not start in ${BOOT_TIMEOUT_MS} ms` } }));
      }, BOOT_TIMEOUT_MS);
      let booted = false;
      child.on('message', (message: Wire) => {
        if (message?.t === 'pong') {
          this.lastPong = Date.now();
          if (!booted && message.id === 0) {
            booted = true;
            clearTimeout(bootTimer);
            this.status.state = 'up';
            this.upSince = Date.now();
            this.startWatching();
            resolveBoot();
          }
          return;
        }
        peer.receive(message);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(bootTimer);
        this.exited(peer, code, signal);
        if (!booted)
          rejectBoot(new VvError('VV_PLUGIN_FAILED', { params: { plugin: this.o.pluginId, state: 'failed', reason: `its sandbox exited while starting (${signal ?? code})` } }));
      });
      child.on('error', (error) => this.o.logger.error({ err: error, plugin: this.o.pluginId }, `plugin "${this.o.pluginId}": sandbox process error`));
    });
  }

  private startWatching(): void {
    clearInterval(this.watch);
    this.lastPong = Date.now();
    this.lastTick = Date.now();
    this.watch = setInterval(() => {
      const child = this.child;
      if (!child?.connected || this.status.state !== 'up') return;
      const now = Date.now();
      // A late tick means the kernel's own loop was busy: the sandbox's answers may be waiting unread. Not its fault.
      if (now - this.lastTick > WATCH_EVERY_MS * 4) this.lastPong = now;
      this.lastTick = now;
      if (now - this.lastPong > this.o.budgets.cpuMs) {
        this.kill('cpu', `a call held the CPU for more than ${this.o.budgets.cpuMs} ms`);
        return;
      }
      const rssMb = residentMb(child.pid);
      if (rssMb !== undefined && rssMb > this.o.budgets.memoryMb + RSS_SLACK_MB) {
        this.kill('memory', `it held ${Math.round(rssMb)} MB (budget ${this.o.budgets.memoryMb} MB heap + ${RSS_SLACK_MB} MB)`);
        return;
      }
      try {
        child.send({ t: 'ping', id: ++this.pings } satisfies Wire);
      } catch {
        // exiting
      }
    }, WATCH_EVERY_MS);
    this.watch.unref();
  }

  private kill(budget: keyof SandboxStatus['budgetHits'], reason: string): void {
    if (this.killedFor) return;
    this.killedFor = { budget, reason };
    this.hit(budget);
    this.o.logger.warn({ plugin: this.o.pluginId, budget, reason }, `plugin "${this.o.pluginId}": sandbox over its ${budget} budget, killed`);
    this.child?.kill('SIGKILL');
  }

  private hit(budget: keyof SandboxStatus['budgetHits']): void {
    this.status.budgetHits[budget] += 1;
    this.o.events?.budgetExceeded?.(this.o.pluginId, budget);
  }

  private exited(peer: RpcPeer, code: number | null, signal: NodeJS.Signals | null): void {
    clearInterval(this.watch);
    this.serving = false;
    const oom = !this.killedFor && (signal === 'SIGABRT' || signal === 'SIGTRAP' || code === 134);
    if (oom) this.hit('memory');
    const killed = this.killedFor ?? (oom ? { budget: 'memory' as const, reason: 'it ran out of memory' } : undefined);
    this.killedFor = undefined;
    this.status.lastExit = killed ? `${killed.budget}: ${killed.reason}` : `exited (${signal ?? `code ${code}`})`;
    if (this.stopping) {
      peer.close(new VvError('VV_PLUGIN_FAILED', { params: { plugin: this.o.pluginId, state: 'stopped', reason: 'it was stopped' } }));
      return;
    }
    // Backoff: doubles while the sandbox keeps dying young, back to the minimum after a healthy minute.
    this.backoffMs = this.upSince && Date.now() - this.upSince > 60_000 ? 250 : Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    const retryAfter = String(Math.max(1, Math.ceil(this.backoffMs / 1000)));
    peer.close(
      killed
        ? new VvError('VV_PLUGIN_BUDGET_EXCEEDED', { params: { plugin: this.o.pluginId, budget: killed.budget, reason: killed.reason }, headers: { 'Retry-After': retryAfter } })
        : new VvError('VV_PLUGIN_FAILED', {
            params: { plugin: this.o.pluginId, state: 'restarting', reason: `its sandbox ${this.status.lastExit}` },
            headers: { 'Retry-After': retryAfter },
          }),
    );
    if (this.status.state === 'starting') return;
    this.status.state = 'restarting';
    this.o.logger.warn({ plugin: this.o.pluginId, lastExit: this.status.lastExit, backoffMs: this.backoffMs }, `plugin "${this.o.pluginId}": sandbox ended; restarting`);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.restart(), this.backoffMs);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    this.status.restarts += 1;
    this.o.events?.restarted?.(this.o.pluginId);
    try {
      this.status.state = 'starting';
      await this.spawn();
      await this.callRoot('describe', []);
      if (this.setupWith) {
        // The kernel keeps the first setup's routes, subscriptions and jobs; this one only re-creates the handlers.
        this.replaying = true;
        try {
          await this.callRoot('setup', [this.setupWith.facades, this.setupWith.registrar], true);
        } finally {
          this.replaying = false;
        }
      }
      if (this.started) await this.callRoot('start', []);
      this.status.state = 'up';
      this.serving = true;
    } catch (error) {
      this.o.logger.error({ err: error, plugin: this.o.pluginId }, `plugin "${this.o.pluginId}": sandbox restart failed`);
      if (this.stopping) return;
      // A process that never booted left no exit to restart from; one that booted and failed setup is killed here,
      // and its exit schedules the next try.
      const booted = this.status.state === 'up';
      this.status.state = 'restarting';
      if (booted) this.child?.kill('SIGKILL');
      else {
        this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
        this.scheduleRestart();
      }
    }
  }

  private unavailable(): VvError {
    const state = this.status.state === 'up' ? 'restarting' : this.status.state;
    return new VvError('VV_PLUGIN_FAILED', {
      params: { plugin: this.o.pluginId, state, reason: `its sandbox is ${state}` },
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(this.backoffMs / 1000))) },
    });
  }

  private callRoot(method: string, args: unknown[], pinned = false): Promise<unknown> {
    const peer = this.peer;
    if (!peer) return Promise.reject(this.unavailable());
    peer.pinned = pinned;
    try {
      return this.timed(peer.call(0, method, args, AsyncLocalStorage.snapshot()));
    } finally {
      peer.pinned = false;
    }
  }

  /** A call from the kernel into the sandbox (a route, event or job handler, a provided service's method). */
  private invoke(target: number, method: string | undefined, args: unknown[]): Promise<unknown> {
    const peer = this.peer;
    if (!peer || !this.serving) return Promise.reject(this.unavailable());
    if (this.servingSandbox.getStore()) return peer.call(target, method, args, AsyncLocalStorage.snapshot());
    if (this.active >= this.o.budgets.maxConcurrent) {
      this.hit('concurrency');
      return Promise.reject(
        new VvError('VV_PLUGIN_BUDGET_EXCEEDED', {
          params: { plugin: this.o.pluginId, budget: 'concurrency', reason: `${this.active} calls are running (budget ${this.o.budgets.maxConcurrent})` },
          headers: { 'Retry-After': '1' },
        }),
      );
    }
    this.active += 1;
    return this.timed(peer.call(target, method, args, AsyncLocalStorage.snapshot())).finally(() => {
      this.active -= 1;
    });
  }

  private timed<T>(call: Promise<T>): Promise<T> {
    const limit = this.o.budgets.callTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.hit('time');
        reject(
          new VvError('VV_PLUGIN_BUDGET_EXCEEDED', {
            params: { plugin: this.o.pluginId, budget: 'time', reason: `the call took longer than ${limit} ms` },
            headers: { 'Retry-After': '1' },
          }),
        );
      }, limit);
    });
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
  }
}

/** Resident set size of a process in MB (Linux `/proc`); undefined elsewhere. */
function residentMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return (pages * 4096) / (1024 * 1024);
  } catch {
    return undefined;
  }
}

/**
 * Starts a sandbox for the plugin in `dir` (its built `main`, CommonJS) and returns the kernel-side plugin and the
 * sandbox's live status. A plugin that does not load is refused here with what it threw, and its process ends.
 */
export async function loadSandboxedPlugin(o: {
  readonly pluginId: string;
  readonly dir: string;
  readonly entry: string;
  readonly logger: KernelLogger;
  readonly budgets?: Partial<SandboxBudgets>;
  readonly events?: SandboxEvents;
}): Promise<{ plugin: VvPlugin; sandbox: SandboxStatus }> {
  const sandbox = new PluginSandbox({ ...o, dir: resolve(o.dir), entry: resolve(o.entry), budgets: { ...defaultSandboxBudgets, ...o.budgets } });
  try {
    return { plugin: await sandbox.load(), sandbox: sandbox.status };
  } catch (error) {
    await sandbox.stop().catch(() => undefined);
    throw new VvError('VV_PLUGIN_FAILED', {
      params: { plugin: o.pluginId, state: 'failed', reason: `loading it in its sandbox failed: ${(error as Error)?.message ?? String(error)}` },
      cause: error,
    });
  }
}
