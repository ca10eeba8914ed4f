import type * as OtelApi from '@opentelemetry/api';

/** Seconds and nanoseconds since the epoch, OpenTelemetry's HrTime. */
type HrTime = [number, number];

/**
 * Where the spans the kernel records itself go (`KernelSpan`): the span processors of the host's tracer provider,
 * with its resource, the kernel tracer's instrumentation scope (the same objects as its SDK spans', which the OTLP
 * exporter groups spans by) and its span limits. Set by the host when it starts tracing (host/src/tracing-provider.ts).
 */
export interface KernelSpanSink {
  readonly resource: object;
  readonly instrumentationScope: object;
  readonly attributeCountLimit: number;
  readonly attributeValueLengthLimit: number;
  readonly eventCountLimit: number;
  onEnd(span: KernelSpan): void;
}

let sink: KernelSpanSink | undefined;

/** Sets (or, undefined, removes) where the kernel's own spans go; without one the kernel records through the SDK's tracer. */
export function setKernelSpanSink(next: KernelSpanSink | undefined): void {
  sink = next;
}

/** Where the kernel's own spans go, if the host set it. */
export function kernelSpanSink(): KernelSpanSink | undefined {
  return sink;
}

const hrTimeOfMillis = (ms: number): HrTime => {
  const seconds = Math.trunc(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
};
const addMillis = ([seconds, nanos]: HrTime, ms: number): HrTime => {
  const [s, n] = hrTimeOfMillis(ms);
  const total = nanos + n;
  return total >= 1e9 ? [seconds + s + 1, total - 1e9] : [seconds + s, total];
};

/** An attribute value as the SDK keeps one: a string, number or boolean, or an array of them. */
type AttributeValue = string | number | boolean | (string | number | boolean | null | undefined)[];
const validValue = (value: unknown): value is AttributeValue =>
  typeof value === 'string' ||
  typeof value === 'number' ||
  typeof value === 'boolean' ||
  (Array.isArray(value) && value.every((v) => v == null || ['string', 'number', 'boolean'].includes(typeof v)));

/**
 * A span of a sampled request that the kernel records itself (the request's server span and its plugin handler's,
 * `traceRequests` and `inSpan`), handed to the host's span processors when it ends, as the SDK's own spans are: it
 * is both the API's `Span` and the SDK's `ReadableSpan`. The SDK's tracer makes the same span through a sampler
 * chain, attribute cleaning, a processor fan-out and self-metrics, code that a request sampled one time in ten runs
 * cold; here it is one object. It follows the SDK span's rules: attributes past the count limit are dropped and
 * counted, strings cut at the length limit, values that are not attribute values ignored; events past their limit
 * drop the oldest; an OK status is final and UNSET changes nothing; nothing changes once it has ended, and it ends once.
 * Links are kept as given, with no count limit (the kernel adds none to its spans).
 * Its start is the wall clock's, its end the start plus the monotonic clock's duration.
 * Measured (`npm run bench -- tracing`, NPV route, the host's main thread): with every request sampled, ×1.41 and
 * ×1.44 the CPU per request of tracing off in two runs with the SDK's spans, ×1.28 with these; at one request in ten
 * the bench did not resolve a change (×1.17–×1.22 in five runs before, ×1.19 and ×1.20 in two after).
 */
export class KernelSpan implements OtelApi.Span {
  readonly startTime: HrTime = hrTimeOfMillis(Date.now());
  endTime: HrTime = [0, 0];
  duration: HrTime = [0, 0];
  ended = false;
  status: OtelApi.SpanStatus = { code: 0 };
  readonly attributes: Record<string, AttributeValue> = {};
  readonly links: OtelApi.Link[] = [];
  readonly events: { name: string; time: HrTime; attributes?: Record<string, AttributeValue>; droppedAttributesCount: number }[] = [];
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly resource: object;
  readonly instrumentationScope: object;
  private attributeCount = 0;
  private readonly startedAt = performance.now();

  constructor(
    private readonly out: KernelSpanSink,
    public name: string,
    readonly kind: OtelApi.SpanKind,
    private readonly context: OtelApi.SpanContext,
    readonly parentSpanContext: OtelApi.SpanContext | undefined,
    attributes?: OtelApi.Attributes,
  ) {
    this.resource = out.resource;
    this.instrumentationScope = out.instrumentationScope;
    if (attributes) this.setAttributes(attributes);
  }

  spanContext(): OtelApi.SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: unknown): this {
    if (this.ended || key.length === 0 || !validValue(value)) return this;
    if (!(key in this.attributes)) {
      if (this.attributeCount >= this.out.attributeCountLimit) {
        this.droppedAttributesCount += 1;
        return this;
      }
      this.attributeCount += 1;
    }
    this.attributes[key] = truncated(value, this.out.attributeValueLengthLimit);
    return this;
  }

  setAttributes(attributes: OtelApi.Attributes): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: OtelApi.Attributes | OtelApi.TimeInput, time?: OtelApi.TimeInput): this {
    if (this.ended) return this;
    if (this.out.eventCountLimit === 0) {
      this.droppedEventsCount += 1;
      return this;
    }
    if (this.events.length >= this.out.eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount += 1;
    }
    const attributes =
      attributesOrTime !== undefined && typeof attributesOrTime === 'object' && !Array.isArray(attributesOrTime) && !(attributesOrTime instanceof Date)
        ? attributesOrTime
        : undefined;
    const at = time ?? (attributes === undefined ? (attributesOrTime as OtelApi.TimeInput | undefined) : undefined);
    const event: KernelSpan['events'][number] = { name, time: this.timeOf(at), droppedAttributesCount: 0 };
    if (attributes) {
      event.attributes = {};
      for (const key of Object.keys(attributes)) {
        const value = attributes[key];
        if (validValue(value)) event.attributes[key] = truncated(value, this.out.attributeValueLengthLimit);
      }
    }
    this.events.push(event);
    return this;
  }

  addLink(link: OtelApi.Link): this {
    if (!this.ended) this.links.push(link);
    return this;
  }

  addLinks(links: OtelApi.Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: OtelApi.SpanStatus): this {
    if (this.ended || status.code === 0 || this.status.code === 1) return this;
    this.status = status.code === 2 && typeof status.message === 'string' ? { code: 2, message: status.message } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(): void {
    if (this.ended) return;
    const ms = performance.now() - this.startedAt;
    this.endTime = addMillis(this.startTime, ms);
    this.duration = hrTimeOfMillis(ms);
    this.ended = true;
    this.out.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: OtelApi.Exception, time?: OtelApi.TimeInput): void {
    const attributes: OtelApi.Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception) {
      const type = exception.code !== undefined ? String(exception.code) : exception.name;
      if (type) attributes['exception.type'] = type;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] || attributes['exception.message']) this.addEvent('exception', attributes, time);
  }

  /** A time given as the API allows (epoch ms, a Date, an HrTime), else now on this span's clock. */
  private timeOf(input: OtelApi.TimeInput | undefined): HrTime {
    if (typeof input === 'number') return hrTimeOfMillis(input);
    if (input instanceof Date) return hrTimeOfMillis(input.getTime());
    if (Array.isArray(input) && input.length === 2) return [input[0], input[1]];
    return addMillis(this.startTime, performance.now() - this.startedAt);
  }
}

function truncated(value: AttributeValue, limit: number): AttributeValue {
  if (typeof value === 'string') return value.length > limit ? value.slice(0, limit) : value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' && v.length > limit ? v.slice(0, limit) : v));
  return value;
}
