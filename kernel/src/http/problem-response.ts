import type { Context } from 'koa';
import { VvError, isVvError } from '@valueverse/plugin-sdk';
import { unavailableError } from '../data/connection-failure';

/** The RFC 9457 body the kernel sends for every error. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance: string;
  requestId: string;
  errors?: readonly { pointer: string; message: string; in?: string }[];
  [extension: string]: unknown;
}

/** Maps anything thrown below it to a VvError; unknown errors become VV_INTERNAL and are logged, never echoed. */
export function toVvError(error: unknown, requestId: string): VvError {
  // Connection-class failures (database gone, connection terminated, pool timeout) are 503 with Retry-After.
  const unavailable = unavailableError(error);
  if (unavailable) return unavailable;
  if (isVvError(error)) return error;
  const status = (error as { status?: unknown; expose?: unknown } | null)?.status;
  // Errors from Koa's own machinery (body parser: invalid JSON, too large) carry an http status and are safe to expose.
  if (typeof status === 'number' && (error as { expose?: boolean }).expose) {
    if (status === 413) return new VvError('VV_PAYLOAD_TOO_LARGE', { params: { limit: '1 MB' }, cause: error });
    if (status === 415 || status === 400 || status === 422) {
      return new VvError('VV_VALIDATION', { detail: (error as Error).message, errors: [{ pointer: '', message: (error as Error).message }], cause: error });
    }
  }
  return new VvError('VV_INTERNAL', { params: { requestId }, cause: error });
}

/**
 * What the body parser's refusal becomes. It reports a body over the limit with status 413 like any other failure,
 * so the kernel's `onError` must tell them apart: too large → 413 VV_PAYLOAD_TOO_LARGE naming the limit (before,
 * every refusal became 400 "Request body is not valid JSON: request entity too large"); anything else → 400.
 */
export function bodyParserError(error: unknown, limit: string): VvError {
  const status = (error as { status?: unknown } | null)?.status;
  if (status === 413) return new VvError('VV_PAYLOAD_TOO_LARGE', { params: { limit: readableSize(limit) }, cause: error });
  const message = (error as Error | null)?.message ?? String(error);
  return new VvError('VV_VALIDATION', { detail: `Request body is not valid JSON: ${message}`, errors: [{ pointer: '', message: 'invalid JSON' }], cause: error });
}

/** `1mb` → `1 MB` (the parser's size syntax, as the problem's detail shows it). */
function readableSize(limit: string): string {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)\s*$/i.exec(limit);
  return match ? `${match[1]} ${match[2]!.toUpperCase()}` : limit;
}

/** Writes a VvError as `application/problem+json`. */
export function writeProblem(ctx: Context, error: VvError, requestId: string): void {
  const body: ProblemBody = {
    ...error.extensions,
    type: `https://valueverse.dev/errors/${error.code}`,
    title: error.title,
    status: error.status,
    code: error.code,
    detail: error.message,
    instance: ctx.path,
    requestId,
  };
  if (error.errors.length > 0) body.errors = error.errors;
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  ctx.body = body;
  ctx.type = 'application/problem+json';
}
