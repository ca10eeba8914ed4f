import { isVvError } from '../errors/vv-error';
import { decodeCursor, encodeCursor } from './page-cursor';

const raw = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function refusal(cursor: string, shape: Parameters<typeof decodeCursor>[1]): unknown {
  try {
    decodeCursor(cursor, shape);
  } catch (error) {
    return isVvError(error) ? { code: error.code, status: error.status, errors: error.errors } : error;
  }
  return 'accepted';
}

const refused = { code: 'VV_VALIDATION', status: 400, errors: [{ pointer: '/cursor', in: 'query', message: 'is not a cursor returned by this list' }] };

describe('decodeCursor', () => {
  const at = '2026-11-29T10:00:00.123Z';
  const id = '0b6f3a5e-9a51-4c1e-8f4b-3c2d1e0f9a8b';

  it('reads back what encodeCursor wrote', () => {
    expect(decodeCursor(encodeCursor([at, id]), ['timestamp', 'uuid'])).toEqual([at, id]);
    expect(decodeCursor(encodeCursor([at, 'm-1']), ['timestamp', 'string'])).toEqual([at, 'm-1']);
    expect(decodeCursor(encodeCursor([7]), ['number'])).toEqual([7]);
    expect(decodeCursor(encodeCursor([2.5]), ['number'])).toEqual([2.5]);
    expect(decodeCursor(encodeCursor([2 ** 31 - 1]), ['integer'])).toEqual([2 ** 31 - 1]);
    expect(decodeCursor(encodeCursor(['0001-01-01T00:00:00.000Z', id]), ['timestamp', 'uuid'])).toEqual(['0001-01-01T00:00:00.000Z', id]);
  });

  // The review's crafted cursors (issue #10, finding 8): each used to reach PostgreSQL and answer 500.
  it.each([
    ['a timestamp that is not a date', ['not-a-date', 'x'], ['timestamp', 'string']],
    ['year 275760 (past what PostgreSQL and Date agree on)', ['+275760-09-13T00:00:00.000Z', id], ['timestamp', 'uuid']],
    ['year 275760 written without the sign', ['275760-09-13T00:00:00.000Z', id], ['timestamp', 'uuid']],
    ['year 0000', ['0000-01-01T00:00:00.000Z', id], ['timestamp', 'uuid']],
    ['a day that does not exist', ['2026-02-30T00:00:00.000Z', id], ['timestamp', 'uuid']],
    ['a timestamp in another form', ['2026-11-29 10:00:00', id], ['timestamp', 'uuid']],
    ['a non-uuid id', [at, 'x'], ['timestamp', 'uuid']],
    ['three elements for two', [at, id, 'extra'], ['timestamp', 'uuid']],
    ['one element for two', [at], ['timestamp', 'uuid']],
    ['a NUL in a string', [at, 'a\u0000b'], ['timestamp', 'string']],
    ['a lone surrogate in a string', [at, '\ud800'], ['timestamp', 'string']],
    ['an overlong string', [at, 'x'.repeat(201)], ['timestamp', 'string']],
    ['a number as string', ['7'], ['number']],
    ['a fraction for an integer', [1.5], ['integer']],
    ['an integer past PostgreSQL integer', [2 ** 31], ['integer']],
    ['1e308 for an integer', [1e308], ['integer']],
    ['an object', { at, id }, ['timestamp', 'uuid']],
  ] as const)('refuses %s with 400 VV_VALIDATION on /cursor', (_name, key, shape) => {
    expect(refusal(raw(key), shape)).toEqual(refused);
  });

  it('refuses what is not base64url JSON', () => {
    expect(refusal('%%%', ['number'])).toEqual(refused);
    expect(refusal(Buffer.from('[1,').toString('base64url'), ['number'])).toEqual(refused);
    expect(refusal('', ['number'])).toEqual(refused);
  });
});
