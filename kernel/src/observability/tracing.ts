import { randomFillSync } from 'node:crypto';
import type * as OtelApi from '@opentelemetry/api';
import { requestScope } from '../context/request-scope';
import { KernelSpan, kernelSpanSink } from './kernel-span';

/** The OpenTelemetry API, loaded only when tracing is on. */
export type Otel = typeof OtelApi;

/** Attributes of a span: strings and numbers only here (never a secret, a token or a person's e-mail). */
export type SpanAttributes = Record<string, string | number | boolean>;

/**
 * Whether this process traces: `VV_TRACING=on`, or `OTEL_EXPORTER_OTLP_ENDPOINT` set (unless `VV_TRACING=off`).
 * Off by default: nothing of OpenTelemetry is loaded then.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const flag = env.VV_TRACING?.trim().toLowerCase();
  if (flag === 'off') return false;
  return flag === 'on' || (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim() !== '' || (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? '').trim() !== '';
}

let loaded: Otel | null | undefined;

/**
 * The OpenTelemetry API when tracing is on, else undefined. Components ask once, when they are built, and pick a
 * traced or a plain code path then: with tracing off a request pays nothing for it. (The host starts the SDK before
 * it loads the kernel, host/src/tracing.ts; without an SDK the API's tracer is a no-op.)
 */
export function otel(): Otel | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand: tracing off loads nothing
  if (loaded === undefined) loaded = tracingRequested() ? (require('@opentelemetry/api') as Otel) : null;
  return loaded ?? undefined;
}

/** The kernel's tracer (its instrumentation scope): the host gives the kernel's own spans the same scope. */
export const KERNEL_TRACER = 'valueverse';
/**
 * The kernel's tracer, asked for once per registered provider: `getTracer` builds a key string and looks it up on
 * every call.
 */
let tracerOf: { provider: OtelApi.TracerProvider; tracer: OtelApi.Tracer } | undefined;
function kernelTracer(api: Otel): OtelApi.Tracer {
  const provider = api.trace.getTracerProvider();
  if (tracerOf?.provider !== provider) tracerOf = { provider, tracer: provider.getTracer(KERNEL_TRACER) };
  return tracerOf.tracer;
}

/**
 * `fn` in a span of its own, active while it runs (the PostgreSQL and Redis spans it causes are its children). `fn`
 * may answer synchronously (undefined or a value) or with a promise; a throw or a rejection marks the span failed.
 */
export function inSpan<R>(api: Otel, name: string, attributes: SpanAttributes | undefined, fn: () => R): R {
  // Inside a trace that is not sampled (most requests: one in ten is, by default) a child would not be sampled
  // either: no span, no context switch, just the work.
  // (The sampled flag, not isRecording(): a parent from another process, extracted from a message, never records here.)
  const parent = api.trace.getActiveSpan();
  if (parent === undefined) {
    const active = api.context.active();
    if (unsampledTrace(api, active) !== undefined) {
      // A request's own context, read from its handler's request scope (`traceRequests`, frameless): held for `fn`,
      // which may leave that scope (an event's subscribers run outside any request) and must still see it.
      return active === requestTraceContext() ? api.context.with(active, fn) : fn();
    }
  } else if ((parent.spanContext().traceFlags & api.TraceFlags.SAMPLED) === 0) return fn();
  // Below a span the kernel records itself (a sampled request's), a child of the same kind (`KernelSpan`).
  const sink = kernelSpanSink();
  if (parent instanceof KernelSpan && sink !== undefined) {
    const parentContext = parent.spanContext();
    const span = new KernelSpan(sink, name, api.SpanKind.INTERNAL, newSpanContext(api, api.TraceFlags.SAMPLED, parentContext.traceId), parentContext, attributes);
    return api.context.with(api.trace.setSpan(api.context.active(), span), () => runInSpan(api, span, fn));
  }
  return kernelTracer(api).startActiveSpan(name, { attributes }, (span) => runInSpan(api, span, fn));
}

/** `fn` with `span` active (the caller made it so), ending the span when `fn` is done; a throw or rejection marks it failed. */
function runInSpan<R>(api: Otel, span: OtelApi.Span, fn: () => R): R {
  const fail = (error: unknown) => {
    span.recordException(error as Error);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: (error as Error)?.message });
    span.end();
    throw error;
  };
  let result: R;
  try {
    result = fn();
  } catch (error) {
    return fail(error);
  }
  if (result instanceof Promise) {
    return result.then((value: unknown) => {
      span.end();
      return value;
    }, fail) as R;
  }
  span.end();
  return result;
}

/**
 * The context key under which a request that is not sampled carries its trace context (`traceRequests`): no span,
 * so that the PostgreSQL and Redis instrumentations (`requireParentSpan`) skip its calls outright, and the SDK's
 * sampler (host/src/tracing.ts) records nothing started inside it.
 */
export const UNSAMPLED_TRACE_KEY = 'valueverse.unsampled-trace';
let unsampledKey: symbol | undefined;

/**
 * Whether the code runs for a request not sampled: the caller's trace context when a caller sent one ("not sampled"),
 * `true` when the kernel decided (no ids are made for it unless a message leaves the process).
 */
function unsampledTrace(api: Otel, context: OtelApi.Context = api.context.active()): OtelApi.SpanContext | true | undefined {
  return context.getValue((unsampledKey ??= api.createContextKey(UNSAMPLED_TRACE_KEY))) as OtelApi.SpanContext | true | undefined;
}

/** The active span's ids for a log line (`trace_id`, `span_id`) (or those of a request not sampled), or an empty object. */
export function traceLogFields(api: Otel): Record<string, string> {
  const unsampled = unsampledTrace(api);
  const context = api.trace.getActiveSpan()?.spanContext() ?? (unsampled === true ? undefined : unsampled);
  return context && api.isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

/** Whether the active span is recorded here (a sampled request's): what a traced step checks before it builds anything. */
export function recording(api: Otel): boolean {
  return api.trace.getActiveSpan()?.isRecording() === true;
}

/** Past this many values, `LinkedContext.setValue` starts a flat chain (one value per key) instead of growing it. */
const CONTEXT_CHAIN_LIMIT = 32;

/**
 * An OpenTelemetry Context as a chain of values, each a small object: what every trace the kernel starts derives its
 * contexts from (`EMPTY_CONTEXT`), in place of the API's `ROOT_CONTEXT`. The API's context copies its parent's Map and
 * makes three closures for each value set; in the host, such a context (and the span it holds) outlived young
 * collections even when nothing referenced it any more, and was promoted to the old generation. Measured with
 * `--trace-gc-nvp` (NPV route, 1,450 req/s, 1 in 10 sampled): promoted per young collection 180 KB before, 142 KB
 * after; with spans exported within 50 ms, 180 KB before and 15 KB after, as with tracing off (the rest is spans
 * waiting in the batch span processor). CPU per request did not change measurably (`npm run bench -- tracing`, old and
 * new builds side by side: ×1.104 and ×1.132 before, ×1.113 and ×1.124 after). A value set again hides the older one;
 * `deleteValue` sets `undefined`, which reads as absent.
 */
class LinkedContext implements OtelApi.Context {
  constructor(
    readonly parent: LinkedContext | undefined,
    readonly key: symbol | undefined,
    readonly value: unknown,
    readonly length: number,
  ) {}

  getValue(key: symbol): unknown {
    return valueIn(this, key);
  }

  setValue(key: symbol, value: unknown): OtelApi.Context {
    if (this.length < CONTEXT_CHAIN_LIMIT) return new LinkedContext(this, key, value, this.length + 1);
    // Deeply nested work: keep only the newest value of each key, so that reads stay short.
    const values = newestValues(this, new Map<symbol, unknown>([[key, value]]));
    let flat = EMPTY;
    for (const [k, v] of [...values].reverse()) if (v !== undefined) flat = new LinkedContext(flat, k, v, flat.length + 1);
    return flat;
  }

  deleteValue(key: symbol): OtelApi.Context {
    return this.setValue(key, undefined);
  }
}

/** The newest value of `key` in the chain from `context` up. */
function valueIn(context: LinkedContext | undefined, key: symbol): unknown {
  for (; context !== undefined; context = context.parent) if (context.key === key) return context.value;
  return undefined;
}

/** Adds to `values` the newest value of each key in the chain from `context` up that it lacks. */
function newestValues(context: LinkedContext | undefined, values: Map<symbol, unknown>): Map<symbol, unknown> {
  for (; context?.key !== undefined; context = context.parent) if (!values.has(context.key)) values.set(context.key, context.value);
  return values;
}

const EMPTY = new LinkedContext(undefined, undefined, undefined, 0);

/** The context without values that the kernel's traces start from (see `LinkedContext`); the host's context manager answers it outside any trace. */
export const EMPTY_CONTEXT: OtelApi.Context = EMPTY;

/** Paths whose requests start no trace: probes and scrapes, every few seconds from every replica, would drown the traces. */
const UNTRACED_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * The context key (`api.createContextKey` makes it from this name, the same symbol on both sides) by which the
 * kernel tells the SDK's sampler that it sampled a request itself (`traceRequests`): host/src/tracing.ts wraps the
 * configured sampler so that such a root span is recorded.
 */
export const HEAD_SAMPLED_KEY = 'valueverse.head-sampled';

/**
 * The share of requests without a caller's `traceparent` whose trace is recorded, or undefined to ask the SDK's
 * sampler for each request. Set by the host when it starts the SDK, from OTEL_TRACES_SAMPLER(_ARG).
 */
let headRatio: number | undefined;
/** Whether the configured sampler follows a caller's decision (parentbased_*): then a caller's "not sampled" is final. */
let headParentBased = true;
/**
 * The most traces a second the kernel starts itself (`setRequestSampleRatio`), as a token bucket that holds a
 * second's worth: undefined for no limit.
 */
let headBudget: { readonly perMs: number; readonly capacity: number; tokens: number; at: number } | undefined;

/**
 * Sets the head sampling ratio of requests (0–1), or undefined to leave every decision to the SDK's sampler, whether
 * a caller's decision is followed, and the most requests a second it samples (undefined or 0: no limit). The limit
 * bounds what tracing costs a replica under load, whatever its traffic: a request the ratio picked past it is not
 * sampled. It applies to the kernel's own decisions only, never to a caller's sampled `traceparent`.
 */
export function setRequestSampleRatio(ratio: number | undefined, parentBased = true, maxPerSecond?: number): void {
  headRatio = ratio === undefined ? undefined : Math.min(1, Math.max(0, ratio));
  headParentBased = parentBased;
  const capacity = Math.max(1, maxPerSecond ?? 0);
  headBudget = maxPerSecond !== undefined && maxPerSecond > 0 ? { perMs: maxPerSecond / 1000, capacity, tokens: capacity, at: performance.now() } : undefined;
}

/** Whether the per-second limit leaves room for one more trace the kernel starts (takes it if so). */
function headSampleAllowed(): boolean {
  const budget = headBudget;
  if (budget === undefined) return true;
  const now = performance.now();
  budget.tokens = Math.min(budget.capacity, budget.tokens + (now - budget.at) * budget.perMs);
  budget.at = now;
  if (budget.tokens < 1) return false;
  budget.tokens -= 1;
  return true;
}

/** Random trace and span ids, 32 + 16 hex digits, from a pooled random buffer: for requests that are not sampled, and the kernel's own spans. */
const ID_BYTES = 24;
const idPool = Buffer.alloc(ID_BYTES * 512);
let idOffset = idPool.length;
function unsampledSpanContext(api: Otel, traceId?: string): OtelApi.SpanContext {
  return newSpanContext(api, api.TraceFlags.NONE, traceId);
}

/** A new span's context: a new span id, in trace `traceId` or a new one. */
function newSpanContext(api: Otel, traceFlags: OtelApi.TraceFlags, traceId?: string): OtelApi.SpanContext {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const at = idOffset;
  idOffset += ID_BYTES;
  return { traceId: traceId ?? idPool.toString('hex', at, at + 16), spanId: idPool.toString('hex', at + 16, at + ID_BYTES), traceFlags };
}

/**
 * The key under which a request that `traceRequests` did not sample, and ran without a context of its own, carries
 * that context: on the request (Koa's context), and from there (the plugin router) on its handler's request scope,
 * where the host's context manager finds it (`requestTraceContext`).
 */
export const REQUEST_TRACE_CONTEXT: unique symbol = Symbol('valueverse.request-trace-context');

/** Something that may carry a request's trace context under REQUEST_TRACE_CONTEXT (a Koa context, a request scope). */
export interface TraceContextCarrier {
  [REQUEST_TRACE_CONTEXT]?: OtelApi.Context;
}

/**
 * The trace context of the request whose handler is running, when the request was not sampled and runs without a
 * context of its own (`traceRequests`, `frameless`); undefined otherwise. The host's context manager answers it
 * where no context was entered, so that everything below a handler sees that nothing is to be recorded.
 */
export function requestTraceContext(): OtelApi.Context | undefined {
  return (requestScope.getStore() as TraceContextCarrier | undefined)?.[REQUEST_TRACE_CONTEXT];
}

/** What `traceRequests` needs of a request (a Koa context). */
interface TracedRequest extends TraceContextCarrier {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly req: { readonly headers: Record<string, string | string[] | undefined> };
  readonly state: { readonly route?: string };
  readonly _matchedRoute?: unknown;
}

/**
 * The HTTP server span of each request around `handle` (the kernel's front middleware), in place of the generic
 * HTTP and Koa instrumentations. The head sampling decision is made once, here: a caller's `traceparent` is followed
 * (the SDK's parent-based sampler); without one, one request in ten by default, up to the host's limit a second
 * (`setRequestSampleRatio`, VV_TRACING_MAX_PER_SECOND), is traced.
 * A request that is not sampled runs in a context marked with UNSAMPLED_TRACE_KEY and no span, so every step below
 * sees at once that there is nothing to record, the PostgreSQL and Redis instrumentations, which want a parent span,
 * do nothing at all, and an event it sends to another process goes with a "not sampled" traceparent, so that nothing
 * of it is recorded there either. (Its log lines carry its request id; a caller's trace id when a caller sent one.)
 * A sampled one records its method, path, route template and status, named `METHOD /route`.
 *
 * `frameless` (the kernel: a plugin's route) picks the requests that the kernel decided not to sample which run
 * without a context of their own: the marked context is left on the request (REQUEST_TRACE_CONTEXT), the plugin
 * router puts it on the handler's request scope, which it enters anyway, and the host's context manager answers it
 * there (`requestTraceContext`); before the handler (authentication, rate limits) nothing is active, which records
 * nothing either, and a timer that kernel code starts there is not tied to the request's trace. Why: in CPU profiles
 * of one host switched between the two under the same load (NPV route, 1,800 req/s, profiler on), a context entered
 * for the whole request took 13.6 µs a request more than none (its frame is copied into the handler's scope, and the
 * response's ticks and callbacks carry it), where the work of sampled requests came to about 6 µs a request at one
 * in ten. `npm run bench -- tracing` did not resolve the change (its NPV figure moved from ×1.18 to ×1.22, within
 * the spread of its runs). Requests with a caller's `traceparent` keep a context of their own.
 */
export function traceRequests<C extends TracedRequest, N>(
  api: Otel,
  handle: (ctx: C, next: N) => Promise<void>,
  options: { frameless?: (ctx: C) => boolean } = {},
): (ctx: C, next: N) => Promise<void> {
  const tracer = api.trace.getTracer(KERNEL_TRACER);
  const server = { kind: api.SpanKind.SERVER };
  const headSampled = EMPTY_CONTEXT.setValue(api.createContextKey(HEAD_SAMPLED_KEY), true);
  const unsampled = api.createContextKey(UNSAMPLED_TRACE_KEY);
  const notSampled = EMPTY_CONTEXT.setValue(unsampled, true);
  const frameless = options.frameless;
  const untraced = (ctx: C, next: N, traceId?: string) =>
    api.context.with(traceId === undefined ? notSampled : EMPTY_CONTEXT.setValue(unsampled, unsampledSpanContext(api, traceId)), handle, undefined, ctx, next);
  const traced = (ctx: C, next: N, parent: OtelApi.Context, sampling: OtelApi.Context) => {
    const method = ctx.method;
    // Sampled here (no caller's context): a span the kernel records itself (`KernelSpan`) when the host set where
    // those go, so that no sampler is asked; else the SDK's tracer decides and records.
    const sink = sampling === headSampled ? kernelSpanSink() : undefined;
    const span =
      sink !== undefined ? new KernelSpan(sink, method, api.SpanKind.SERVER, newSpanContext(api, api.TraceFlags.SAMPLED), undefined) : tracer.startSpan(method, server, sampling);
    const active = api.trace.setSpan(parent, span);
    if (!span.isRecording()) return api.context.with(active, handle, undefined, ctx, next);
    // One setAttributes call each way (every call validates its attributes); no constant `url.scheme`.
    span.setAttributes({ 'http.request.method': method, 'url.path': ctx.path });
    const end = () => {
      const route = ctx.state.route !== undefined ? `/api/v1${ctx.state.route}` : (ctx._matchedRoute as string | undefined);
      const status = ctx.status;
      if (route !== undefined) {
        span.updateName(`${method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      } else span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.end();
    };
    return api.context.with(active, handle, undefined, ctx, next).then(end, (error: unknown) => {
      span.recordException(error as Error);
      end();
      throw error;
    });
  };
  return (ctx, next) => {
    if (UNTRACED_PATHS.has(ctx.path)) return handle(ctx, next);
    const headers = ctx.req.headers;
    if (headers.traceparent !== undefined) {
      const parent = api.propagation.extract(EMPTY_CONTEXT, headers);
      const caller = api.trace.getSpanContext(parent);
      // The caller decided "not sampled", and the sampler follows callers: the same trace, nothing recorded here.
      if (headRatio !== undefined && headParentBased && caller !== undefined && (caller.traceFlags & api.TraceFlags.SAMPLED) === 0) return untraced(ctx, next, caller.traceId);
      return traced(ctx, next, parent, parent);
    }
    if (headRatio === undefined) return traced(ctx, next, EMPTY_CONTEXT, EMPTY_CONTEXT);
    if (Math.random() < headRatio && headSampleAllowed()) return traced(ctx, next, EMPTY_CONTEXT, headSampled);
    if (frameless?.(ctx) === true) {
      ctx[REQUEST_TRACE_CONTEXT] = notSampled;
      return handle(ctx, next);
    }
    return untraced(ctx, next);
  };
}

/** The active context as W3C trace-context headers (`traceparent`, `tracestate`), for a message to another process. */
export function injectTraceContext(api: Otel): Record<string, string> | undefined {
  // Inside a request not sampled: its trace, marked not sampled, so that the receiver records nothing of it either.
  const unsampled = api.trace.getActiveSpan() === undefined ? unsampledTrace(api) : undefined;
  if (unsampled !== undefined) {
    const { traceId, spanId } = unsampled === true ? unsampledSpanContext(api) : unsampled;
    return { traceparent: `00-${traceId}-${spanId}-00` };
  }
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** Runs `fn` in the context another process sent along (`injectTraceContext`), in a consumer span named `name`. */
export function withRemoteContext<R>(api: Otel, carrier: Record<string, string> | undefined, name: string, attributes: SpanAttributes, fn: () => R): R {
  const parent = carrier ? api.propagation.extract(api.context.active(), carrier) : api.context.active();
  return api.context.with(parent, () => inSpan(api, name, { ...attributes, 'messaging.operation.type': 'process' }, fn));
}
