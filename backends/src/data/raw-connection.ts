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
      try {
        await connection.query('rollback');
      } catch {
        // A connection that cannot roll back must not serve anyone else.
        connection.__knex__disposed = error;
      }
      throw error;
    }
  });
}
