import { CsvSyntaxError, parseCsv } from './parse-csv';

describe('parseCsv', () => {
  it('reads plain and quoted fields, CRLF and LF, and numbers records as a spreadsheet does', () => {
    const text = '\ufeffa,b,c\r\n1,"x, y",3\n\n"say ""hi""",,"multi\nline"\n4,5,6';
    expect(parseCsv(text)).toEqual([
      { row: 1, fields: ['a', 'b', 'c'] },
      { row: 2, fields: ['1', 'x, y', '3'] },
      { row: 4, fields: ['say "hi"', '', 'multi\nline'] },
      { row: 6, fields: ['4', '5', '6'] },
    ]);
  });

  it('handles a trailing line break and an empty file', () => {
    expect(parseCsv('a\n1\n')).toEqual([
      { row: 1, fields: ['a'] },
      { row: 2, fields: ['1'] },
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('rejects an unterminated quote, naming the record', () => {
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow(/Row 2/);
  });

  it('names the row where an unclosed quoted field starts, after blank lines and multi-line fields', () => {
    expect(() => parseCsv('a,b\n"x\ny",2\n\n3,"open\nmore\n')).toThrow(new CsvSyntaxError('Row 5: a quoted field is not closed', 5));
  });

  it('reads CR-only line breaks and skips lines of spaces, counting them', () => {
    expect(parseCsv('a,b\r1,2\r   \r3,4')).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['1', '2'] },
      { row: 4, fields: ['3', '4'] },
    ]);
  });

  it('keeps rows whose field count differs from the header and quotes inside unquoted fields', () => {
    expect(parseCsv('a,b\n1\n1,2,3\n5"7,"x"\n')).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['1'] },
      { row: 3, fields: ['1', '2', '3'] },
      { row: 4, fields: ['5"7', 'x'] },
    ]);
  });
});
