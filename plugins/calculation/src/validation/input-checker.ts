import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';

/** Escapes one JSON pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export interface NumberRule {
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
  /** Exclusive lower bound (e.g. a rate must be above -100%: `greaterThan: -1`). */
  readonly greaterThan?: number;
  readonly integer?: boolean;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Collects every problem of a request (each with its JSON pointer) before failing once with `VV_VALIDATION`.
 * The kernel validates bodies against the routes' JSON Schemas, but in-process callers of the `calculation` service
 * skip that step, and a schema cannot say "finite" or "ascending": this class is the one place that does.
 */
export class InputChecker {
  private readonly problems: FieldProblem[] = [];

  /** Records a problem; returns NaN so callers can keep going and report everything at once. */
  problem(pointer: string, message: string): number {
    this.problems.push({ pointer, message, in: 'body' });
    return Number.NaN;
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  /** A finite JSON number (never a numeric string, NaN or ±Infinity) satisfying `rule`. */
  number(value: unknown, pointer: string, rule: NumberRule = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return this.problem(pointer, `must be a finite number, got ${describe(value)}`);
    }
    if (rule.integer && !Number.isInteger(value)) return this.problem(pointer, `must be an integer, got ${value}`);
    if (rule.greaterThan !== undefined && !(value > rule.greaterThan)) {
      return this.problem(pointer, `must be greater than ${rule.greaterThan}, got ${value}`);
    }
    if (rule.min !== undefined && value < rule.min) return this.problem(pointer, `must be at least ${rule.min}, got ${value}`);
    if (rule.max !== undefined && value > rule.max) return this.problem(pointer, `must be at most ${rule.max}, got ${value}`);
    return value;
  }

  optionalNumber(value: unknown, pointer: string, fallback: number, rule: NumberRule = {}): number {
    return value === undefined ? fallback : this.number(value, pointer, rule);
  }

  /** An array of finite numbers, every bad element reported with its own pointer (`/cashFlows/2`). */
  numberArray(value: unknown, pointer: string, options: { minItems?: number; maxItems?: number } = {}): number[] {
    if (!Array.isArray(value)) {
      this.problem(pointer, `must be an array of numbers, got ${describe(value)}`);
      return [];
    }
    const { minItems = 0, maxItems = 100_000 } = options;
    if (value.length < minItems) this.problem(pointer, `must have at least ${minItems} item(s), got ${value.length}`);
    if (value.length > maxItems) {
      this.problem(pointer, `must have at most ${maxItems} items, got ${value.length}`);
      return [];
    }
    return value.map((item, i) => this.number(item, `${pointer}/${i}`));
  }

  /** One of a closed set of strings; `fallback` when absent (pass undefined to make it required). */
  choice<T extends string>(value: unknown, pointer: string, allowed: readonly T[], fallback?: T): T {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.problem(pointer, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}`);
    return allowed[0] as T;
  }

  /** A non-empty string. */
  text(value: unknown, pointer: string, options: { maxLength?: number; pattern?: RegExp; patternHint?: string } = {}): string {
    if (typeof value !== 'string' || value.length === 0) {
      this.problem(pointer, `must be a non-empty string, got ${describe(value)}`);
      return '';
    }
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      this.problem(pointer, `must be at most ${options.maxLength} characters long`);
    } else if (options.pattern && !options.pattern.test(value)) {
      this.problem(pointer, options.patternHint ?? `must match ${options.pattern.source}`);
    }
    return value;
  }

  /** A plain JSON object (not null, not an array). */
  object(value: unknown, pointer: string): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(pointer, `must be an object, got ${describe(value)}`);
      return undefined;
    }
    return value as Record<string, unknown>;
  }

  /** Throws `VV_VALIDATION` listing every problem recorded so far. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw VvError.validation(this.problems);
  }
}
