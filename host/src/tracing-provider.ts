/* eslint-disable @typescript-eslint/no-require-imports -- every module here loads only when tracing is on */
import type { Context, TextMapPropagator } from '@opentelemetry/api';
import { EMPTY_CONTEXT, KERNEL_TRACER, requestTraceContext, setKernelSpanSink, type KernelSpan } from '@valueverse/kernel/backend';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Sampler, Span, SpanExporter, SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

type Env = NodeJS.ProcessEnv;

const list = (value: string | undefined): string[] | undefined => {
  const items = value
    ?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return items && items.length > 0 ? [...new Set(items)] : undefined;
};
const number = (value: string | undefined): number | undefined => {
  const n = Number(value?.trim() || Number.NaN);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

/**
 * The tracing of the SDK's standard variables, built from the trace SDK's parts rather than `NodeSDK`: `NodeSDK`
 * also loads the metrics and logs SDKs and every exporter of every signal (gRPC among them) whether used or not,
 * 677 modules and 9.7 MB of heap against 0 here (tracing off) and about 500 and 7 MB with these parts. Traces are
 * all it is used for: metrics are /metrics' (Prometheus), logs are pino's. The variables read, as `NodeSDK` reads
 * them: OTEL_SDK_DISABLED, OTEL_LOG_LEVEL; OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_NODE_RESOURCE_DETECTORS
 * (service, host, process by default; none; all); OTEL_TRACES_EXPORTER (otlp by default, console, none);
 * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL (http/protobuf by default, http/json, grpc) with the exporters' own
 * OTEL_EXPORTER_OTLP_* variables (endpoint, headers, timeout, compression, certificates); OTEL_BSP_*; the span limits
 * (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT...); OTEL_PROPAGATORS (tracecontext,baggage by
 * default; b3, b3multi, none). The sampler is the caller's (host/src/tracing.ts, from OTEL_TRACES_SAMPLER).
 * Registers the provider, the context manager (AsyncLocalStorage) and the propagator with the API; undefined when
 * OTEL_SDK_DISABLED is true or OTEL_TRACES_EXPORTER is none (the API's no-op tracer then stays).
 */
export function registerTracerProvider(env: Env, serviceName: string, sampler: Sampler | undefined): TracerProvider | undefined {
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const level = env.OTEL_LOG_LEVEL?.trim().toUpperCase();
  if (level && level in api.DiagLogLevel) api.diag.setLogger(new api.DiagConsoleLogger(), { logLevel: api.DiagLogLevel[level as keyof typeof api.DiagLogLevel] });
  const built = buildTracing(env, serviceName, sampler);
  if (!built) return undefined;
  api.context.setGlobalContextManager(requestAwareContextManager().enable());
  if (built.propagator) api.propagation.setGlobalPropagator(built.propagator);
  api.trace.setGlobalTracerProvider(built.provider);
  setKernelSpanSink(built.kernelSpans);
  return built.provider;
}

/**
 * The context manager of the host: AsyncLocalStorage's, which answers, where no context was entered, the trace
 * context of the request whose handler is running when the kernel ran that request without one of its own (one not
 * sampled: kernel/src/observability/tracing.ts `traceRequests`), and otherwise the kernel's light empty context
 * (events, jobs and timers not started by a request derive from it, as a request's do: `LinkedContext`), not the
 * API's ROOT_CONTEXT.
 */
export function requestAwareContextManager(): import('@opentelemetry/context-async-hooks').AsyncLocalStorageContextManager {
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const root = api.ROOT_CONTEXT;
  class ContextManager extends AsyncLocalStorageContextManager {
    override active(): Context {
      const active = super.active();
      return active === root ? (requestTraceContext() ?? EMPTY_CONTEXT) : active;
    }
  }
  return new ContextManager();
}

/**
 * The provider and propagator of the variables, and where the kernel's own spans go (`kernelSpanSink`), registered
 * with nothing (`registerTracerProvider` registers them).
 */
export function buildTracing(
  env: Env,
  serviceName: string,
  sampler: Sampler | undefined,
): { provider: TracerProvider; propagator: TextMapPropagator | undefined; kernelSpans: KernelSpanSink } | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const processors = spanProcessors(env, sdk);
  if (processors.length === 0) return undefined;
  const resource = resourceFromEnv(env, serviceName);
  const limits = {
    attributeCountLimit: number(env.OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT) ?? number(env.OTEL_ATTRIBUTE_COUNT_LIMIT),
    attributeValueLengthLimit: number(env.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT) ?? number(env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT),
    eventCountLimit: number(env.OTEL_SPAN_EVENT_COUNT_LIMIT),
    linkCountLimit: number(env.OTEL_SPAN_LINK_COUNT_LIMIT),
  };
  const provider = new sdk.TracerProvider({ resource, ...(sampler ? { sampler } : {}), spanLimits: limits, spanProcessors: processors });
  return { provider, propagator: propagatorFromEnv(env), kernelSpans: kernelSpanSink(provider, resource, processors, limits) };
}

type KernelSpanSink = import('@valueverse/kernel/backend').KernelSpanSink;

/**
 * Where the spans the kernel records itself go (kernel/src/observability/kernel-span.ts): the provider's processors,
 * as its own spans, with its resource, the kernel tracer's instrumentation scope (the same objects, so that the OTLP
 * exporter puts both in one group) and the SDK's default limits where the variables set none (128 attributes and
 * events, no length limit).
 */
export function kernelSpanSink(
  provider: TracerProvider,
  resource: Resource,
  processors: readonly SpanProcessor[],
  limits: { attributeCountLimit?: number; attributeValueLengthLimit?: number; eventCountLimit?: number },
): KernelSpanSink {
  const scope = (provider.getTracer(KERNEL_TRACER) as { instrumentationScope?: object }).instrumentationScope ?? { name: KERNEL_TRACER };
  return {
    resource,
    instrumentationScope: scope,
    attributeCountLimit: limits.attributeCountLimit ?? 128,
    attributeValueLengthLimit: limits.attributeValueLengthLimit ?? Number.POSITIVE_INFINITY,
    eventCountLimit: limits.eventCountLimit ?? 128,
    onEnd(span: KernelSpan) {
      // Both of the SDK's types at once (kernel-span.ts); the processors read only what ReadableSpan names.
      for (const processor of processors) processor.onEnding?.(span as unknown as Span);
      for (const processor of processors) processor.onEnd(span as unknown as ReadableSpan);
    },
  };
}

function spanProcessors(env: Env, sdk: typeof import('@opentelemetry/sdk-trace')): SpanProcessor[] {
  const names = list(env.OTEL_TRACES_EXPORTER) ?? ['otlp'];
  if (names.includes('none')) return [];
  const processors: SpanProcessor[] = [];
  for (const name of names) {
    if (name === 'console') processors.push(new sdk.SimpleSpanProcessor({ exporter: new sdk.ConsoleSpanExporter() }));
    else if (name === 'otlp')
      processors.push(
        new sdk.BatchSpanProcessor({
          exporter: otlpExporter(env),
          maxQueueSize: number(env.OTEL_BSP_MAX_QUEUE_SIZE),
          maxExportBatchSize: number(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE),
          scheduledDelayMillis: number(env.OTEL_BSP_SCHEDULE_DELAY),
          exportTimeoutMillis: number(env.OTEL_BSP_EXPORT_TIMEOUT),
        }),
      );
    else warn(`OTEL_TRACES_EXPORTER "${name}" is not supported (otlp, console, none): ignored`);
  }
  return processors;
}

function otlpExporter(env: Env): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim() || 'http/protobuf';
  if (protocol === 'http/json') return new (require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  if (protocol === 'grpc') return new (require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
  if (protocol !== 'http/protobuf') warn(`OTLP traces protocol "${protocol}" is not supported (http/protobuf, http/json, grpc): using http/protobuf`);
  return new (require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
}

function propagatorFromEnv(env: Env): TextMapPropagator | undefined {
  const names = list(env.OTEL_PROPAGATORS) ?? ['tracecontext', 'baggage'];
  if (names.includes('none')) return undefined;
  const core = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const propagators: TextMapPropagator[] = [];
  for (const name of names) {
    if (name === 'tracecontext') propagators.push(new core.W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new core.W3CBaggagePropagator());
    else if (name === 'b3' || name === 'b3multi') {
      const b3 = require('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
      propagators.push(new b3.B3Propagator(name === 'b3multi' ? { injectEncoding: b3.B3InjectEncoding.MULTI_HEADER } : {}));
    } else warn(`OTEL_PROPAGATORS "${name}" is not supported (tracecontext, baggage, b3, b3multi, none): ignored`);
  }
  return propagators.length === 1 ? propagators[0] : propagators.length > 1 ? new core.CompositePropagator({ propagators }) : undefined;
}

/** The SDK's default resource, the detectors of OTEL_NODE_RESOURCE_DETECTORS, OTEL_RESOURCE_ATTRIBUTES, then the service name (OTEL_SERVICE_NAME, else the process's). */
function resourceFromEnv(env: Env, serviceName: string): Resource {
  const r = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const names = list(env.OTEL_NODE_RESOURCE_DETECTORS) ?? ['service', 'host', 'process'];
  const chosen = names.includes('none') ? [] : names.includes('all') ? ['service', 'host', 'process'] : names;
  const detectors = chosen.flatMap((name) => {
    if (name === 'service') return [r.serviceInstanceIdDetector];
    if (name === 'host') return [r.hostDetector, r.osDetector];
    if (name === 'process') return [r.processDetector];
    warn(`OTEL_NODE_RESOURCE_DETECTORS "${name}" is not supported (service, host, process, all, none): ignored`);
    return [];
  });
  return r
    .defaultResource()
    .merge(r.detectResources({ detectors }))
    .merge(r.resourceFromAttributes({ ...resourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES), 'service.name': env.OTEL_SERVICE_NAME?.trim() || serviceName }));
}

/** OTEL_RESOURCE_ATTRIBUTES: `key=value` pairs separated by commas, percent-encoded (a pair that is not one is skipped). */
function resourceAttributes(value: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of value?.split(',') ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      const key = decodeURIComponent(pair.slice(0, at).trim());
      if (key) attributes[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      warn(`OTEL_RESOURCE_ATTRIBUTES: "${pair}" is not percent-encoded: skipped`);
    }
  }
  return attributes;
}

function warn(message: string): void {
  (require('@opentelemetry/api') as typeof import('@opentelemetry/api')).diag.warn(message);
}
