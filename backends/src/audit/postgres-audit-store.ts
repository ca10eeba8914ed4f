import type { AuditRecord, AuditStore, Database } from '@valueverse/kernel';
import type { AuditInput, AuditQuery } from '@valueverse/kernel/backend';

// Raw SQL on `kernel.audit_log` (created by kernel_0002_identity_audit; the kernel store's `init()` migrates).

const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string).toISOString());

interface AuditRow {
  id: string;
  at: string;
  action: string;
  actor: string | null;
  tenant_id: string | null;
  target: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  ip: string | null;
}

const toAudit = (r: AuditRow): AuditRecord => ({
  id: String(r.id),
  at: iso(r.at)!,
  action: r.action,
  actor: r.actor,
  tenantId: r.tenant_id,
  target: r.target,
  before: r.before ?? null,
  after: r.after ?? null,
  requestId: r.request_id,
  ip: r.ip,
});

export class PostgresAuditStore implements AuditStore {
  constructor(private readonly db: Database) {}

  async init(): Promise<void> {}

  async append(e: AuditInput): Promise<AuditRecord> {
    const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
    const rows = await this.db.execute<AuditRow>(
      `insert into kernel.audit_log (action, actor, tenant_id, target, before, after, request_id, ip)
       values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8) returning *`,
      [e.action, e.actor, e.tenantId, e.target, json(e.before), json(e.after), e.requestId, e.ip],
    );
    return toAudit(rows[0]!);
  }

  async list(q: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.tenantId !== undefined) add('tenant_id = ?', q.tenantId);
    if (q.action !== undefined) {
      if (q.action.endsWith('*')) add("action like ? escape '\\'", `${q.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      else add('action = ?', q.action);
    }
    if (q.actor !== undefined) add('actor = ?', q.actor);
    if (q.from !== undefined) add('at >= ?::timestamptz', q.from);
    if (q.to !== undefined) add('at < ?::timestamptz', q.to);
    if (q.cursor !== undefined) add('id < ?::bigint', q.cursor);
    params.push(q.limit + 1);
    const rows = await this.db.execute<AuditRow>(
      `select * from kernel.audit_log ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
      params,
    );
    const items = rows.slice(0, q.limit).map(toAudit);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
  }
}
