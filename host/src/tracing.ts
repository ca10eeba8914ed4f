import type { Telemetry } from 'bullmq';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { HEAD_SAMPLED_KEY, setRequestSampleRatio, tracingRequested, UNSAMPLED_TRACE_KEY } from '@valueverse/kernel/backend';

/** What `startTracing` started: flushes and stops the exporter (at shutdown). */
export interface RunningTracing {
  shutdown(): Promise<void>;
}

let running: RunningTracing | undefined;
let telemetry: Telemetry | undefined;

/**
 * Starts OpenTelemetry tracing when it is asked for (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `VV_TRACING=on`), before the
 * kernel, pg and ioredis are loaded, so the instrumentations can wrap them. Off (the default) nothing of
 * OpenTelemetry is loaded. Spans go to the OTLP/HTTP endpoint of the standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * default http://localhost:4318; `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`...), as
 * protobuf, the protocol's default (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json` for JSON): a batch of spans is 2.6 times
 * smaller than in JSON, and Jaeger and collectors read both. host/src/tracing-provider.ts builds the exporter, the
 * batching and the resource from those variables (OTEL_TRACES_EXPORTER, OTEL_BSP_* too), as the SDK's `NodeSDK` does,
 * without loading its metrics and logs halves.
 *
 * Spans: the HTTP server request (with the tenant and role authentication resolved) and each plugin handler, made by
 * the kernel itself
 * (kernel/src/observability/tracing.ts `traceRequests`, kernel/src/http/kernel-http.ts), which also reads an incoming
 * `traceparent` and makes the request's one sampling decision, and records the spans of the requests it sampled
 * itself into the provider's processors (kernel/src/observability/kernel-span.ts); PostgreSQL and Redis calls made inside a traced
 * operation, outbound calls (AI providers), events (in process and over the Redis bridge) and BullMQ jobs. The
 * generic HTTP and Koa instrumentations are not used: they made spans, contexts and attributes for every request,
 * sampled or not, and one per Koa middleware (86% more CPU per request, `npm run bench -- tracing`).
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): RunningTracing | undefined {
  if (running || !tracingRequested(env)) return running;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { BullMQOtel } = require('bullmq-otel') as typeof import('bullmq-otel');
  const { registerTracerProvider } = require('./tracing-provider') as typeof import('./tracing-provider');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sampling = requestSampling(env);
  setRequestSampleRatio(sampling?.ratio, sampling?.parentBased, sampling?.maxPerSecond);
  const provider = registerTracerProvider(env, serviceName, sampling?.sampler);
  // No provider (OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER=none): nothing would be recorded, so nothing is patched.
  if (provider) {
    // Only inside a traced operation: the pools' and BullMQ's background polling would each start a trace.
    registerInstrumentations({
      instrumentations: [new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }), new IORedisInstrumentation({ requireParentSpan: true })],
    });
    telemetry = new BullMQOtel({ tracerName: 'valueverse-jobs' });
  }
  running = { shutdown: async () => provider?.shutdown() };
  return running;
}

/** The most traces a second the kernel starts itself with a ratio sampler unless VV_TRACING_MAX_PER_SECOND says otherwise. */
export const DEFAULT_TRACES_PER_SECOND = 10;

/**
 * The sampler of OTEL_TRACES_SAMPLER(_ARG) — by default parent-based, one trace in ten (a caller's sampled
 * `traceparent` is always followed) — and the ratio the kernel samples requests with itself, at most
 * VV_TRACING_MAX_PER_SECOND requests a second (10 by default; 0 for no limit) with a ratio sampler (`traceidratio`,
 * `parentbased_traceidratio`), so that what tracing costs a replica stays bounded as its traffic grows: at 2,000
 * requests a second one in ten would be 200 traces a second from each replica, at most ten are. `always_on` is
 * not limited (every trace was asked for).
 * The kernel makes the head decision of a request once (kernel/src/observability/tracing.ts, `traceRequests`) and
 * marks the root span of a request it sampled with HEAD_SAMPLED_KEY, which this sampler records, and the context of one it did not with
 * UNSAMPLED_TRACE_KEY, inside which this sampler records nothing. Other root spans (an event or a job
 * without a caller's context) are sampled by the configured sampler. Undefined for a sampler named that is not one
 * of the standard six: the SDK's default (parentbased_always_on) then decides for every request, as the SDK would.
 */
export function requestSampling(env: NodeJS.ProcessEnv): { sampler: Sampler; ratio: number; parentBased: boolean; maxPerSecond: number | undefined } | undefined {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_traceidratio';
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG?.trim() || (env.OTEL_TRACES_SAMPLER?.trim() ? '1' : '0.1'));
  const ratio = Number.isFinite(arg) ? Math.min(1, Math.max(0, arg)) : 1;
  const roots: Record<string, [Sampler, number]> = {
    always_on: [new sdk.AlwaysOnSampler(), 1],
    always_off: [new sdk.AlwaysOffSampler(), 0],
    traceidratio: [new sdk.TraceIdRatioBasedSampler(ratio), ratio],
  };
  const [root, headRatio] = roots[name.replace(/^parentbased_/, '')] ?? [];
  if (root === undefined || headRatio === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on
    (require('@opentelemetry/api') as typeof import('@opentelemetry/api')).diag.error(`unknown OTEL_TRACES_SAMPLER value "${name}": using the default, parentbased_always_on`);
    return undefined;
  }
  const configured = name.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root }) : root;
  const headSampled = Symbol.for(HEAD_SAMPLED_KEY);
  const unsampledTrace = Symbol.for(UNSAMPLED_TRACE_KEY);
  const sampled = { decision: sdk.SamplingDecision.RECORD_AND_SAMPLED };
  const dropped = { decision: sdk.SamplingDecision.NOT_RECORD };
  // A span started inside a request the kernel did not sample (a BullMQ enqueue, say) is not recorded either.
  const sampler: Sampler = {
    shouldSample: (context, ...rest) =>
      context.getValue(headSampled) === true ? sampled : context.getValue(unsampledTrace) !== undefined ? dropped : configured.shouldSample(context, ...rest),
    toString: () => `HeadSampled{${configured.toString()}}`,
  };
  const maxPerSecond = name.endsWith('traceidratio') ? tracesPerSecond(env) : undefined;
  return { sampler, ratio: headRatio, parentBased: name.startsWith('parentbased_'), maxPerSecond };
}

/** VV_TRACING_MAX_PER_SECOND: a number of traces a second (0: no limit), DEFAULT_TRACES_PER_SECOND when unset or not a number. */
function tracesPerSecond(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.VV_TRACING_MAX_PER_SECOND?.trim();
  const value = Number(raw);
  if (raw && Number.isFinite(value) && value >= 0) return value === 0 ? undefined : value;
  if (raw) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on
    (require('@opentelemetry/api') as typeof import('@opentelemetry/api')).diag.error(
      `VV_TRACING_MAX_PER_SECOND "${raw}" is not a number of traces a second: using ${DEFAULT_TRACES_PER_SECOND}`,
    );
  }
  return DEFAULT_TRACES_PER_SECOND;
}

/** BullMQ's telemetry client while tracing is on (the job queue passes it to its queues and workers), else undefined. */
export function jobTelemetry(): Telemetry | undefined {
  return telemetry;
}

/** Flushes the spans still buffered and stops the exporter; nothing when tracing is off. */
export async function stopTracing(): Promise<void> {
  await running?.shutdown();
}
