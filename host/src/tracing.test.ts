import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tracingRequested } from '@valueverse/kernel/backend';

const repo = resolve(__dirname, '..', '..');

/** Loads the host as cli.ts does (tracing boot, then the kernel and backends) in a fresh process; lists the OpenTelemetry modules loaded. */
function otelModulesLoaded(env: Record<string, string>): string[] {
  const script = `require('./host/src/tracing-boot'); require('./host/src/start-host'); console.log(JSON.stringify(Object.keys(require.cache).filter((p) => p.includes('@opentelemetry') || p.includes('bullmq-otel'))))`;
  const out = execFileSync(process.execPath, ['--conditions=@valueverse/source', '-r', join(repo, 'test/bench/register-ts.js'), '-e', script], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as string[];
}

describe('tracing switch', () => {
  it('is on for VV_TRACING=on or an OTLP endpoint, and VV_TRACING=off wins', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ VV_TRACING: 'on' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', VV_TRACING: 'off' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBe(false);
  });

  it('off, the host loads nothing of OpenTelemetry; on, the trace SDK and the exporter of the protocol asked for', () => {
    // (The API package itself is always there: prom-client requires it for its process CPU counter. Without an SDK
    // it is a no-op.)
    expect(otelModulesLoaded({}).filter((p) => !p.includes('@opentelemetry/api/'))).toEqual([]);
    const on = otelModulesLoaded({ VV_TRACING: 'on' });
    expect(on.some((p) => p.includes('@opentelemetry/sdk-trace/'))).toBe(true);
    expect(on.some((p) => p.includes('@opentelemetry/exporter-trace-otlp-proto/'))).toBe(true);
    // Traces only: neither the logs SDK nor an exporter not asked for (gRPC, JSON) is loaded.
    expect(on.filter((p) => /@opentelemetry\/(sdk-node|sdk-logs|exporter-trace-otlp-grpc|exporter-trace-otlp-http|exporter-logs)/.test(p))).toEqual([]);
    const grpc = otelModulesLoaded({ VV_TRACING: 'on', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(grpc.some((p) => p.includes('@opentelemetry/exporter-trace-otlp-grpc/'))).toBe(true);
  }, 60_000);
});
