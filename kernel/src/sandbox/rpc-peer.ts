import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One side of the kernel ↔ sandbox channel: a capability RPC over process IPC (structured clone). A function or a
 * service object crossing the channel is never copied: it is exported under a number and the other side receives a
 * stub that calls it back. A side can only call what the other side handed it, and only the methods listed when it
 * was handed over; everything else is data.
 *
 * Exports made while encoding the arguments of a call are released when that call settles (a request's logger, a
 * transaction's `work`), unless the peer is `pinned` (during setup: route handlers, subscriptions and provided
 * services live as long as the sandbox). Ids are handed out in order, so a plugin whose setup runs again after a
 * restart gets the same ids for the same handlers: the kernel's stubs stay valid across restarts.
 */
export type Wire =
  | { readonly t: 'call'; readonly id: number; readonly target: number; readonly method?: string; readonly args: readonly unknown[]; readonly via?: number }
  | { readonly t: 'ok'; readonly id: number; readonly value: unknown }
  | { readonly t: 'err'; readonly id: number; readonly error: WireError }
  | { readonly t: 'ping'; readonly id: number }
  | { readonly t: 'pong'; readonly id: number };

export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly status?: number;
  readonly params?: Record<string, unknown>;
  readonly extensions?: Record<string, unknown>;
}

/** Marker key of encoded references; a plain object that has it is wrapped, so user data can never forge one. */
const TAG = '__vvrpc';

type Exported = { readonly fn: (...args: unknown[]) => unknown } | { readonly obj: object; readonly methods: ReadonlySet<string> };

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  readonly scope: number[];
  readonly context: unknown;
}

export interface RpcPeerOptions {
  /** Posts one message to the other side. */
  send(message: Wire): void;
  /** Builds the error this side throws for a `WireError` the other side sent. */
  toError?(error: WireError): Error;
  /**
   * Runs the handling of an incoming call; `viaContext` is the `context` of this side's own call that the other side
   * is serving while it makes it (the kernel runs it in that call's async context: request, tenant). Default: as is.
   */
  runIncoming?(viaContext: unknown, work: () => Promise<unknown>): Promise<unknown>;
  /** Builds the stub for a function of the other side (default: a call on this peer). */
  remoteFunction?(peer: RpcPeer, id: number, method?: string): (...args: unknown[]) => Promise<unknown>;
}

/** Names of the callable members of a service object, from its own keys and its prototype chain. */
function methodsOf(obj: object): Set<string> {
  const names = new Set<string>();
  for (let o: object | null = obj; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || name.startsWith('_')) continue;
      const d = Object.getOwnPropertyDescriptor(o, name);
      if (d && typeof d.value === 'function') names.add(name);
    }
  }
  return names;
}

/** A plain object of any realm (IPC deserializes into the main realm; jest runs the kernel in another one). */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

export function errorToWire(error: unknown): WireError {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; status?: unknown; params?: unknown; extensions?: unknown } | null;
  const plain = (v: unknown) => (v && typeof v === 'object' ? (JSON.parse(JSON.stringify(v)) as Record<string, unknown>) : undefined);
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(error),
    code: typeof e?.code === 'string' ? e.code : undefined,
    status: typeof e?.status === 'number' ? e.status : undefined,
    params: plain(e?.params),
    extensions: plain(e?.extensions),
  };
}

export class RpcPeer {
  /** While true, exports made by outgoing calls are kept for the life of the peer (see the class comment). */
  pinned = false;
  private readonly exports = new Map<number, Exported>();
  private readonly pending = new Map<number, Pending>();
  private readonly serving = new AsyncLocalStorage<number>();
  private nextExport = 1;
  private nextCall = 1;
  private closedWith: Error | undefined;

  constructor(private readonly options: RpcPeerOptions) {}

  /** Exports `value` under a fixed id (0: the root object each side starts from). */
  expose(id: number, value: object): void {
    this.exports.set(id, typeof value === 'function' ? { fn: value as (...args: unknown[]) => unknown } : { obj: value, methods: methodsOf(value) });
  }

  /** Calls function `target` (or `method` of object `target`) on the other side. */
  call(target: number, method: string | undefined, args: readonly unknown[], context?: unknown): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextCall++;
    const scope: number[] = [];
    const encoded = args.map((a) => this.encode(a, scope));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, scope, context });
      try {
        this.options.send({ t: 'call', id, target, method, args: encoded, via: this.serving.getStore() });
      } catch (error) {
        this.settle(id);
        reject(error);
      }
    });
  }

  /** Ids of this side's calls still waiting for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Every waiting call fails with `error`, and so does every later one. */
  close(error: Error): void {
    this.closedWith = error;
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(error);
    }
    this.exports.clear();
  }

  /** Feeds one message from the other side. */
  receive(message: Wire): void {
    switch (message.t) {
      case 'call':
        void this.answer(message);
        return;
      case 'ok':
      case 'err': {
        const p = this.settle(message.id);
        if (!p) return;
        if (message.t === 'ok') p.resolve(this.decode(message.value));
        else p.reject(this.toError(message.error));
        return;
      }
      case 'ping':
        this.options.send({ t: 'pong', id: message.id });
        return;
      default:
        return;
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (!this.pinned) for (const exported of p.scope) this.exports.delete(exported);
    return p;
  }

  private async answer(message: Extract<Wire, { t: 'call' }>): Promise<void> {
    const run = this.options.runIncoming ?? ((_context: unknown, work: () => Promise<unknown>) => work());
    try {
      const value = await run(message.via === undefined ? undefined : this.pending.get(message.via)?.context, () =>
        this.serving.run(message.id, async () => {
          const exported = this.exports.get(message.target);
          if (!exported) throw new TypeError(`nothing is exported under ${message.target}`);
          const args = (Array.isArray(message.args) ? message.args : []).map((a) => this.decode(a));
          if ('fn' in exported) return exported.fn(...args);
          if (typeof message.method !== 'string' || !exported.methods.has(message.method)) throw new TypeError(`"${String(message.method)}" is not a method of this service`);
          return (exported.obj as Record<string, (...a: unknown[]) => unknown>)[message.method]!(...args);
        }),
      );
      // The answer's exports live as long as the peer: the other side may keep what it was given.
      this.options.send({ t: 'ok', id: message.id, value: this.encode(value, undefined) });
    } catch (error) {
      try {
        this.options.send({ t: 'err', id: message.id, error: errorToWire(error) });
      } catch {
        // The channel is gone; the other side learns it from the exit.
      }
    }
  }

  private export(value: Exported, scope: number[] | undefined): number {
    const id = this.nextExport++;
    this.exports.set(id, value);
    if (scope && !this.pinned) scope.push(id);
    return id;
  }

  private encode(value: unknown, scope: number[] | undefined, depth = 0): unknown {
    if (depth > 64) throw new TypeError('value nests too deeply to cross the sandbox boundary');
    if (typeof value === 'function') return { [TAG]: 'fn', id: this.export({ fn: value as (...args: unknown[]) => unknown }, scope) };
    if (value === null || typeof value !== 'object') return typeof value === 'symbol' ? undefined : value;
    if (value instanceof Error) return { [TAG]: 'error', error: errorToWire(value) };
    if (value instanceof Date || value instanceof RegExp || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value;
    if (value instanceof URL) return value.href;
    if (typeof AbortSignal !== 'undefined' && value instanceof AbortSignal) return { [TAG]: 'signal', aborted: value.aborted };
    if (Array.isArray(value)) return value.map((v) => this.encode(v, scope, depth + 1));
    if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, this.encode(v, scope, depth + 1)]));
    if (value instanceof Set) return new Set([...value].map((v) => this.encode(v, scope, depth + 1)));
    if (isPlain(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.encode(v, scope, depth + 1);
      return TAG in out ? { [TAG]: 'plain', value: out } : out;
    }
    // A class instance (a service): its data members are copied, its methods exported.
    const methods = methodsOf(value);
    const props: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v !== 'function' && !k.startsWith('_')) props[k] = this.encode(v, scope, depth + 1);
    return { [TAG]: 'obj', id: this.export({ obj: value, methods }, scope), methods: [...methods], props };
  }

  private decode(value: unknown, depth = 0): unknown {
    if (value === null || typeof value !== 'object' || depth > 64) return value;
    if (Array.isArray(value)) return value.map((v) => this.decode(v, depth + 1));
    if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, this.decode(v, depth + 1)]));
    if (value instanceof Set) return new Set([...value].map((v) => this.decode(v, depth + 1)));
    if (!isPlain(value)) return value;
    const tagged = value as Record<string, unknown>;
    switch (tagged[TAG]) {
      case 'fn':
        return this.remote(Number(tagged.id));
      case 'obj': {
        const id = Number(tagged.id);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries((tagged.props ?? {}) as Record<string, unknown>)) out[k] = this.decode(v, depth + 1);
        for (const name of (tagged.methods ?? []) as string[]) out[name] = this.remote(id, name);
        return out;
      }
      case 'error':
        return this.toError(tagged.error as WireError);
      case 'signal': {
        const controller = new AbortController();
        if (tagged.aborted) controller.abort();
        return controller.signal;
      }
      case 'plain':
        return this.decodeFields(tagged.value as Record<string, unknown>, depth);
      default:
        return this.decodeFields(tagged, depth);
    }
  }

  private decodeFields(value: Record<string, unknown>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.decode(v, depth + 1);
    return out;
  }

  private remote(id: number, method?: string): (...args: unknown[]) => Promise<unknown> {
    return this.options.remoteFunction ? this.options.remoteFunction(this, id, method) : (...args: unknown[]) => this.call(id, method, args);
  }

  private toError(error: WireError): Error {
    if (this.options.toError) return this.options.toError(error);
    const e = new Error(error?.message) as Error & { code?: string; status?: number };
    e.name = error?.name ?? 'Error';
    if (error?.code) e.code = error.code;
    if (error?.status) e.status = error.status;
    return e;
  }
}
