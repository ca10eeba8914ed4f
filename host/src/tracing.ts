import type { Telemetry } from 'bullmq';
import { tracingRequested } from '@valueverse/kernel/backend';

/** What `startTracing` started: flushes and stops the exporter (at shutdown). */
export interface RunningTracing {
  shutdown(): Promise<void>;
}

let running: RunningTracing | undefined;
let telemetry: Telemetry | undefined;

/**
 * Starts OpenTelemetry tracing when it is asked for (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `VV_TRACING=on`), before the
 * kernel, Koa, pg and ioredis are loaded, so the instrumentations can wrap them. Off (the default) nothing of
 * OpenTelemetry is loaded. Spans go to the OTLP/HTTP endpoint of the standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * default http://localhost:4318; `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`...).
 *
 * Spans: the HTTP server request (instrumentation-http, which also reads an incoming `traceparent`), the kernel's
 * steps and each plugin handler (kernel/src/http/kernel-http.ts), PostgreSQL and Redis calls made inside a traced
 * operation, outbound calls (AI providers), events (in process and over the Redis bridge) and BullMQ jobs.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): RunningTracing | undefined {
  if (running || !tracingRequested(env)) return running;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { KoaInstrumentation, KoaLayerType } = require('@opentelemetry/instrumentation-koa') as typeof import('@opentelemetry/instrumentation-koa');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { BullMQOtel } = require('bullmq-otel') as typeof import('bullmq-otel');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const quiet = new Set(['/health/live', '/health/ready', '/metrics']);
  // Sampling: one trace in ten unless the operator says otherwise (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG), and
  // always when the caller's traceparent says it is sampled. Recording every request costs the host a lot of CPU
  // (npm run bench -- tracing); an unsampled request costs little.
  // Traces only: metrics are /metrics' (Prometheus), logs are pino's. Left to the SDK's defaults, it would record an
  // OpenTelemetry histogram of every HTTP request and export it, and ship logs, over OTLP too.
  for (const signal of ['OTEL_METRICS_EXPORTER', 'OTEL_LOGS_EXPORTER']) if (!env[signal]?.trim()) process.env[signal] = 'none';
  if (!env.OTEL_TRACES_SAMPLER?.trim()) {
    process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = env.OTEL_TRACES_SAMPLER_ARG?.trim() || '0.1';
  }
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || serviceName,
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      // Probes and scrapes are not traced: every few seconds from every replica, they would drown the traces.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => quiet.has((request.url ?? '').split('?')[0]!) }),
      // The kernel's own spans name its steps; Koa's are kept for the kernel's routers only.
      new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] }),
      // Only inside a traced operation: the pools' and BullMQ's background polling would each start a trace.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  telemetry = new BullMQOtel({ tracerName: 'valueverse-jobs' });
  running = { shutdown: () => sdk.shutdown() };
  return running;
}

/** BullMQ's telemetry client while tracing is on (the job queue passes it to its queues and workers), else undefined. */
export function jobTelemetry(): Telemetry | undefined {
  return telemetry;
}

/** Flushes the spans still buffered and stops the exporter; nothing when tracing is off. */
export async function stopTracing(): Promise<void> {
  await running?.shutdown();
}
