import { decodeCursor, VvError, type FieldProblem } from '@valueverse/plugin-sdk';

/** `GET R/packages` query after checking: like the platform's other lists, `limit` 1-200 (default 50). */
export interface CatalogQuery {
  readonly q?: string;
  readonly category?: string;
  readonly limit: number;
  /** The last package id of the previous page. */
  readonly after?: string;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const known = new Set(['q', 'category', 'limit', 'cursor']);

/**
 * Reads `?q=&category=&limit=&cursor=` of the catalog. Every problem is reported at once as VV_VALIDATION with a
 * pointer per parameter; unknown parameters are errors too (a typo such as `?categories=` would silently match all).
 */
export function parseCatalogQuery(query: Readonly<Record<string, string | string[] | undefined>>): CatalogQuery {
  const problems: FieldProblem[] = [];
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) {
      problems.push({ pointer: `/${name}`, in: 'query', message: 'must be given once' });
      return undefined;
    }
    return value === undefined || value === '' ? undefined : value;
  };
  for (const name of Object.keys(query)) if (!known.has(name)) problems.push({ pointer: `/${name}`, in: 'query', message: 'is not a parameter of this list' });
  const q = one('q')?.trim();
  if (q !== undefined && q.length > 200) problems.push({ pointer: '/q', in: 'query', message: 'must be at most 200 characters' });
  const category = one('category')?.trim().toLowerCase();
  if (category !== undefined && !/^[a-z0-9][a-z0-9-]{0,49}$/.test(category)) problems.push({ pointer: '/category', in: 'query', message: 'must be a category name' });
  const rawLimit = one('limit');
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    limit = /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) problems.push({ pointer: '/limit', in: 'query', message: `must be an integer from 1 to ${MAX_LIMIT}` });
  }
  const rawCursor = one('cursor');
  if (problems.length > 0) throw VvError.validation(problems);
  const after = rawCursor === undefined ? undefined : decodeCursor(rawCursor, ['string'])[0];
  return { q: q === '' ? undefined : q, category, limit, after };
}
