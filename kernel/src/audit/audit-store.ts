/** One audit entry: who did what to which tenant and object, and the state before and after (secrets masked). */
export interface AuditRecord {
  /** Increasing; the cursor of the listing. */
  readonly id: string;
  readonly at: string;
  readonly action: string;
  /** User id, `apikey:<id>`, `plugin:<id>` or `system`; null for a failed sign-in of an unknown user. */
  readonly actor: string | null;
  readonly tenantId: string | null;
  readonly target: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
  readonly ip: string | null;
}

export type AuditInput = Omit<AuditRecord, 'id' | 'at'>;

export interface AuditQuery {
  readonly tenantId?: string;
  readonly action?: string;
  readonly actor?: string;
  /** ISO timestamps, inclusive from, exclusive to. */
  readonly from?: string;
  readonly to?: string;
  /** Entries older than this id (newest first). */
  readonly cursor?: string;
  readonly limit: number;
}

/** Append-only: no method changes or deletes an entry. */
export interface AuditStore {
  init(): Promise<void>;
  append(entry: AuditInput): Promise<AuditRecord>;
  /** Newest first; `nextCursor` is set when more entries match. */
  list(query: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }>;
}

/** Matches `plugin.*` against `plugin.enabled`. */
export function actionMatches(pattern: string, action: string): boolean {
  return pattern.endsWith('*') ? action.startsWith(pattern.slice(0, -1)) : pattern === action;
}

export class MemoryAuditStore implements AuditStore {
  private readonly entries: AuditRecord[] = [];

  async init(): Promise<void> {}

  async append(entry: AuditInput): Promise<AuditRecord> {
    const record = Object.freeze({ ...entry, id: String(this.entries.length + 1), at: new Date().toISOString() });
    this.entries.push(record);
    return record;
  }

  async list(q: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
    const matching = this.entries
      .filter(
        (e) =>
          (q.tenantId === undefined || e.tenantId === q.tenantId) &&
          (q.action === undefined || actionMatches(q.action, e.action)) &&
          (q.actor === undefined || e.actor === q.actor) &&
          (q.from === undefined || e.at >= q.from) &&
          (q.to === undefined || e.at < q.to) &&
          (q.cursor === undefined || Number(e.id) < Number(q.cursor)),
      )
      .reverse();
    const items = matching.slice(0, q.limit);
    return { items, nextCursor: matching.length > q.limit ? items[items.length - 1]!.id : null };
  }
}
