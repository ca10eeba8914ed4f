import { VvError } from '../errors/vv-error';

/** A page of a list: `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * The type of one element of a cursor's key, checked by `decodeCursor` before the value reaches a query:
 * - `string`: any string without NUL or lone surrogates (PostgreSQL refuses both);
 * - `number`: a finite number;
 * - `integer`: an integer in PostgreSQL's `integer` range (a version, a position);
 * - `timestamp`: an ISO string as `Date#toISOString()` writes it, years 0001-9999 (what PostgreSQL and JavaScript
 *   both read back to the same instant);
 * - `uuid`: a UUID in its canonical text form.
 */
export type CursorElement = 'string' | 'number' | 'integer' | 'timestamp' | 'uuid';

type ElementValue<E> = E extends 'number' | 'integer' ? number : string;

/** Opaque cursor: the sort key of the last item of a page, as base64url JSON. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

const ISO_INSTANT = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNSTORABLE = /[\0\p{Cs}]/u;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** No element of a cursor this SDK makes is longer; a longer one was not made here. */
const MAX_ELEMENT_LENGTH = 200;

function isElement(value: unknown, type: CursorElement): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX;
    case 'string':
      return typeof value === 'string' && value.length <= MAX_ELEMENT_LENGTH && !UNSTORABLE.test(value);
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'timestamp': {
      const match = typeof value === 'string' ? ISO_INSTANT.exec(value) : null;
      // Round trip: `2026-02-30T…` parses to March 2nd, `+275760-…` is no match; year 0000 is not a PostgreSQL year.
      return match !== null && Number(match[1]) >= 1 && !Number.isNaN(Date.parse(value as string)) && new Date(value as string).toISOString() === value;
    }
    default:
      return false;
  }
}

/**
 * Reads a cursor made by `encodeCursor` with the given element types; anything else (not base64url JSON, another
 * length, an element of the wrong type or out of range) is the client's mistake, reported as VV_VALIDATION on the
 * `cursor` query parameter — never a value that fails later in the database.
 *
 * @example
 * const [createdAt, id] = decodeCursor(query.cursor, ['timestamp', 'uuid']);
 */
export function decodeCursor<const K extends readonly CursorElement[]>(raw: string, shape: K): { -readonly [I in keyof K]: ElementValue<K[I]> } {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const ok = Array.isArray(key) && key.length === shape.length && key.every((v, i) => isElement(v, shape[i]!));
  if (!ok) throw VvError.validation([{ pointer: '/cursor', message: 'is not a cursor returned by this list', in: 'query' }]);
  return key as never;
}
