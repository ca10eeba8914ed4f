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
