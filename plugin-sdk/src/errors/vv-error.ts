import { errorCatalog, type ErrorCode } from './error-catalog';

/** One problem with one field, located by its JSON pointer (RFC 6901). */
export interface FieldProblem {
  /** JSON pointer into the request part named by `in`, e.g. `/cashFlows/2`. */
  readonly pointer: string;
  readonly message: string;
  /** Which part of the request: body (default), query, params, headers or config. */
  readonly in?: 'body' | 'query' | 'params' | 'headers' | 'config' | 'manifest' | 'env';
}

export interface VvErrorOptions {
  /** Values for the `{name}` placeholders of the catalog message (and included in logs). */
  readonly params?: Record<string, unknown>;
  /** Overrides the templated message. */
  readonly detail?: string;
  /** Field-level problems, each with a JSON pointer. */
  readonly errors?: readonly FieldProblem[];
  /** Extra members of the problem+json body (must be safe to show to the client). */
  readonly extensions?: Record<string, unknown>;
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers?: Record<string, string>;
  readonly cause?: unknown;
}

function fill(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : String(params[name])));
}

/**
 * The coded error of ValueVerse. Throw it from plugins and the kernel; the kernel turns it into an
 * `application/problem+json` response with the catalog's status.
 *
 * @example
 * throw new VvError('VV_NOT_FOUND', { detail: `Value model ${id} not found` });
 */
export class VvError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly params: Record<string, unknown>;
  readonly errors: readonly FieldProblem[];
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, options: VvErrorOptions = {}) {
    const entry = errorCatalog[code];
    const params = options.params ?? {};
    super(options.detail ?? fill(entry.message, params), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VvError';
    this.code = code;
    this.status = entry.status;
    this.title = entry.title;
    this.params = params;
    this.errors = options.errors ?? [];
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  /** A `VV_VALIDATION` error listing field problems. */
  static validation(errors: readonly FieldProblem[], detail?: string): VvError {
    const first = errors[0];
    return new VvError('VV_VALIDATION', {
      errors,
      detail: detail ?? (first ? `${first.pointer || '/'}: ${first.message}` : 'Invalid request'),
    });
  }
}

/** True for a VvError, also one created by another copy of the SDK (checked by shape). */
export function isVvError(error: unknown): error is VvError {
  return (
    error instanceof VvError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'VvError' &&
      typeof (error as { code?: unknown }).code === 'string' &&
      typeof (error as { status?: unknown }).status === 'number')
  );
}
