import { VvError } from '../errors/vv-error';

/** A page of a list: `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Opaque cursor: the sort key of the last item of a page, as base64url JSON. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Reads a cursor made by `encodeCursor` with the given element types; anything else is the client's mistake,
 * reported as VV_VALIDATION on the `cursor` query parameter.
 */
export function decodeCursor<const K extends readonly ('string' | 'number')[]>(
  raw: string,
  shape: K,
): { -readonly [I in keyof K]: K[I] extends 'number' ? number : string } {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const ok = Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i] && (typeof v !== 'number' || Number.isFinite(v)));
  if (!ok) throw VvError.validation([{ pointer: '/cursor', message: 'is not a cursor returned by this list', in: 'query' }]);
  return key as never;
}
