import { PassThrough } from 'node:stream';
import { VvError } from '@valueverse/plugin-sdk';
import type { Database } from '@valueverse/kernel';
import { openDatabase } from '../../backends/src/data/open-database';
import { isDatabaseError, redactError } from '../../kernel/src/observability/error-redaction';
import { createKernelLogger } from '../../kernel/src/observability/kernel-logger';

// Real errors from embedded PostgreSQL (PGlite) through MikroORM's knex, as a plugin's query meets them; the same on
// the PostgreSQL server is in test/integration/edge-input.test.ts.
const SECRET = 'ann.secret@acme.test';

/** Logs `fields` through the kernel's logger and returns the line as written. */
async function logged(fields: Record<string, unknown>): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const logger = createKernelLogger({ level: 'info', destination: out });
  logger.error(fields, 'request failed');
  logger.flush();
  await new Promise((resolve) => setImmediate(resolve));
  return text;
}

describe('errors in the log carry no SQL or row values', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openDatabase({ inMemory: true });
    await db.execute('create table public.notes (email text not null, note text not null, at timestamptz, constraint notes_email_check check (length(email) < 5))');
  }, 30_000);
  afterAll(() => db?.close());

  const viaOrm = (sql: string, params: unknown[]) =>
    db.orm.em
      .fork()
      .getConnection()
      .execute(sql, params)
      .then(
        () => undefined,
        (error: unknown) => error,
      );

  it('a failed MikroORM query: the message is the server text, without the statement, bindings or failing row', async () => {
    const error = (await viaOrm('insert into public.notes (email, note) values (?, ?)', [SECRET, 'a note'])) as Error;
    // The unredacted error does carry the values (that is what used to reach the log).
    expect(`${error.message}${error.stack}${JSON.stringify(error)}`).toContain(SECRET);
    expect(isDatabaseError(error)).toBe(true);

    const line = await logged({ err: new VvError('VV_INTERNAL', { params: { requestId: 'r-1' }, cause: error }), requestId: 'r-1' });
    expect(line).not.toContain(SECRET);
    expect(line).not.toMatch(/insert into/i);
    expect(line).toContain('notes_email_check');
    const entry = JSON.parse(line) as { err: { type: string; message: string; stack: string; code?: string } };
    expect(entry.err.type).toBe('VvError');
    expect(entry.err.message).toBe(
      'An unexpected error occurred; quote request id r-1 when reporting it: new row for relation "notes" violates check constraint "notes_email_check"',
    );
    expect(entry.err.stack).toMatch(/\n\s+at /);
  });

  it('a data exception quoting the input, logged directly: the quoted value is masked, the code kept', async () => {
    const error = await viaOrm('insert into public.notes (email, note, at) values (?, ?, ?)', ['a', 'b', `not-a-date ${SECRET}`]);
    const line = await logged({ err: error });
    expect(line).not.toContain(SECRET);
    const entry = JSON.parse(line) as { err: { message: string; code: string } };
    expect(entry.err.code).toBe('22007');
    expect(entry.err.message).toBe('invalid input syntax for type timestamp with time zone: "…"');
  });

  it('a raw query error (PGlite keeps `query` and `params` on it) is logged without them', async () => {
    const error = await db.execute('insert into public.notes (email, note) values ($1, $2)', [SECRET, 'x']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(JSON.stringify(Object.getOwnPropertyNames(error).map((k) => (error as Record<string, unknown>)[k]))).toContain(SECRET);
    const line = await logged({ err: error });
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain('"query"');
    // Under `error` too (pino would otherwise write the error's enumerable fields as they are).
    const underError = await logged({ error });
    expect(underError).not.toContain(SECRET);
    expect(underError).toContain('"code":"23514"');
  });

  it('leaves errors that carry nothing to redact as they are', () => {
    const plain = new Error('boom');
    expect(redactError(plain)).toBe(plain);
    const vv = new VvError('VV_NOT_FOUND', { detail: 'x' });
    expect(redactError(vv)).toBe(vv);
    expect(redactError('not an error')).toBe('not an error');
  });
});
