import { VvError } from '@valueverse/plugin-sdk';
import { toVvError } from '../http/problem-response';
import { isConnectionFailure, unavailableError } from './connection-failure';

function pgError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('connection-class failures', () => {
  it.each([
    ['admin shutdown (pg_terminate_backend)', pgError('terminating connection due to administrator command', '57P01')],
    ['database dropped or renamed', pgError('database "vv_x" does not exist', '3D000')],
    ['connection exception class 08', pgError('connection failure', '08006')],
    ['server refuses connections', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['socket closed under the pg client', pgError('Connection terminated unexpectedly')],
    [
      'statement of a transaction whose BEGIN failed',
      Object.assign(new Error('Transaction query already complete, run with DEBUG=knex:tx for more info'), { name: 'DriverException' }),
    ],
    ['knex pool acquire timeout', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })],
  ])('%s → 503 VV_UNAVAILABLE with Retry-After', (_label, error) => {
    const mapped = toVvError(error, 'req-1');
    expect(mapped.code).toBe('VV_UNAVAILABLE');
    expect(mapped.status).toBe(503);
    expect(mapped.headers['Retry-After']).toBe('2');
    expect(mapped.message).toBe('the database is unavailable; retry after 2 s');
  });

  it('looks through wrappers: a VV_INTERNAL or VV_DEPENDENCY_UNAVAILABLE caused by a terminated connection', () => {
    const terminated = pgError('terminating connection due to administrator command', '57P01');
    const wrapped = new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'the idempotency store', reason: terminated.message }, cause: terminated });
    const mapped = toVvError(wrapped, 'req-1');
    expect(mapped.code).toBe('VV_UNAVAILABLE');
    expect(mapped.message).toBe('the idempotency store is unavailable; retry after 2 s');
    const internal = new VvError('VV_INTERNAL', { cause: new Error('outer', { cause: pgError('Connection terminated unexpectedly') }) });
    expect(toVvError(internal, 'req-1').code).toBe('VV_UNAVAILABLE');
  });

  it('leaves statement errors and other coded errors alone', () => {
    expect(toVvError(pgError('duplicate key value violates unique constraint', '23505'), 'req-1').code).toBe('VV_INTERNAL');
    expect(toVvError(pgError('relation "x" does not exist', '42P01'), 'req-1').code).toBe('VV_INTERNAL');
    const notFound = new VvError('VV_NOT_FOUND', { params: { reason: 'gone' }, cause: pgError('x', '57P01') });
    expect(toVvError(notFound, 'req-1')).toBe(notFound);
    expect(unavailableError(new Error('boom'))).toBeUndefined();
    expect(isConnectionFailure(undefined)).toBe(false);
  });
});
