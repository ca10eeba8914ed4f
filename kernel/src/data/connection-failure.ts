import { VvError, isVvError } from '@valueverse/plugin-sdk';

/** Seconds a client is told to wait after a connection-class failure: a reconnect or a failover takes about that. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

// SQLSTATE codes that say "the connection or the database is gone", not "this statement is wrong" (PostgreSQL
// appendix A): class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now),
// 3D000 (the database does not exist: dropped or renamed), 53300 (too many connections).
const sqlStates = new Set(['57P01', '57P02', '57P03', '3D000', '53300']);
// Socket errors of the driver's connection.
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
// Errors without a code: pg's client when its socket closed under it, knex's pool when no connection came in time,
// PGlite once closed. knex's "Transaction query already complete" is what the statements of a MikroORM
// `transactional()` get once the transaction's own BEGIN failed on a terminated connection (knex marks the
// transaction complete and rejects the real error where nobody awaits it); a plugin cannot end a transaction that
// MikroORM manages, so in practice this is the connection's failure too.
const messages = [
  /transaction query already complete/i,
  /connection terminated/i,
  /client has encountered a connection error/i,
  /client was closed and is not queryable/i,
  /timeout acquiring a connection/i,
  /timeout exceeded when trying to connect/i,
  /connection is closed/i,
  /pglite is closed/i,
];

/** The first error in `error`'s `cause` chain that is a connection-class failure, or undefined. */
function findConnectionFailure(error: unknown): unknown {
  let current: unknown = error;
  // A few levels: VvError → MikroORM DriverException → pg error is the deepest wrapping seen.
  for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth += 1) {
    const e = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    if (sqlStates.has(code) || code.startsWith('08') || socketCodes.has(code)) return current;
    if (e.name === 'KnexTimeoutError' || e.name === 'ConnectionException') return current;
    if (!isVvError(current) && typeof e.message === 'string' && messages.some((m) => m.test(e.message as string))) return current;
    current = e.cause;
  }
  return undefined;
}

/** True when `error` (or what it wraps) says the database connection failed, not the statement. */
export function isConnectionFailure(error: unknown): boolean {
  return findConnectionFailure(error) !== undefined;
}

/**
 * The one place where a connection-class failure of a backing store becomes `503 VV_UNAVAILABLE` with `Retry-After`
 * (issue #10, finding 7): every route, kernel or plugin, goes through it from the kernel's error middleware, so no
 * route has to recognise a terminated connection itself. A coded error other than `VV_INTERNAL` or
 * `VV_DEPENDENCY_UNAVAILABLE` is left alone: it already says what happened.
 *
 * @returns the 503 to answer, or undefined when `error` is something else
 */
export function unavailableError(error: unknown, dependency = 'the database'): VvError | undefined {
  if (isVvError(error) && error.code !== 'VV_INTERNAL' && error.code !== 'VV_DEPENDENCY_UNAVAILABLE') return undefined;
  if (!isConnectionFailure(error)) return undefined;
  const retryAfter = UNAVAILABLE_RETRY_AFTER_SECONDS;
  // A wrapper that names its dependency (the idempotency store, Redis) keeps that name.
  const named = isVvError(error) ? error.params['dependency'] : undefined;
  if (typeof named === 'string' && named !== '') dependency = named;
  return new VvError('VV_UNAVAILABLE', { params: { dependency, retryAfter }, headers: { 'Retry-After': String(retryAfter) }, cause: error });
}
