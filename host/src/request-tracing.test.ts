import type * as OtelApi from '@opentelemetry/api';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace';

// The kernel loads the OpenTelemetry API only when tracing is on (otel()); this suite traces in process, with an
// in-memory exporter and the host's sampler, what the kernel's request spans (traceRequests) record.
process.env.VV_TRACING = 'on';
/* eslint-disable @typescript-eslint/no-require-imports -- after VV_TRACING is set */
const api = require('@opentelemetry/api') as typeof OtelApi;
const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
const kernel = require('@valueverse/kernel/backend') as typeof import('@valueverse/kernel/backend');
const { requestSampling } = require('./tracing') as typeof import('./tracing');
const { kernelSpanSink, requestAwareContextManager } = require('./tracing-provider') as typeof import('./tracing-provider');
const { defaultResource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
/* eslint-enable @typescript-eslint/no-require-imports */

interface FakeRequest {
  method: string;
  path: string;
  status: number;
  req: { headers: Record<string, string | undefined> };
  state: { route?: string };
  [kernel.REQUEST_TRACE_CONTEXT]?: OtelApi.Context;
}

describe('request tracing: one head sampling decision per request', () => {
  let exporter: InMemorySpanExporter;
  let provider: import('@opentelemetry/sdk-trace').TracerProvider;
  /** The spans exported so far (the simple processor exports when a span ends, asynchronously). */
  const finished = async () => {
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  };
  const otel = kernel.otel()!;
  const request = (path: string, headers: Record<string, string> = {}): FakeRequest => ({ method: 'POST', path, status: 200, req: { headers }, state: {} });
  /**
   * What the handler saw: the active span's context and whether it records, and the trace context it would send to
   * another process (an event over Redis); a kernel step (inSpan) and a span of a library (a BullMQ enqueue) ran inside.
   */
  const seen: { span?: OtelApi.SpanContext; recording?: boolean; sent?: string }[] = [];
  const probe = async (ctx: FakeRequest) => {
    const span = api.trace.getActiveSpan();
    seen.push({ span: span?.spanContext(), recording: span?.isRecording(), sent: kernel.injectTraceContext(otel)?.traceparent });
    api.trace.getTracer('library').startSpan('library.call').end();
    await kernel.inSpan(otel, 'vv.plugin.handle probe', { 'vv.plugin.id': 'probe' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
    });
    ctx.state.route = '/probe/run';
  };
  const traced = kernel.traceRequests(otel, probe);
  let random: jest.SpyInstance<number, []>;

  beforeAll(() => {
    const sampling = requestSampling({});
    expect(sampling?.ratio).toBe(0.1);
    kernel.setRequestSampleRatio(sampling!.ratio);
    exporter = new sdk.InMemorySpanExporter();
    const resource = defaultResource();
    const processor = new sdk.SimpleSpanProcessor({ exporter });
    provider = new sdk.TracerProvider({ resource, sampler: sampling!.sampler, spanProcessors: [processor] });
    // As the host does: the kernel records the spans of the requests it samples itself, into the same processors.
    kernel.setKernelSpanSink(kernelSpanSink(provider, resource, [processor], {}));
    api.context.setGlobalContextManager(requestAwareContextManager().enable());
    api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    api.trace.setGlobalTracerProvider(provider);
  });
  beforeEach(() => {
    exporter.reset();
    seen.length = 0;
    random = jest.spyOn(Math, 'random');
  });
  afterEach(() => random.mockRestore());

  it('records one request in ten: the server span named by its route, the kernel step inside it', async () => {
    // The head decision is the first random number of a request (span ids come after it).
    random.mockReturnValueOnce(0.05);
    await traced(request('/api/v1/probe/run'), undefined);
    const spans = await finished();
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /api/v1/probe/run', 'library.call', 'vv.plugin.handle probe']);
    const server = spans.find((s) => s.name.startsWith('POST'))!;
    expect(server.kind).toBe(api.SpanKind.SERVER);
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/api/v1/probe/run', 'http.response.status_code': 200 });
    const step = spans.find((s) => s.name === 'vv.plugin.handle probe')!;
    expect(step.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    // The kernel's own spans (no sampler asked), with the provider's resource; a library's span below them is the SDK's.
    expect([server instanceof kernel.KernelSpan, step instanceof kernel.KernelSpan]).toEqual([true, true]);
    expect(server.resource).toBe(spans.find((s) => s.name === 'library.call')!.resource);
    expect(spans.find((s) => s.name === 'library.call')!.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    // The sampler's mark is not an attribute of the span.
    expect(Object.keys(server.attributes).some((k) => k.includes('sampled'))).toBe(false);
  });

  it('records nothing of the other nine, but runs them in a trace context of their own, sent on as not sampled', async () => {
    // Every random number 0.5: the library's span of the first request draws its ids from Math.random before the
    // sampler drops it, so two values queued for the two head decisions left the second to chance (sampled 1 in 10).
    random.mockReturnValue(0.5);
    await traced(request('/api/v1/probe/run'), undefined);
    await traced(request('/api/v1/probe/run'), undefined);
    // Neither the kernel's step nor a library's span is recorded (nor made a root of its own).
    expect(await finished()).toEqual([]);
    // No span at all (the PostgreSQL and Redis instrumentations, which want a parent span, skip their calls).
    expect(seen.map((s) => s.span)).toEqual([undefined, undefined]);
    const sent = seen.map((s) => /^00-([0-9a-f]{32})-([0-9a-f]{16})-00$/.exec(s.sent ?? ''));
    expect(sent.every((m) => m !== null)).toBe(true);
    expect(sent[0]![1]).not.toBe(sent[1]![1]);
  });

  it("runs a plugin's route it did not sample without a context of its own: the handler's request scope carries it", async () => {
    random.mockReturnValue(0.5);
    const before: OtelApi.Context[] = [];
    const subscriber: (string | undefined)[] = [];
    // As the kernel serves a plugin's route: authentication and limits first, then the router runs the handler in
    // the request's scope, which takes the trace context left on the request.
    const plugin = kernel.traceRequests(
      otel,
      async (ctx: FakeRequest) => {
        before.push(api.context.active());
        const scope = { requestId: 'r-1', tenant: { id: 't-1' }, user: undefined, [kernel.REQUEST_TRACE_CONTEXT]: ctx[kernel.REQUEST_TRACE_CONTEXT] };
        await kernel.requestScope.run(scope as never, async () => {
          await probe(ctx);
          // An event's subscriber runs in a kernel span step, outside the request's scope: still not sampled.
          await kernel.inSpan(otel, 'vv.event.handle probe', {}, () => kernel.requestScope.exit(() => subscriber.push(kernel.injectTraceContext(otel)?.traceparent)));
        });
      },
      { frameless: () => true },
    );
    await plugin(request('/api/v1/probe/run'), undefined);
    await plugin(request('/api/v1/probe/run'), undefined);
    expect(await finished()).toEqual([]);
    // Before the handler nothing is active (the instrumentations skip the calls of authentication and limits).
    expect(before).toEqual([kernel.EMPTY_CONTEXT, kernel.EMPTY_CONTEXT]);
    // In the handler and in the subscriber: no span, a trace of its own sent on as not sampled.
    expect(seen.map((s) => s.span)).toEqual([undefined, undefined]);
    expect(seen.every((s) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/.test(s.sent ?? ''))).toBe(true);
    expect(subscriber.every((s) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/.test(s ?? ''))).toBe(true);
    // A sampled one still gets its own context: recorded as before.
    random.mockReturnValue(0.05);
    await plugin(request('/api/v1/probe/run'), undefined);
    expect((await finished()).map((s) => s.name).sort()).toEqual(['POST /api/v1/probe/run', 'library.call', 'vv.event.handle probe', 'vv.plugin.handle probe']);
  });

  it("follows a caller's traceparent: sampled is recorded whatever the ratio, not sampled is not", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    random.mockReturnValueOnce(0.99);
    await traced(request('/api/v1/probe/run', { traceparent: `00-${traceId}-b7ad6b7169203331-01` }), undefined);
    const server = (await finished()).find((s) => s.name.startsWith('POST'))!;
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    exporter.reset();
    random.mockReturnValueOnce(0);
    await traced(request('/api/v1/probe/run', { traceparent: `00-${traceId}-b7ad6b7169203331-00` }), undefined);
    expect(await finished()).toEqual([]);
    expect(seen[1]!.sent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  });

  it('samples at most VV_TRACING_MAX_PER_SECOND requests a second itself; the requests past it are served, not recorded', async () => {
    random.mockReturnValue(0.05);
    kernel.setRequestSampleRatio(1, true, 3);
    try {
      for (let i = 0; i < 10; i++) await traced(request('/api/v1/probe/run'), undefined);
      const servers = () => finished().then((spans) => spans.filter((s) => s.kind === api.SpanKind.SERVER).length);
      // A second's worth at once, then nothing until the bucket refills: the other seven ran, unsampled.
      expect(await servers()).toBe(3);
      expect(seen).toHaveLength(10);
      expect(seen.filter((s) => s.recording === true)).toHaveLength(3);
      // A third of a second later there is room for one more (three if this machine stalled for a second).
      await new Promise((resolve) => setTimeout(resolve, 400));
      exporter.reset();
      for (let i = 0; i < 5; i++) await traced(request('/api/v1/probe/run'), undefined);
      const refilled = await servers();
      expect(refilled).toBeGreaterThanOrEqual(1);
      expect(refilled).toBeLessThanOrEqual(3);
      // A caller's sampled traceparent is followed past the limit.
      exporter.reset();
      await traced(request('/api/v1/probe/run', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }), undefined);
      expect(await servers()).toBe(1);
    } finally {
      kernel.setRequestSampleRatio(0.1);
    }
  });

  it('starts no trace for probes and scrapes', async () => {
    random.mockReturnValueOnce(0).mockReturnValueOnce(0);
    await traced(request('/health/ready'), undefined);
    await traced(request('/metrics'), undefined);
    expect(seen.map((s) => s.span)).toEqual([undefined, undefined]);
    expect((await finished()).filter((s) => s.kind === api.SpanKind.SERVER)).toEqual([]);
  });

  it('reads the standard sampler variables; a sampler it does not know is left to the SDK', () => {
    expect(requestSampling({ OTEL_TRACES_SAMPLER: 'always_on' })).toMatchObject({ ratio: 1, parentBased: false });
    expect(requestSampling({})).toMatchObject({ ratio: 0.1, parentBased: true });
    expect(requestSampling({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })?.ratio).toBe(0);
    expect(requestSampling({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })?.ratio).toBe(0.25);
    expect(requestSampling({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' })?.ratio).toBe(1);
    expect(requestSampling({ OTEL_TRACES_SAMPLER_ARG: '0.5' })?.ratio).toBe(0.5);
    expect(requestSampling({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toBeUndefined();
    // At most ten traces a second with a ratio sampler, unless VV_TRACING_MAX_PER_SECOND says otherwise (0: no limit).
    expect(requestSampling({})?.maxPerSecond).toBe(10);
    expect(requestSampling({ OTEL_TRACES_SAMPLER: 'traceidratio', VV_TRACING_MAX_PER_SECOND: '25' })?.maxPerSecond).toBe(25);
    expect(requestSampling({ VV_TRACING_MAX_PER_SECOND: '0' })?.maxPerSecond).toBeUndefined();
    expect(requestSampling({ VV_TRACING_MAX_PER_SECOND: 'lots' })?.maxPerSecond).toBe(10);
    expect(requestSampling({ OTEL_TRACES_SAMPLER: 'always_on', VV_TRACING_MAX_PER_SECOND: '5' })?.maxPerSecond).toBeUndefined();
  });
});
