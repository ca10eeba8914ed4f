import { IdempotentSubmission } from './idempotent-submission';

describe('IdempotentSubmission', () => {
  const counter = () => {
    let n = 0;
    return () => `key-${++n}`;
  };

  it('reuses the key while the same request is retried, and makes a new one when the content changes', () => {
    const s = new IdempotentSubmission(counter());
    expect(s.keyFor({ metric: 'm', value: 1 })).toBe('key-1');
    expect(s.keyFor({ metric: 'm', value: 1 })).toBe('key-1');
    expect(s.keyFor({ metric: 'm', value: 2 })).toBe('key-2');
    // Back to the first content: the server bound key-1 to it, but key-2 is the pending one now; a new key is safe.
    expect(s.keyFor({ metric: 'm', value: 1 })).toBe('key-3');
  });

  it('starts a new operation after a success, even with the same content', () => {
    const s = new IdempotentSubmission(counter());
    expect(s.keyFor({ value: 1 })).toBe('key-1');
    s.settle();
    expect(s.keyFor({ value: 1 })).toBe('key-2');
  });

  it('makes UUIDs by default', () => {
    expect(new IdempotentSubmission().keyFor({})).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
