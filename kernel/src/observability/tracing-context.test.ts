import * as api from '@opentelemetry/api';
import { EMPTY_CONTEXT } from './tracing';

const a = api.createContextKey('a');
const b = api.createContextKey('b');

describe('EMPTY_CONTEXT, the context the kernel starts traces from', () => {
  it('reads what was set on it or on a parent, the newest value of a key, and nothing that was deleted', () => {
    const one = EMPTY_CONTEXT.setValue(a, 1);
    const two = one.setValue(b, 2).setValue(a, 3);
    expect(EMPTY_CONTEXT.getValue(a)).toBeUndefined();
    expect(one.getValue(a)).toBe(1);
    expect(one.getValue(b)).toBeUndefined();
    expect([two.getValue(a), two.getValue(b)]).toEqual([3, 2]);
    const deleted = two.deleteValue(a);
    expect([deleted.getValue(a), deleted.getValue(b)]).toEqual([undefined, 2]);
    // Contexts are immutable: the parents read as before.
    expect([one.getValue(a), two.getValue(a)]).toEqual([1, 3]);
  });

  it('keeps the newest value of every key when a deep chain is flattened', () => {
    let context = EMPTY_CONTEXT.setValue(b, 'kept');
    const keys = Array.from({ length: 10 }, (_, i) => api.createContextKey(`k${i}`));
    for (let i = 0; i < 200; i++) context = context.setValue(keys[i % 10]!, i);
    context = context.deleteValue(keys[0]!);
    for (let i = 0; i < 50; i++) context = context.setValue(a, i);
    expect(context.getValue(b)).toBe('kept');
    expect(context.getValue(a)).toBe(49);
    expect(context.getValue(keys[0]!)).toBeUndefined();
    expect(keys.slice(1).map((key) => context.getValue(key))).toEqual([191, 192, 193, 194, 195, 196, 197, 198, 199]);
  });

  it('carries a span as the API’s root context does', () => {
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: api.TraceFlags.SAMPLED };
    const withSpan = api.trace.setSpanContext(EMPTY_CONTEXT, spanContext);
    expect(api.trace.getSpanContext(withSpan)).toEqual(spanContext);
    expect(api.trace.getSpan(api.trace.deleteSpan(withSpan))).toBeUndefined();
  });
});
