import { context, defaultTextMapGetter, propagation, ROOT_CONTEXT, trace, type TextMapPropagator } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { EMPTY_CONTEXT } from '@valueverse/kernel/backend';
import { buildTracing, registerTracerProvider } from './tracing-provider';

// The trace SDK built from the standard OTEL_* variables, as NodeSDK reads them (host/src/tracing-provider.ts).

function spanOf(env: NodeJS.ProcessEnv, attributes: Record<string, string> = {}): ReadableSpan {
  const built = buildTracing(env, 'valueverse-test', undefined);
  if (!built) throw new Error('no provider');
  const span = built.provider.getTracer('test').startSpan('probe', { attributes });
  span.end();
  return span as unknown as ReadableSpan;
}

function headersOf(propagator: TextMapPropagator | undefined): Record<string, string> {
  const carrier: Record<string, string> = {};
  const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
  propagator?.inject(context, carrier, { set: (c, k, v) => ((c as Record<string, string>)[k] = v) });
  return carrier;
}

describe('the trace SDK from the OTEL_* variables', () => {
  it('builds nothing when the SDK is disabled or no traces exporter is wanted', () => {
    expect(buildTracing({ OTEL_SDK_DISABLED: 'true' }, 'x', undefined)).toBeUndefined();
    expect(buildTracing({ OTEL_TRACES_EXPORTER: 'none' }, 'x', undefined)).toBeUndefined();
    expect(buildTracing({ OTEL_TRACES_EXPORTER: 'otlp,none' }, 'x', undefined)).toBeUndefined();
    expect(buildTracing({ OTEL_SDK_DISABLED: 'false' }, 'x', undefined)).toBeDefined();
  });

  it('names the service (OTEL_SERVICE_NAME over the default), adds OTEL_RESOURCE_ATTRIBUTES and the host and process', () => {
    const plain = spanOf({}).resource.attributes;
    expect(plain['service.name']).toBe('valueverse-test');
    expect(plain['host.name']).toEqual(expect.any(String));
    expect(plain['process.pid']).toBe(process.pid);
    expect(plain['service.instance.id']).toEqual(expect.any(String));
    const named = spanOf({ OTEL_SERVICE_NAME: 'vv-worker', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=value%20stream,broken' }).resource.attributes;
    expect(named).toMatchObject({ 'service.name': 'vv-worker', 'deployment.environment.name': 'prod', team: 'value stream' });
    expect(named['broken']).toBeUndefined();
    const bare = spanOf({ OTEL_NODE_RESOURCE_DETECTORS: 'none' }).resource.attributes;
    expect(bare['host.name']).toBeUndefined();
    expect(bare['process.pid']).toBeUndefined();
    expect(bare['service.name']).toBe('valueverse-test');
  });

  it('applies the span limits', () => {
    const span = spanOf({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '4', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2' }, { a: 'abcdefgh', b: 'xy', c: 'dropped' });
    expect(span.attributes).toEqual({ a: 'abcd', b: 'xy' });
  });

  it('propagates W3C trace context and baggage by default, B3 or nothing when asked', () => {
    expect(Object.keys(headersOf(buildTracing({}, 'x', undefined)!.propagator))).toEqual(['traceparent']);
    expect(headersOf(buildTracing({}, 'x', undefined)!.propagator).traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(headersOf(buildTracing({ OTEL_PROPAGATORS: 'b3' }, 'x', undefined)!.propagator)).toEqual({ b3: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1' });
    expect(Object.keys(headersOf(buildTracing({ OTEL_PROPAGATORS: 'tracecontext,b3multi' }, 'x', undefined)!.propagator)).sort()).toEqual([
      'traceparent',
      'x-b3-sampled',
      'x-b3-spanid',
      'x-b3-traceid',
    ]);
    expect(buildTracing({ OTEL_PROPAGATORS: 'none' }, 'x', undefined)!.propagator).toBeUndefined();
  });

  it('extracts a caller’s trace context onto the kernel’s empty context, and answers that context outside any other', () => {
    const propagator = buildTracing({}, 'x', undefined)!.propagator!;
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const extracted = propagator.extract(EMPTY_CONTEXT, { traceparent, baggage: 'tenant=acme' }, defaultTextMapGetter);
    expect(trace.getSpanContext(extracted)).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
    expect(propagation.getBaggage(extracted)?.getEntry('tenant')?.value).toBe('acme');
    const provider = registerTracerProvider({ OTEL_TRACES_EXPORTER: 'console' }, 'x', undefined);
    try {
      expect(context.active()).toBe(EMPTY_CONTEXT);
      expect(context.with(extracted, () => context.active())).toBe(extracted);
      expect(context.with(ROOT_CONTEXT, () => context.active())).toBe(EMPTY_CONTEXT);
    } finally {
      context.disable();
      trace.disable();
      propagation.disable();
      void provider?.shutdown();
    }
  });
});
