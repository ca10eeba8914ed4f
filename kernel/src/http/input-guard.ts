import type { Context } from 'koa';
import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';

/**
 * How deep a JSON body may nest. Every schema the product serves (models, configs, settings) is far shallower; a
 * body nested thousands deep only exists to make a recursive consumer (ajv, JSON.stringify for a jsonb column,
 * PostgreSQL's jsonb parser) blow its stack (issue #10, finding 8: tenant settings nested 5,000 deep → 500).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * A NUL character, or a UTF-16 surrogate that is not half of a pair. With the `u` flag a well-formed pair is one
 * code point outside `Cs`, so only lone halves match. PostgreSQL refuses both (NUL in text, `\u0000` and unpaired
 * `\ud800` escapes in jsonb) with an error that used to reach the log with the SQL and the row values.
 */
const UNSTORABLE = /[\0\p{Cs}]/u;

/** Request headers whose values become ids and keys the kernel stores or looks up. */
const ID_HEADERS = ['x-tenant-id', 'idempotency-key', 'last-event-id'] as const;

const NOT_STORABLE = 'contains a NUL character or an unpaired UTF-16 surrogate';

/** True when `value` holds a NUL or a lone surrogate (exported for the unit test and for callers that build ids). */
export function isUnstorable(value: string): boolean {
  return UNSTORABLE.test(value);
}

/**
 * The edge check every request passes before any route: no string anywhere in the path, the query, the id headers
 * or the (JSON or text) body may carry a NUL or a lone surrogate, and a JSON body may not nest deeper than
 * `MAX_JSON_DEPTH`. Refusing here, once, keeps such values away from every route's SQL instead of relying on each
 * route to remember. Throws VV_VALIDATION naming the first offending field.
 */
export function guardRequestInput(ctx: Pick<Context, 'path' | 'querystring' | 'query' | 'get'> & { request: { body?: unknown } }): void {
  const problem = firstProblem(ctx);
  if (problem) throw VvError.validation([problem]);
}

function firstProblem(ctx: Pick<Context, 'path' | 'querystring' | 'query' | 'get'> & { request: { body?: unknown } }): FieldProblem | undefined {
  const path = ctx.path;
  // Raw paths are ASCII; only their percent-decoded form can carry a NUL (`%00`). Malformed escapes are the router's
  // business (it answers VV_VALIDATION for the parameter).
  if (path.includes('%')) {
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      decoded = undefined;
    }
    if (decoded !== undefined && UNSTORABLE.test(decoded)) return { pointer: '', in: 'params', message: `the path ${NOT_STORABLE}` };
  }
  if (ctx.querystring !== '') {
    for (const [name, value] of Object.entries(ctx.query)) {
      if (UNSTORABLE.test(name)) return { pointer: '', in: 'query', message: `a parameter name ${NOT_STORABLE}` };
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) if (typeof v === 'string' && UNSTORABLE.test(v)) return { pointer: `/${escapePointer(name)}`, in: 'query', message: NOT_STORABLE };
    }
  }
  for (const header of ID_HEADERS) {
    const value = ctx.get(header);
    if (value !== '' && UNSTORABLE.test(value)) return { pointer: `/${header}`, in: 'headers', message: NOT_STORABLE };
  }
  const body = ctx.request.body;
  if (typeof body === 'string') return UNSTORABLE.test(body) ? { pointer: '', in: 'body', message: NOT_STORABLE } : undefined;
  if (body !== null && typeof body === 'object') {
    const found = walk(body, 1);
    if (found === undefined) return undefined;
    // The JSON pointer is spelled only for the field refused: building one per value walked cost more than the walk.
    const pointer = found.path
      .reverse()
      .map((segment) => `/${typeof segment === 'number' ? segment : escapePointer(segment)}`)
      .join('');
    return { pointer: found.propertyName && pointer === '' ? '/' : pointer, in: 'body', message: found.message };
  }
  return undefined;
}

/** What `walk` found: the path to it, innermost segment first (pushed on the way back up). */
interface Found {
  readonly path: (string | number)[];
  readonly message: string;
  /** A property name is refused: the pointer names the object that holds it (`/` for the body itself). */
  readonly propertyName?: boolean;
}

/** Depth-first over a parsed JSON value; recursion stops at `MAX_JSON_DEPTH`, so the walk itself cannot overflow. */
function walk(value: object, depth: number): Found | undefined {
  if (depth > MAX_JSON_DEPTH) return { path: [], message: `nests deeper than ${MAX_JSON_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = check(value[i], depth);
      if (found) {
        found.path.push(i);
        return found;
      }
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (UNSTORABLE.test(key)) return { path: [], message: `a property name ${NOT_STORABLE}`, propertyName: true };
    const found = check((value as Record<string, unknown>)[key], depth);
    if (found) {
      found.path.push(key);
      return found;
    }
  }
  return undefined;
}

function check(item: unknown, depth: number): Found | undefined {
  if (typeof item === 'string') return UNSTORABLE.test(item) ? { path: [], message: NOT_STORABLE } : undefined;
  if (item !== null && typeof item === 'object') return walk(item, depth + 1);
  return undefined;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
