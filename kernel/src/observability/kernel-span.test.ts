import { KernelSpan, type KernelSpanSink } from './kernel-span';

const context = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

function sinkWith(limits: Partial<Pick<KernelSpanSink, 'attributeCountLimit' | 'attributeValueLengthLimit' | 'eventCountLimit'>> = {}) {
  const ended: KernelSpan[] = [];
  const sink: KernelSpanSink = {
    resource: { attributes: { 'service.name': 'test' } },
    instrumentationScope: { name: 'valueverse' },
    attributeCountLimit: limits.attributeCountLimit ?? 128,
    attributeValueLengthLimit: limits.attributeValueLengthLimit ?? Number.POSITIVE_INFINITY,
    eventCountLimit: limits.eventCountLimit ?? 128,
    onEnd: (span) => void ended.push(span),
  };
  return { sink, ended };
}

describe('KernelSpan: a span the kernel records itself, by the SDK span rules', () => {
  it('goes to the sink once, when it ends, with its resource, scope, parent and a duration from start to end', async () => {
    const { sink, ended } = sinkWith();
    const parent = { ...context, spanId: '00f067aa0ba902b7' };
    const span = new KernelSpan(sink, 'GET', 1, context, parent, { 'http.request.method': 'GET' });
    expect(span.isRecording()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    span.end();
    span.end();
    expect(ended).toEqual([span]);
    expect(span.isRecording()).toBe(false);
    expect(span.resource).toBe(sink.resource);
    expect(span.instrumentationScope).toBe(sink.instrumentationScope);
    expect(span.parentSpanContext).toBe(parent);
    expect(span.spanContext()).toBe(context);
    const ns = (t: [number, number]) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
    expect(ns(span.endTime) - ns(span.startTime)).toBeGreaterThanOrEqual(4_000_000n);
    expect(ns(span.duration)).toBe(ns(span.endTime) - ns(span.startTime));
    expect(Math.abs(Number(ns(span.startTime) / 1_000_000n) - Date.now())).toBeLessThan(1000);
    expect(span.endTime[1]).toBeLessThan(1e9);
  });

  it('keeps attributes within the limits: past the count dropped and counted, strings cut, invalid values ignored', () => {
    const { sink } = sinkWith({ attributeCountLimit: 2, attributeValueLengthLimit: 3 });
    const span = new KernelSpan(sink, 'op', 0, context, undefined);
    span.setAttributes({ a: 'abcdef', b: 2 });
    span.setAttribute('a', 'xyzw');
    span.setAttribute('c', true);
    span.setAttribute('d', { nested: 1 } as never);
    span.setAttribute('', 'empty key');
    expect(span.attributes).toEqual({ a: 'xyz', b: 2 });
    expect(span.droppedAttributesCount).toBe(1);
    span.end();
    span.setAttribute('b', 3);
    expect(span.attributes.b).toBe(2);
  });

  it('records an exception as an event, keeps an OK status final, ignores UNSET, and changes nothing once ended', () => {
    const { sink } = sinkWith({ eventCountLimit: 1 });
    const span = new KernelSpan(sink, 'op', 0, context, undefined);
    span.addEvent('first');
    const error = Object.assign(new Error('no such model'), { code: 'VV_NOT_FOUND' });
    span.recordException(error);
    expect(span.events).toHaveLength(1);
    expect(span.droppedEventsCount).toBe(1);
    expect(span.events[0]!.name).toBe('exception');
    expect(span.events[0]!.attributes).toMatchObject({ 'exception.type': 'VV_NOT_FOUND', 'exception.message': 'no such model' });
    span.setStatus({ code: 2, message: 'failed' });
    expect(span.status).toEqual({ code: 2, message: 'failed' });
    span.setStatus({ code: 0 });
    expect(span.status.code).toBe(2);
    span.setStatus({ code: 1 });
    span.setStatus({ code: 2, message: 'later' });
    expect(span.status).toEqual({ code: 1 });
    span.updateName('renamed');
    span.end();
    span.updateName('too late');
    span.addEvent('too late');
    expect(span.name).toBe('renamed');
    expect(span.events).toHaveLength(1);
  });
});
