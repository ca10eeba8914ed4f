import type { Database, IdempotencyStore } from '@valueverse/kernel';
import type { IdempotencyBegin, IdempotencyScope, IdempotencyTimes, StoredResponse } from '@valueverse/kernel/backend';

interface Row {
  fingerprint: string;
  status: number | null;
  headers: Record<string, string> | null;
  body_kind: StoredResponse['bodyKind'] | null;
  body: string | null;
}

const stamp = (ms: number): string => new Date(ms).toISOString();

/**
 * `kernel.idempotency_keys` (created by kernel_0003_idempotency, `attempt` added by kernel_0004), shared by every instance. The primary key
 * (tenant, principal, key) makes `begin` atomic: the insert that wins is the one request that runs.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Database) {}

  async begin(scope: IdempotencyScope, fingerprint: string, times: IdempotencyTimes, attempt: string): Promise<IdempotencyBegin> {
    const now = stamp(times.now);
    const args = [scope.tenantId, scope.principal, scope.key];
    // One statement takes the key: a new row, or over a record that no longer holds it (expired, or a request that
    // never finished because its instance stopped). A live record is left alone and nothing is returned.
    const taken = await this.db.execute(
      `insert into kernel.idempotency_keys as k (tenant_id, principal, key, fingerprint, locked_until, expires_at, attempt)
       values ($1, $2, $3, $4, $5, $6, $8)
       on conflict (tenant_id, principal, key) do update
         set fingerprint = excluded.fingerprint, locked_until = excluded.locked_until, expires_at = excluded.expires_at,
             attempt = excluded.attempt, status = null, headers = null, body_kind = null, body = null
         where k.expires_at <= $7 or (k.status is null and k.locked_until <= $7)
       returning key`,
      [...args, fingerprint, stamp(times.now + times.lockMs), stamp(times.now + times.retainMs), now, attempt],
    );
    if (taken.length === 1) return { kind: 'new' };
    const [row] = await this.db.execute<Row>(
      'select fingerprint, status, headers, body_kind, body from kernel.idempotency_keys where tenant_id = $1 and principal = $2 and key = $3',
      args,
    );
    // Abandoned between the two statements: the key is free again.
    if (!row) return this.begin(scope, fingerprint, times, attempt);
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

  async abandon(scope: IdempotencyScope, attempt: string): Promise<void> {
    await this.db.execute('delete from kernel.idempotency_keys where tenant_id = $1 and principal = $2 and key = $3 and status is null and attempt = $4', [
      scope.tenantId,
      scope.principal,
      scope.key,
      attempt,
    ]);
  }

  async sweep(now: number): Promise<number> {
    const rows = await this.db.execute('delete from kernel.idempotency_keys where expires_at <= $1 returning key', [stamp(now)]);
    return rows.length;
  }
}
