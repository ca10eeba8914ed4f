import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one call through after the open period, and closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker(2, 1000, () => now);
    breaker.failed('a');
    expect(breaker.allows('a')).toBe(true);
    breaker.failed('a');
    expect(breaker.allows('a')).toBe(false);
    expect(breaker.allows('b')).toBe(true);
    now = 1000;
    expect(breaker.allows('a')).toBe(true); // half-open
    expect(breaker.allows('a')).toBe(false); // only one trial call
    breaker.succeeded('a');
    expect(breaker.allows('a')).toBe(true);
  });
});
