import type { Problem } from '../../api/problem';

/** A rejected CSV row: `row` counts records as a spreadsheet does (header = 1); `column` is null for a whole-row problem. */
export interface RejectedRow {
  readonly row: number;
  readonly column: string | null;
  readonly message: string;
}

/** What an import did (value-executor `ImportReport`), or what an atomic import refused. */
export interface ImportReport {
  readonly atomic: boolean;
  /** Data rows in the file, when known. */
  readonly rows: number | null;
  readonly accepted: number;
  /** Rows rejected (a row with two bad cells counts once; `errors` lists both). */
  readonly rejected: number;
  readonly errors: readonly RejectedRow[];
  /** Header columns that are not measurement fields (a `note` column, say): not stored. */
  readonly ignoredColumns: readonly string[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const byRow = (a: RejectedRow, b: RejectedRow) => a.row - b.row;

/** Reads the 200/201 answer of POST /realization/imports defensively. */
export function toImportReport(body: unknown): ImportReport {
  const b = isObject(body) ? body : {};
  const errors = (Array.isArray(b['errors']) ? b['errors'] : [])
    .filter(isObject)
    .map((e) => ({ row: count(e['row']) ?? 0, column: typeof e['column'] === 'string' ? e['column'] : null, message: String(e['message'] ?? 'is invalid') }))
    .sort(byRow);
  return {
    atomic: b['atomic'] === true,
    rows: count(b['rows']),
    accepted: count(b['accepted']) ?? 0,
    rejected: count(b['rejected']) ?? new Set(errors.map((e) => e.row)).size,
    errors,
    ignoredColumns: Array.isArray(b['ignoredColumns']) ? b['ignoredColumns'].map(String) : [],
  };
}

const rowPointer = /^\/rows\/(\d+)(?:\/(.+))?$/;

/**
 * The report of an atomic import that stored nothing: a 400 whose field problems point at rows
 * (`/rows/3/value`, message "row 3: must be a finite number"). Undefined for any other problem (a file-level one
 * points at `/csv`).
 */
export function refusedImport(problem: Problem): ImportReport | undefined {
  const errors: RejectedRow[] = [];
  for (const e of problem.errors) {
    const match = rowPointer.exec(e.pointer);
    if (!match) return undefined;
    const row = Number(match[1]);
    errors.push({ row, column: match[2] ?? null, message: e.message.replace(new RegExp(`^row ${row}: `), '') });
  }
  if (errors.length === 0) return undefined;
  errors.sort(byRow);
  const x = problem.extensions;
  return {
    atomic: true,
    rows: count(x['rows']),
    accepted: 0,
    rejected: count(x['rejected']) ?? new Set(errors.map((e) => e.row)).size,
    errors,
    ignoredColumns: [],
  };
}
