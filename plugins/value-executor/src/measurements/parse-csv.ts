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
 * RFC 4180 CSV: comma-separated fields, `"` quotes fields that contain commas, quotes or line breaks, `""` is a
 * quote inside a quoted field; CRLF or LF ends a record. A leading byte-order mark and blank lines are skipped
 * (blank lines still count in the record numbers, as in a spreadsheet).
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let row = 1;
  let recordRow = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ row: recordRow, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') row++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      row++;
      recordRow = row;
    } else {
      field += ch;
    }
  }
  if (quoted) throw new CsvSyntaxError(`Row ${recordRow}: a quoted field is not closed`, recordRow);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
