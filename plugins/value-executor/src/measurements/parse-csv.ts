import { CsvError, parse, type InfoRecord } from 'csv-parse/sync';

/** One record of a CSV file and the 1-based number it has in the file (the header is record 1). */
export interface CsvRecord {
  readonly row: number;
  readonly fields: readonly string[];
}

/** A CSV file that cannot be read at all (an unterminated quote). */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly row: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * RFC 4180 CSV read by csv-parse: comma-separated fields, `"` quotes fields that contain commas, quotes or line
 * breaks, `""` is a quote inside a quoted field; CRLF, LF or CR ends a record (mixed in one file, as pasted text
 * often is). A leading byte-order mark and blank lines are skipped (blank lines still count in the record numbers, as
 * in a spreadsheet); rows may have fewer or more fields than the header (the importer reports them per row).
 */
export function parseCsv(text: string): CsvRecord[] {
  // csv-parse counts the line a record ends on; a spreadsheet numbers a record by the line it starts on.
  let lastLine = 0;
  let lastEmptyLines = 0;
  const onRecord = (fields: string[], context: InfoRecord): CsvRecord | null => {
    lastLine = context.lines;
    lastEmptyLines = context.empty_lines;
    if (fields.length === 1 && fields[0]!.trim() === '') return null;
    return { row: context.lines - lineBreaks(fields), fields };
  };
  try {
    // With `on_record` the result holds what it returns; the overloads type it as the raw fields.
    return parse(text, {
      bom: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      on_record: onRecord as never,
    }) as unknown as CsvRecord[];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // The record that failed starts after the last one read and the blank lines since.
    const row = lastLine + 1 + (Number(error.empty_lines ?? lastEmptyLines) - lastEmptyLines);
    const problem = error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is not closed' : error.message;
    throw new CsvSyntaxError(`Row ${row}: ${problem}`, row);
  }
}

function lineBreaks(fields: readonly string[]): number {
  return fields.reduce((count, field) => count + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
}
