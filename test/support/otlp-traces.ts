/**
 * Reading what an OTLP/HTTP trace exporter sends to `/v1/traces` (an ExportTraceServiceRequest), for the loopback
 * receivers of the tracing test and bench: protobuf (`application/x-protobuf`, the protocol's default and the host's)
 * or JSON (`application/json`, `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`). The protobuf reader is the wire format's
 * (varints, length-delimited fields, fixed 32/64) over the fields of opentelemetry/proto/trace/v1/trace.proto a test
 * looks at; the others are skipped.
 */

/** One span as a test sees it: ids in lower-case hex, attributes as plain values (int64 as a number). */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
}

/** Spans of one request body by its content type; [] for any other type. */
export function decodeTraces(contentType: string | undefined, body: Buffer): ReceivedSpan[] {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return decodeProtobuf(body);
  if (type === 'application/json') return decodeJson(body);
  return [];
}

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };
const jsonValue = (v: OtlpValue) => v.stringValue ?? (v.intValue === undefined ? undefined : Number(v.intValue)) ?? v.boolValue ?? v.doubleValue;
const jsonAttributes = (list: OtlpAttribute[] = []) => Object.fromEntries(list.map((a) => [a.key, jsonValue(a.value)]));

function decodeJson(body: Buffer): ReceivedSpan[] {
  const payload = JSON.parse(body.toString('utf8')) as {
    resourceSpans?: {
      resource?: { attributes?: OtlpAttribute[] };
      scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: OtlpAttribute[] }[] }[];
    }[];
  };
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of payload.resourceSpans ?? []) {
    const service = String(jsonAttributes(resourceSpans.resource?.attributes)['service.name']);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        spans.push({
          service,
          traceId: span.traceId,
          spanId: span.spanId,
          ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
          name: span.name,
          attributes: jsonAttributes(span.attributes),
        });
      }
    }
  }
  return spans;
}

/** A protobuf message's fields: number → the raw values in order (a Buffer for length-delimited, else a bigint). */
type Fields = Map<number, (Buffer | bigint)[]>;

function fields(buffer: Buffer): Fields {
  const out: Fields = new Map();
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= buffer.length) throw new Error('protobuf: truncated varint');
      const byte = buffer[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < buffer.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: Buffer | bigint;
    if (wire === 0) value = varint();
    else if (wire === 1) {
      value = buffer.readBigUInt64LE(at);
      at += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      if (at + length > buffer.length) throw new Error('protobuf: truncated field');
      value = buffer.subarray(at, at + length);
      at += length;
    } else if (wire === 5) {
      value = BigInt(buffer.readUInt32LE(at));
      at += 4;
    } else throw new Error(`protobuf: wire type ${wire} (field ${field}) not expected in OTLP`);
    const list = out.get(field);
    if (list) list.push(value);
    else out.set(field, [value]);
  }
  return out;
}

const messages = (f: Fields, n: number): Buffer[] => (f.get(n) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v));
const bytesOf = (f: Fields, n: number): Buffer | undefined => messages(f, n)[0];
const stringOf = (f: Fields, n: number): string | undefined => bytesOf(f, n)?.toString('utf8');

/** opentelemetry.proto.common.v1.AnyValue: string 1, bool 2, int64 3, double 4 (arrays, maps and bytes as undefined). */
function anyValue(buffer: Buffer): unknown {
  const f = fields(buffer);
  if (f.has(1)) return stringOf(f, 1) ?? '';
  if (f.has(2)) return f.get(2)![0] === 1n;
  if (f.has(3)) return Number(BigInt.asIntN(64, f.get(3)![0] as bigint));
  if (f.has(4)) {
    const raw = Buffer.alloc(8);
    raw.writeBigUInt64LE(f.get(4)![0] as bigint);
    return raw.readDoubleLE(0);
  }
  return undefined;
}

/** Repeated opentelemetry.proto.common.v1.KeyValue (key 1, value 2) as an object. */
function keyValues(list: Buffer[]): Record<string, unknown> {
  return Object.fromEntries(
    list.map((kv) => {
      const f = fields(kv);
      const value = bytesOf(f, 2);
      return [stringOf(f, 1) ?? '', value ? anyValue(value) : undefined];
    }),
  );
}

function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  // ExportTraceServiceRequest.resource_spans 1 → ResourceSpans { resource 1 { attributes 1 }, scope_spans 2 }
  for (const resourceSpans of messages(fields(body), 1)) {
    const rs = fields(resourceSpans);
    const resource = bytesOf(rs, 1);
    const service = String(resource ? keyValues(messages(fields(resource), 1))['service.name'] : undefined);
    // ScopeSpans { scope 1, spans 2 } → Span { trace_id 1, span_id 2, parent_span_id 4, name 5, attributes 9 }
    for (const scopeSpans of messages(rs, 2)) {
      for (const span of messages(fields(scopeSpans), 2)) {
        const s = fields(span);
        const parent = bytesOf(s, 4);
        spans.push({
          service,
          traceId: bytesOf(s, 1)?.toString('hex') ?? '',
          spanId: bytesOf(s, 2)?.toString('hex') ?? '',
          ...(parent && parent.length > 0 ? { parentSpanId: parent.toString('hex') } : {}),
          name: stringOf(s, 5) ?? '',
          attributes: keyValues(messages(s, 9)),
        });
      }
    }
  }
  return spans;
}
