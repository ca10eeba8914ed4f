import type { Database } from '../data/database';
import type { IdempotencyBegin, IdempotencyScope, IdempotencyStore, IdempotencyTimes, StoredResponse } from './idempotency-store';

interface Row {
  fingerprint: string;
  status: number | null;
  headers: Record<string, string> | null;
  body_kind: StoredResponse['bodyKind'] | null;
  body: string | null;
}

const stamp = (ms: number): string => new Date(ms).toISOString();

/**
 * `kernel.idempotency_keys` (created by kernel_0003_idempotency), shared by every instance. The primary key
 * (tenant, principal, key) makes `begin` atomic: the insert that wins is the one request that runs.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Database) {}

  async begin(scope: IdempotencyScope, fingerprint: string, times: IdempotencyTimes): Promise<IdempotencyBegin> {
    const now = stamp(times.now);
    const where = 'tenant_id = $1 and principal = $2 and key = $3';
    const args = [scope.tenantId, scope.principal, scope.key];
    // An expired record, or one whose request never finished (its instance stopped), no longer holds the key.
    await this.db.execute(`delete from kernel.idempotency_keys where ${where} and (expires_at <= $4 or (status is null and locked_until <= $4))`, [...args, now]);
    const inserted = await this.db.execute(
      `insert into kernel.idempotency_keys (tenant_id, principal, key, fingerprint, locked_until, expires_at)
       values ($1, $2, $3, $4, $5, $6) on conflict do nothing returning key`,
      [...args, fingerprint, stamp(times.now + times.lockMs), stamp(times.now + times.retainMs)],
    );
    if (inserted.length === 1) return { kind: 'new' };
    const [row] = await this.db.execute<Row>(`select fingerprint, status, headers, body_kind, body from kernel.idempotency_keys where ${where}`, args);
    // Deleted between the insert and the select (abandoned, or swept): the request may run.
    if (!row) return this.begin(scope, fingerprint, times);
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.status === null) return { kind: 'in-progress' };
    return { kind: 'replay', response: { status: row.status, headers: row.headers ?? {}, bodyKind: row.body_kind ?? 'none', body: row.body } };
  }

  async complete(scope: IdempotencyScope, response: StoredResponse, times: IdempotencyTimes): Promise<void> {
    await this.db.execute(
      `update kernel.idempotency_keys set status = $4, headers = $5::jsonb, body_kind = $6, body = $7, expires_at = $8
       where tenant_id = $1 and principal = $2 and key = $3`,
      [scope.tenantId, scope.principal, scope.key, response.status, JSON.stringify(response.headers), response.bodyKind, response.body, stamp(times.now + times.retainMs)],
    );
  }

  async abandon(scope: IdempotencyScope): Promise<void> {
    await this.db.execute('delete from kernel.idempotency_keys where tenant_id = $1 and principal = $2 and key = $3 and status is null', [scope.tenantId, scope.principal, scope.key]);
  }

  async sweep(now: number): Promise<number> {
    const rows = await this.db.execute('delete from kernel.idempotency_keys where expires_at <= $1 returning key', [stamp(now)]);
    return rows.length;
  }
}
