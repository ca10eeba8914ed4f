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
    expect(parseCsv('a\n1\n')).toEqual([{ row: 1, fields: ['a'] }, { row: 2, fields: ['1'] }]);
    expect(parseCsv('')).toEqual([]);
  });

  it('rejects an unterminated quote, naming the record', () => {
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow(/Row 2/);
  });
});
