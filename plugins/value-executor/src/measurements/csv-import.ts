import { randomUUID } from 'node:crypto';
import { VvError } from '@valueverse/plugin-sdk';
import type { MeasurementField, MeasurementInput, RawMeasurement } from './measurement-checker';
import { decreaseMessage, type MeasurementRecorder } from './measurement-recorder';
import { CsvSyntaxError, parseCsv } from './parse-csv';

/** Most data rows one import takes; larger files are split by the client. */
export const MAX_IMPORT_ROWS = 10_000;

/** A rejected row. `row` counts records as a spreadsheet does (header = 1); `pointer` is `/rows/<row>/<column>`. */
export interface CsvRowError {
  readonly row: number;
  readonly column: MeasurementField | null;
  readonly pointer: string;
  readonly message: string;
}

export interface ImportReport {
  readonly importId: string;
  readonly atomic: boolean;
  /** Data rows in the file. */
  readonly rows: number;
  /** Rows stored. */
  readonly accepted: number;
  readonly rejected: number;
  /** The stored measurement of each accepted row. */
  readonly measurements: readonly { readonly row: number; readonly id: string }[];
  readonly errors: readonly CsvRowError[];
  /** Header columns that are not measurement fields (kept out of the data, e.g. a spreadsheet's own comments). */
  readonly ignoredColumns: readonly string[];
}

export interface ImportOptions {
  readonly tenantId: string;
  readonly recordedBy: string | null;
  /** Store nothing when any row is invalid. */
  readonly atomic: boolean;
  /** Commitment of rows without a `commitmentId` column or cell. */
  readonly commitmentId?: string;
  /** Pointer of the CSV text in the request: `/csv` in a JSON body, `` for a text/csv body. */
  readonly pointer: string;
}

// Header names are matched without case, spaces, `_` or `-`: `measuredAt`, `measured_at` and `Measured At` are one.
const columnNames: Readonly<Record<string, MeasurementField>> = {
  commitmentid: 'commitmentId',
  metric: 'metric',
  value: 'value',
  measuredat: 'measuredAt',
  source: 'source',
  note: 'note',
};
const normalize = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');

/**
 * Imports measurements from CSV (header `commitmentId,metric,value,measuredAt[,source][,note]`). Every row is checked like
 * an API measurement; the report lists each rejected row with its number and column. Without `atomic` the valid
 * rows are stored; with it nothing is stored unless every row is valid (400 VV_VALIDATION listing the rows).
 */
export async function importCsv(text: string, options: ImportOptions, recorder: MeasurementRecorder): Promise<ImportReport> {
  const fileProblem = (message: string): VvError => VvError.validation([{ pointer: options.pointer, message }], `CSV: ${message}`);
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw fileProblem(error.message);
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw fileProblem('is empty; expected a header row commitmentId,metric,value,measuredAt[,source][,note]');
  if (data.length === 0) throw fileProblem('has a header but no data rows');
  if (data.length > MAX_IMPORT_ROWS) throw fileProblem(`has ${data.length} data rows; at most ${MAX_IMPORT_ROWS} per import`);

  const columns = new Map<MeasurementField, number>();
  const ignoredColumns: string[] = [];
  header.fields.forEach((name, index) => {
    const field = columnNames[normalize(name)];
    if (!field) ignoredColumns.push(name);
    else if (columns.has(field)) throw fileProblem(`column "${field}" appears twice in the header`);
    else columns.set(field, index);
  });
  const required: MeasurementField[] = ['metric', 'value', 'measuredAt', ...(options.commitmentId === undefined ? (['commitmentId'] as const) : [])];
  const missing = required.filter((f) => !columns.has(f));
  if (missing.length > 0) throw fileProblem(`the header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);

  const checker = recorder.checker(options.tenantId);
  const errors: CsvRowError[] = [];
  const valid: { row: number; input: MeasurementInput }[] = [];
  for (const record of data) {
    if (record.fields.length > header.fields.length) {
      errors.push({ row: record.row, column: null, pointer: `/rows/${record.row}`, message: `has ${record.fields.length} fields; the header has ${header.fields.length}` });
      continue;
    }
    const cell = (field: MeasurementField): string | undefined => {
      const index = columns.get(field);
      return index === undefined ? undefined : record.fields[index];
    };
    const raw: RawMeasurement = {
      commitmentId: cell('commitmentId')?.trim() || options.commitmentId,
      metric: cell('metric'),
      value: cell('value')?.trim(),
      measuredAt: cell('measuredAt'),
      source: cell('source'),
      note: cell('note'),
    };
    const result = await checker.check(raw, 'csv');
    if (result.ok) valid.push({ row: record.row, input: result.input });
    else for (const p of result.problems) errors.push({ row: record.row, column: p.field, pointer: `/rows/${record.row}/${p.field}`, message: p.message });
  }

  // Rows that would make a cumulative series fall are row errors like any other (CSV has no correction column:
  // a correction goes through the API with its reason).
  const decreases = await recorder.decreases(
    options.tenantId,
    checker,
    valid.map((v) => v.input),
  );
  for (const p of decreases) {
    const { row, input } = valid[p.index]!;
    errors.push({ row, column: 'value', pointer: `/rows/${row}/value`, message: decreaseMessage(input.metric, p) });
  }
  const refused = new Set(decreases.map((p) => p.index));
  const accepted = valid.filter((_, i) => !refused.has(i));
  errors.sort((a, b) => a.row - b.row);

  const importId = randomUUID();
  const rejectedRows = new Set(errors.map((e) => e.row)).size;
  if (options.atomic && errors.length > 0) {
    throw new VvError('VV_VALIDATION', {
      detail: `CSV: ${rejectedRows} of ${data.length} rows are invalid; nothing was stored (atomic import)`,
      errors: errors.map((e) => ({ pointer: e.pointer, message: `row ${e.row}: ${e.message}` })),
      extensions: { rows: data.length, rejected: rejectedRows, accepted: 0 },
    });
  }
  const stored = await recorder.record(
    options.tenantId,
    checker,
    accepted.map((v) => v.input),
    { recordedBy: options.recordedBy, importId },
  );
  return {
    importId,
    atomic: options.atomic,
    rows: data.length,
    accepted: stored.length,
    rejected: rejectedRows,
    measurements: stored.map((m, i) => ({ row: accepted[i]!.row, id: m.id })),
    errors,
    ignoredColumns,
  };
}
