import type { Problem } from '../../api/problem';
import { refusedImport, toImportReport } from './import-report';

const problem = (errors: Problem['errors'], extensions: Problem['extensions'] = {}): Problem => ({
  status: 400,
  code: 'VV_VALIDATION',
  title: 'Validation failed',
  detail: '',
  errors,
  extensions,
});

describe('toImportReport', () => {
  it('reads the counts and the rejected rows in row order', () => {
    const report = toImportReport({
      importId: 'i1',
      atomic: false,
      rows: 3,
      accepted: 2,
      rejected: 1,
      measurements: [],
      errors: [
        { row: 4, column: null, pointer: '/rows/4', message: 'has 6 fields; the header has 4' },
        { row: 3, column: 'value', pointer: '/rows/3/value', message: 'must be a finite number' },
      ],
      ignoredColumns: ['comment'],
    });
    expect(report).toEqual({
      atomic: false,
      rows: 3,
      accepted: 2,
      rejected: 1,
      errors: [
        { row: 3, column: 'value', message: 'must be a finite number' },
        { row: 4, column: null, message: 'has 6 fields; the header has 4' },
      ],
      ignoredColumns: ['comment'],
    });
  });

  it('survives an odd body', () => {
    expect(toImportReport('nope')).toEqual({ atomic: false, rows: null, accepted: 0, rejected: 0, errors: [], ignoredColumns: [] });
  });
});

describe('refusedImport', () => {
  it('turns an atomic import’s row problems into a report that stored nothing', () => {
    const refused = refusedImport(
      problem(
        [
          { pointer: '/rows/5/measuredAt', message: 'row 5: must not be in the future' },
          { pointer: '/rows/3/value', message: 'row 3: must be a finite number' },
          { pointer: '/rows/9', message: 'row 9: has 7 fields' },
        ],
        {
          rows: 8,
          rejected: 3,
          accepted: 0,
        },
      ),
    );
    expect(refused).toEqual({
      atomic: true,
      rows: 8,
      accepted: 0,
      rejected: 3,
      errors: [
        { row: 3, column: 'value', message: 'must be a finite number' },
        { row: 5, column: 'measuredAt', message: 'must not be in the future' },
        { row: 9, column: null, message: 'has 7 fields' },
      ],
      ignoredColumns: [],
    });
  });

  it('leaves other problems alone: a file-level one, or none', () => {
    expect(refusedImport(problem([{ pointer: '/csv', message: 'has a header but no data rows' }]))).toBeUndefined();
    expect(refusedImport(problem([]))).toBeUndefined();
  });
});
