/**
 * What a logged error may not carry (issue #10, finding 8): the SQL and row values that database errors bring along.
 *
 * - knex prefixes a failed query's message with the statement, its bindings interpolated (`insert into … values
 *   ('ann@acme.test', '<note>') - invalid byte sequence …`), and MikroORM copies that message into its exception and
 *   the first line of its stack;
 * - node-postgres and PGlite errors carry `detail` ("Failing row contains (…)", "Key (email)=(…) already exists"),
 *   `where`, `internalQuery`, and PGlite's `query` and `params`;
 * - data exceptions (SQLSTATE class 22) quote the offending input in the message itself.
 *
 * `redactError` returns a copy of an error (and of its `cause` chain) without any of that, for the logger's `err`
 * serializer; errors with nothing to redact are returned as they are.
 */

/** Properties that only database libraries set, holding statements or values: dropped from any error in a chain. */
const STATEMENT_KEYS = new Set(['query', 'sql', 'parameters', 'bindings', 'internalQuery', 'queryOptions', 'sqlMessage']);
/** Also dropped from database errors, where they hold values (`params` of PGlite, `detail` and `where` of PostgreSQL). */
const DATABASE_VALUE_KEYS = new Set(['params', 'detail', 'where']);

const MAX_CAUSES = 8;

interface ErrorLike {
  message: string;
  stack?: string;
  name?: string;
  cause?: unknown;
  [key: string]: unknown;
}

function isErrorLike(value: unknown): value is ErrorLike {
  return value instanceof Error || (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string' && 'stack' in value);
}

/** A PostgreSQL error as node-postgres, PGlite or MikroORM (which copies the driver's fields) reports it. */
export function isDatabaseError(error: unknown): boolean {
  if (!isErrorLike(error)) return false;
  const code = error['code'] ?? error['sqlState'];
  return (
    typeof code === 'string' &&
    /^[0-9A-Z]{5}$/.test(code) &&
    (typeof error['severity'] === 'string' || typeof error['sqlState'] === 'string' || typeof error['routine'] === 'string')
  );
}

/** The server's own message: knex's `<statement> - ` prefix removed, and quoted input of data exceptions masked. */
export function redactedDatabaseMessage(error: ErrorLike): string {
  // knex joins with ' - ' and the statement comes first: whatever follows the last separator is the server's text.
  const separator = error.message.lastIndexOf(' - ');
  let message = separator >= 0 ? error.message.slice(separator + 3) : error.message;
  const code = String(error['code'] ?? error['sqlState'] ?? '');
  // Class 22 messages quote the rejected input: `invalid input syntax for type uuid: "…"`.
  if (code.startsWith('22')) message = message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"');
  return message;
}

/** A copy of `error` safe to log; non-errors and clean errors are returned unchanged. */
export function redactError<T>(error: T): T {
  return redact(error, 0) as T;
}

function redact(error: unknown, depth: number): unknown {
  if (!isErrorLike(error) || depth > MAX_CAUSES) return error;
  const database = isDatabaseError(error);
  const cause = error.cause === undefined ? undefined : redact(error.cause, depth + 1);
  const ownKeys = Object.getOwnPropertyNames(error);
  const dropped = (key: string) => STATEMENT_KEYS.has(key) || (database && DATABASE_VALUE_KEYS.has(key));
  if (!database && !ownKeys.some(dropped) && cause === error.cause) return error;

  const copy = Object.create(Object.getPrototypeOf(error) as object) as ErrorLike;
  for (const key of ownKeys) {
    if (dropped(key) || key === 'cause') continue;
    const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
    Object.defineProperty(copy, key, { ...descriptor, ...('value' in descriptor ? { writable: true } : {}) });
  }
  if (database) {
    const message = redactedDatabaseMessage(error);
    Object.defineProperty(copy, 'message', { value: message, enumerable: false, writable: true, configurable: true });
    Object.defineProperty(copy, 'stack', { value: redactedStack(error, message), enumerable: false, writable: true, configurable: true });
  }
  if (error.cause !== undefined) Object.defineProperty(copy, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return copy;
}

/** The stack's frames under a first line rebuilt from the redacted message (the original first line is the message). */
function redactedStack(error: ErrorLike, message: string): string {
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const name = typeof error.name === 'string' ? error.name : 'Error';
  return [`${name}: ${message}`, ...frames].join('\n');
}
