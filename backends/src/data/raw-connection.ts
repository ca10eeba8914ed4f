import type { Knex } from 'knex';
import { VvError, type SqlTransaction } from '@valueverse/plugin-sdk';

/**
 * What a pooled connection looks like below knex: a `pg.Client` on a server, the `PGlite` instance when embedded.
 * Both answer `query(sql, params)` with `{ rows }` and take PostgreSQL's own `$1, $2` placeholders.
 */
export interface RawConnection {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  /**
   * PGlite only: runs several statements in one call (the simple protocol; its `query` takes one). A `pg.Client`
   * has none: its `query` without parameters already uses the simple protocol, which takes several.
   */
  exec?(sql: string): Promise<unknown>;
  /** Set by knex when the connection broke; the pool then discards it. */
  __knex__disposed?: unknown;
}

interface KnexPoolClient {
  acquireConnection(): Promise<RawConnection>;
  releaseConnection(connection: RawConnection): Promise<unknown>;
}

/**
 * Borrows one connection from MikroORM's knex pool for `work`. Going below knex keeps `$n` placeholders intact
 * (knex would treat every `?`, e.g. jsonb's `?` operator, as a binding) and gives the same connection to every
 * statement, which session state (`set_config`, advisory locks) needs. With PGlite the pool has one connection,
 * so this also waits for any MikroORM transaction in flight.
 */
export async function withRawConnection<T>(knex: Knex, work: (connection: RawConnection) => Promise<T>): Promise<T> {
  const client = knex.client as unknown as KnexPoolClient;
  const connection = await client.acquireConnection();
  try {
    return await work(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}

/** Sends `sql`, which may hold several statements without parameters, in one round trip. */
function runStatements(connection: RawConnection, sql: string): Promise<unknown> {
  return connection.exec ? connection.exec(sql) : connection.query(sql);
}

/**
 * Runs one statement (`sql` with its `params`, and the same statement with them inlined, see `inlineParameters`)
 * after `prelude` in a transaction of its own, in one round trip: `begin` (`read only` if asked), the prelude, the
 * statement and `commit` in one simple-protocol message. It pays the connection's latency once instead of three
 * times (begin, statement, commit): each trip is a wake-up of the database's process and then the host's, which on
 * a busy machine is where a short statement's time goes. PGlite (no round trips) runs it as a transaction with
 * bound parameters instead.
 */
export async function runRawStatement<R>(
  knex: Knex,
  statement: { sql: string; params: readonly unknown[]; inlined: string },
  prelude: string,
  options: { readOnly?: boolean } = {},
): Promise<R[]> {
  const begin = options.readOnly ? 'begin read only' : 'begin';
  return withRawConnection(knex, async (connection) => {
    if (connection.exec) {
      try {
        await connection.exec(`${begin}; ${prelude}`);
        const rows = (await connection.query(statement.sql, [...statement.params])).rows as R[];
        await connection.query('commit');
        return rows;
      } catch (error) {
        await rollbackOrDispose(connection, error);
        throw error;
      }
    }
    try {
      // A message of several statements answers one result each: begin, the prelude, the statement, commit.
      const results = (await connection.query(`${begin}; ${prelude}; ${statement.inlined}; commit`)) as unknown as { rows: unknown[] }[];
      return results[results.length - 2]!.rows as R[];
    } catch (error) {
      // The statements after the failed one did not run: the transaction is open (and failed) until rolled back.
      await rollbackOrDispose(connection, error);
      throw error;
    }
  });
}

async function rollbackOrDispose(connection: RawConnection, error: unknown): Promise<void> {
  try {
    await connection.query('rollback');
  } catch {
    // A connection that cannot roll back must not serve anyone else.
    connection.__knex__disposed = error;
  }
}

/**
 * Runs `work` in a transaction on one pooled connection: commit when it resolves, roll back when it throws.
 * `prelude` (statements without parameters, e.g. `tenantBindingSql`) travels with `begin` in the same round trip,
 * so binding a transaction to a tenant costs no extra trip to the database.
 * The `SqlTransaction` handed out refuses queries once the transaction is over, so a leaked handle cannot run
 * statements on a connection that already went back to the pool.
 */
export async function runRawTransaction<T>(knex: Knex, work: (tx: SqlTransaction) => Promise<T>, prelude?: string): Promise<T> {
  return withRawConnection(knex, async (connection) => {
    let open = true;
    const tx: SqlTransaction = {
      async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
        if (!open) throw new VvError('VV_INTERNAL', { detail: 'SQL transaction used after it ended' });
        return (await connection.query(sql, [...params])).rows as R[];
      },
    };
    try {
      // In the try: when the prelude fails, `begin` has run and the transaction must be rolled back.
      await runStatements(connection, prelude === undefined ? 'begin' : `begin; ${prelude}`);
      const result = await work(tx);
      open = false;
      await connection.query('commit');
      return result;
    } catch (error) {
      open = false;
      await rollbackOrDispose(connection, error);
      throw error;
    }
  });
}
