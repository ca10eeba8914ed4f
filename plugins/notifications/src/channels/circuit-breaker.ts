/**
 * A circuit breaker per server: after `threshold` failures in a row the circuit opens and calls skip the server for
 * `openMs`; then one call is let through (half-open) and its outcome closes or reopens the circuit.
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, { failures: number; openUntil: number }>();

  constructor(
    private readonly threshold = 3,
    private readonly openMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether calls to `key` may be tried now. */
  allows(key: string): boolean {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.failures < this.threshold) return true;
    if (this.now() >= circuit.openUntil) {
      // Half-open: let this one call through; a failure reopens the circuit for another period.
      circuit.openUntil = this.now() + this.openMs;
      return true;
    }
    return false;
  }

  succeeded(key: string): void {
    this.circuits.delete(key);
  }

  failed(key: string): void {
    const circuit = this.circuits.get(key) ?? { failures: 0, openUntil: 0 };
    circuit.failures += 1;
    if (circuit.failures >= this.threshold) circuit.openUntil = this.now() + this.openMs;
    this.circuits.set(key, circuit);
  }
}
