import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { decodeTraces } from './otlp-traces';

// The receivers' reader against the SDK's own serializers: the same spans, sent as protobuf and as JSON, read alike.
describe('decodeTraces', () => {
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = { onStart: () => undefined, onEnd: (span) => void ended.push(span), forceFlush: async () => {}, shutdown: async () => {} };
  const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('otlp-traces.test');
  const root = tracer.startSpan('POST /api/v1/probe', { attributes: { 'vv.tenant': 'demo', 'http.response.status_code': 201, negative: -3, ok: true, ratio: 1.5 } });
  tracer.startSpan('vv.plugin.handle probe', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
  root.end();

  it('reads protobuf (the exporter default) as the SDK wrote it', () => {
    const spans = decodeTraces('application/x-protobuf', Buffer.from(ProtobufTraceSerializer.serializeRequest(ended)!));
    const server = spans.find((s) => s.name === 'POST /api/v1/probe')!;
    const child = spans.find((s) => s.name === 'vv.plugin.handle probe')!;
    expect(server).toMatchObject({ traceId: root.spanContext().traceId, spanId: root.spanContext().spanId });
    expect(server.parentSpanId).toBeUndefined();
    expect(server.attributes).toEqual({ 'vv.tenant': 'demo', 'http.response.status_code': 201, negative: -3, ok: true, ratio: 1.5 });
    expect(child).toMatchObject({ traceId: root.spanContext().traceId, parentSpanId: root.spanContext().spanId, attributes: {} });
    expect(server.service).toMatch(/^unknown_service/);
  });

  it('reads JSON the same, and nothing of another content type', () => {
    const proto = decodeTraces('application/x-protobuf', Buffer.from(ProtobufTraceSerializer.serializeRequest(ended)!));
    expect(decodeTraces('application/json; charset=utf-8', Buffer.from(JsonTraceSerializer.serializeRequest(ended)!))).toEqual(proto);
    expect(decodeTraces('text/plain', Buffer.from('{}'))).toEqual([]);
  });

  it('refuses a truncated message', () => {
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(ended)!);
    expect(() => decodeTraces('application/x-protobuf', body.subarray(0, body.length - 5))).toThrow(/truncated/);
  });
});
