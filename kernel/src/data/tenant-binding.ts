import { VvError } from '@valueverse/plugin-sdk';

/** What a tenant transaction is bound to: the tenant row-level security checks, and who runs it with what path. */
export interface TenantBinding {
  readonly tenantId: string;
  /** Run as this role: a non-owner role, so row-level security applies. */
  readonly role?: string;
  /** Schema first on the search path (then `public`). */
  readonly searchPath?: string;
}

/** `"name"` with embedded quotes doubled: a PostgreSQL identifier. */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

const needsEscaping = /['\\\0]/;

/**
 * A PostgreSQL string literal of `value`, as `pg`'s `escapeLiteral` writes it: quotes doubled, and with a
 * backslash the `E'…'` form with backslashes doubled, so it reads the same whether `standard_conforming_strings`
 * is on or off. The connection's encoding is UTF-8 (pg and PGlite), where no multibyte sequence hides a quote.
 * A NUL cannot be stored in a PostgreSQL string and is refused.
 */
export function quoteLiteral(value: string): string {
  // Runs three times a tenant transaction: the usual value has nothing to escape.
  if (!needsEscaping.test(value)) return `'${value}'`;
  if (value.includes('\0')) throw new VvError('VV_INTERNAL', { detail: 'a SQL literal cannot hold a NUL character' });
  const quoted = `'${value.replace(/'/g, "''")}'`;
  return value.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/** The value `search_path` gets for a binding's schema: the schema, then `public`. */
export function searchPathOf(schema: string): string {
  return `${quoteIdentifier(schema)}, public`;
}

/**
 * One statement that binds the current transaction: `set_config(…, true)` of `role` (what `set local role` does,
 * membership checked the same way), `app.tenant_id` and `search_path`, each reverting at commit or rollback.
 * With its values as literals, so it can travel with `begin` in one simple-protocol round trip.
 */
export function tenantBindingSql(binding: TenantBinding): string {
  const settings: [string, string][] = [];
  if (binding.role) settings.push(['role', binding.role]);
  settings.push(['app.tenant_id', binding.tenantId]);
  if (binding.searchPath) settings.push(['search_path', searchPathOf(binding.searchPath)]);
  return `select ${settings.map(([name, value]) => `set_config('${name}', ${quoteLiteral(value)}, true)`).join(', ')}`;
}

// What `inlineParameters` refuses in a statement: string literals, quoted identifiers, dollar quoting, comments, a
// second statement and a `$` inside a name (`a$1` is an identifier). In anything else a `$n` is a placeholder, so
// replacing each by a literal cannot change what the statement means (a literal inside a comment could end it, one
// inside a string could close it).
const unsafeForInlining = /['"`;\\]|\$\$|\$[A-Za-z_]|[A-Za-z0-9_]\$|--|\/\*/;

/**
 * One statement with its `$1, $2…` placeholders replaced by SQL literals, so it can travel with `begin`, the tenant
 * binding and `commit` in one simple-protocol round trip. Each value becomes the text a bound parameter would carry,
 * quoted (an untyped literal, resolved by its context as an untyped parameter is): strings, finite numbers, booleans,
 * dates (ISO 8601), JSON objects, and arrays of those (PostgreSQL's array text, `{"a","b",NULL}`); null is `null`.
 * Write types as casts (`$2::uuid`). Refuses a statement holding anything a placeholder could hide in (see above),
 * a placeholder without a value and a value of any other kind (nested arrays, NaN, bigint…).
 */
export function inlineParameters(sql: string, params: readonly unknown[]): string {
  if (unsafeForInlining.test(sql)) {
    throw new VvError('VV_INTERNAL', { detail: 'a one-round-trip statement may not hold quotes, comments or semicolons' });
  }
  return sql.replace(/\$(\d+)/g, (_, digits: string) => {
    const index = Number(digits) - 1;
    if (index < 0 || index >= params.length) throw new VvError('VV_INTERNAL', { detail: `no value for placeholder $${digits}` });
    const value = params[index];
    if (value === null || value === undefined) return 'null';
    const text = Array.isArray(value) ? arrayText(value, digits) : scalarText(value, digits);
    return quoteLiteral(text);
  });
}

function scalarText(value: unknown, digits: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.toISOString();
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !ArrayBuffer.isView(value)) return JSON.stringify(value);
  throw new VvError('VV_INTERNAL', { detail: `placeholder $${digits}: only strings, finite numbers, booleans, dates, JSON objects, arrays of them and null can be inlined` });
}

/** PostgreSQL's text form of a one-dimensional array: every element double-quoted, `"` and `\` escaped, NULL bare. */
function arrayText(values: readonly unknown[], digits: string): string {
  const parts = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) throw new VvError('VV_INTERNAL', { detail: `placeholder $${digits}: nested arrays cannot be inlined` });
    return `"${scalarText(v, digits).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  });
  return `{${parts.join(',')}}`;
}
