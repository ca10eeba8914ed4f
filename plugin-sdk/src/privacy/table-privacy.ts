import type { PluginDatabase, SqlTransaction } from '../services/core-service-types';
import type { PluginPrivacy, PrivacyReport, PrivacySubject, PrivacyTables } from './plugin-privacy';

/** One tenant-owned table of a plugin (it has a `tenant_id` column, so row-level security limits it to the tenant). */
export interface PrivacyTable {
  readonly table: string;
  /** Retention: the data class whose policy applies to this table's rows, and the column that dates each row. */
  readonly retention?: { readonly dataClass: string; readonly column: string };
}

interface Column {
  readonly name: string;
  readonly type: string;
  readonly generated: boolean;
}

const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;
/** PostgreSQL ARE special characters, escaped so a term matches literally. */
const literal = (term: string): string => term.replace(/[\\.^$|?*+()[\]{}]/g, (c) => `\\${c}`);
const TEXT_TYPES = new Set(['text', 'character varying', 'character']);
const JSON_TYPES = new Set(['jsonb', 'json']);

/** The regular expression matching any of the subject's email and names (case-insensitively, applied with flag `i`). */
export function subjectPattern(subject: PrivacySubject): string | undefined {
  const terms = [subject.email, ...(subject.names ?? [])].filter((t): t is string => typeof t === 'string' && t.trim().length >= 3);
  return terms.length === 0 ? undefined : terms.map((t) => literal(t.trim())).join('|');
}

/**
 * The privacy contract for plugins whose data is rows in tenant-owned tables, written generically: tables are read
 * and written through `db.transaction(tenantId, …)`, so row-level security keeps every statement inside the tenant.
 *
 * - export: every row as JSON (with a subject: the rows mentioning its user id, email or names);
 * - import: the rows inserted with `tenant_id` set to the target tenant, tables in the order given (parents first);
 * - erase: in every text and JSON column, the subject's email and names are replaced by its pseudonym, and a value
 *   equal to its user id becomes the pseudonym (the rows stay, so sums and histories stay right);
 * - purge: every row deleted, tables in reverse order.
 *
 * A plugin with other personal data (files, outside services) writes its own `PluginPrivacy` or wraps this one.
 *
 * @example
 * registrar.privacy(tablePrivacy(db, [{ table: 'value_models' }, { table: 'value_model_versions' }]));
 */
export function tablePrivacy(db: PluginDatabase, tables: readonly PrivacyTable[]): PluginPrivacy {
  const columnsOf = async (tx: SqlTransaction, table: string): Promise<Column[]> => {
    const rows = await tx.query<{ column_name: string; data_type: string; is_generated: string; identity_generation: string | null }>(
      `select column_name, data_type, is_generated, identity_generation from information_schema.columns
        where table_schema = $1 and table_name = $2 order by ordinal_position`,
      [db.schema, table],
    );
    return rows.map((r) => ({ name: r.column_name, type: r.data_type, generated: r.is_generated === 'ALWAYS' || r.identity_generation === 'ALWAYS' }));
  };
  const name = (table: string) => `${quote(db.schema)}.${quote(table)}`;

  return {
    async export(tenantId, subject) {
      return db.transaction(tenantId, async (tx) => {
        const out: Record<string, Record<string, unknown>[]> = {};
        for (const { table } of tables) {
          const terms = subject ? [subjectPattern(subject), subject.userId ? literal(subject.userId) : undefined].filter(Boolean).join('|') : '';
          if (subject && terms === '') {
            out[table] = [];
            continue;
          }
          // Sorted by the row's JSON text: two exports of the same rows are the same lines.
          const rows = await tx.query<{ row: Record<string, unknown> }>(
            `select to_jsonb(t) as row from ${name(table)} t ${subject ? `where to_jsonb(t)::text ~* $1` : ''} order by to_jsonb(t)::text`,
            subject ? [terms] : [],
          );
          out[table] = rows.map((r) => r.row);
        }
        return out;
      });
    },

    async import(tenantId, given: PrivacyTables) {
      return db.transaction(tenantId, async (tx) => {
        const rows: Record<string, number> = {};
        for (const { table } of tables) {
          const list = (given[table] ?? []).map((row) => ({ ...row, tenant_id: tenantId }));
          rows[table] = list.length;
          if (list.length === 0) continue;
          const columns = (await columnsOf(tx, table)).filter((c) => !c.generated).map((c) => quote(c.name));
          await tx.query(`insert into ${name(table)} (${columns.join(', ')}) select ${columns.join(', ')} from jsonb_populate_recordset(null::${name(table)}, $1::jsonb)`, [
            JSON.stringify(list),
          ]);
        }
        return { rows };
      });
    },

    async erase(tenantId, subject) {
      const pattern = subjectPattern(subject);
      return db.transaction(tenantId, async (tx) => {
        const rows: Record<string, number> = {};
        for (const { table } of tables) {
          const sets: string[] = [];
          const matches: string[] = [];
          // $1: the pattern ('' when only a user id is known), $2: the pseudonym, $3: the user id ('' when none).
          const hasPattern = `$1::text <> ''`;
          const hasId = `$3::text <> ''`;
          for (const column of await columnsOf(tx, table)) {
            if (column.generated) continue;
            const c = quote(column.name);
            if (TEXT_TYPES.has(column.type)) {
              sets.push(`${c} = case when ${hasId} and ${c} = $3 then $2::text when ${hasPattern} then regexp_replace(${c}, $1, $2, 'gi') else ${c} end`);
              matches.push(`(${hasId} and ${c} = $3)`, `(${hasPattern} and ${c} ~* $1)`);
            } else if (JSON_TYPES.has(column.type)) {
              // Inside JSON the user id is a whole string value: "id" → "pseudonym".
              const byId = `case when ${hasId} then replace(${c}::text, '"' || $3 || '"', '"' || $2 || '"') else ${c}::text end`;
              sets.push(`${c} = (case when ${hasPattern} then regexp_replace(${byId}, $1, $2, 'gi') else ${byId} end)::${column.type}`);
              matches.push(`(${hasId} and strpos(${c}::text, '"' || $3 || '"') > 0)`, `(${hasPattern} and ${c}::text ~* $1)`);
            }
          }
          if (sets.length === 0) {
            rows[table] = 0;
            continue;
          }
          const counted = await tx.query<{ n: number }>(
            `with changed as (update ${name(table)} set ${sets.join(', ')} where ${matches.join(' or ')} returning 1) select count(*)::int as n from changed`,
            [pattern ?? '', subject.pseudonym, subject.userId ?? ''],
          );
          rows[table] = counted[0]?.n ?? 0;
        }
        return { rows };
      });
    },

    retention: Object.fromEntries(
      tables
        .filter((t) => t.retention !== undefined)
        .map(({ table, retention }) => [
          retention!.dataClass,
          (tenantId: string, before: Date) =>
            db.transaction(tenantId, async (tx) => {
              const counted = await tx.query<{ n: number }>(
                `with gone as (delete from ${name(table)} where ${quote(retention!.column)} < $1 returning 1) select count(*)::int as n from gone`,
                [before.toISOString()],
              );
              return counted[0]?.n ?? 0;
            }),
        ]),
    ),

    async purge(tenantId) {
      return db.transaction(tenantId, async (tx) => {
        const rows: Record<string, number> = {};
        for (const { table } of [...tables].reverse()) {
          const counted = await tx.query<{ n: number }>(`with gone as (delete from ${name(table)} returning 1) select count(*)::int as n from gone`);
          rows[table] = counted[0]?.n ?? 0;
        }
        return { rows } satisfies PrivacyReport;
      });
    },
  };
}
