import type * as OtelApi from '@opentelemetry/api';

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

const TRACER = 'valueverse';

/**
 * `fn` in a span of its own, active while it runs (the PostgreSQL and Redis spans it causes are its children). `fn`
 * may answer synchronously (undefined or a value) or with a promise; a throw or a rejection marks the span failed.
 */
export function inSpan<R>(api: Otel, name: string, attributes: SpanAttributes | undefined, fn: () => R): R {
  // Inside a trace that is not sampled (most requests: one in ten is, by default) a child would not be sampled
  // either: no span, no context switch, just the work.
  // (The sampled flag, not isRecording(): a parent from another process, extracted from a message, never records here.)
  const parent = api.trace.getActiveSpan();
  if (parent !== undefined && (parent.spanContext().traceFlags & api.TraceFlags.SAMPLED) === 0) return fn();
  return api.trace.getTracer(TRACER).startActiveSpan(name, { attributes }, (span) => {
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
  });
}

/** The active span's ids for a log line (`trace_id`, `span_id`), or an empty object outside any span. */
export function traceLogFields(api: Otel): Record<string, string> {
  const context = api.trace.getActiveSpan()?.spanContext();
  return context && api.isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

/** The active context as W3C trace-context headers (`traceparent`, `tracestate`), for a message to another process. */
export function injectTraceContext(api: Otel): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** Runs `fn` in the context another process sent along (`injectTraceContext`), in a consumer span named `name`. */
export function withRemoteContext<R>(api: Otel, carrier: Record<string, string> | undefined, name: string, attributes: SpanAttributes, fn: () => R): R {
  const parent = carrier ? api.propagation.extract(api.context.active(), carrier) : api.context.active();
  return api.context.with(parent, () => inSpan(api, name, { ...attributes, 'messaging.operation.type': 'process' }, fn));
}
