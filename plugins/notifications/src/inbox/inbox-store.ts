import { VvError, decodeCursor, encodeCursor, type PluginDatabase } from '@valueverse/plugin-sdk';

export interface InboxItem {
  readonly id: string;
  readonly category: string;
  readonly title: string;
  readonly body: string;
  readonly link: string | null;
  readonly read: boolean;
  readonly archived: boolean;
  readonly createdAt: string;
}

interface InboxRow {
  id: string;
  category: string;
  title: string;
  body: string;
  link: string | null;
  read_at: Date | null;
  archived_at: Date | null;
  created_at: Date;
}

const toItem = (r: InboxRow): InboxItem => ({
  id: r.id,
  category: r.category,
  title: r.title,
  body: r.body,
  link: r.link,
  read: r.read_at !== null,
  archived: r.archived_at !== null,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Each user's in-app inbox: every query is limited to the tenant (row-level security) and the caller's user id. */
export class InboxStore {
  constructor(private readonly db: PluginDatabase) {}

  async list(
    tenantId: string,
    userId: string,
    query: { limit?: number; cursor?: string; archived?: boolean },
  ): Promise<{ items: InboxItem[]; unreadCount: number; nextCursor: string | null }> {
    const limit = query.limit ?? 30;
    const params: unknown[] = [tenantId, userId, query.archived ?? false];
    let after = '';
    if (query.cursor) {
      const [createdAt, id] = decodeCursor(query.cursor, ['timestamp', 'uuid']);
      params.push(createdAt, id);
      after = 'and (created_at, id) < ($4::timestamptz, $5::uuid)';
    }
    params.push(limit + 1);
    return this.db.transaction(tenantId, async (tx) => {
      const rows = await tx.query<InboxRow>(
        `select * from inbox_items where tenant_id = $1 and user_id = $2 and (archived_at is not null) = $3 ${after}
         order by created_at desc, id desc limit $${params.length}`,
        params,
      );
      const [count] = await tx.query<{ n: string }>('select count(*) as n from inbox_items where tenant_id = $1 and user_id = $2 and read_at is null and archived_at is null', [
        tenantId,
        userId,
      ]);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toItem),
        unreadCount: Number(count!.n),
        nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.created_at).toISOString(), last.id]) : null,
      };
    });
  }

  async markRead(tenantId: string, userId: string, id: string): Promise<InboxItem> {
    return this.update(tenantId, userId, id, 'read_at = coalesce(read_at, now())');
  }

  async archive(tenantId: string, userId: string, id: string): Promise<InboxItem> {
    return this.update(tenantId, userId, id, 'archived_at = coalesce(archived_at, now()), read_at = coalesce(read_at, now())');
  }

  async markAllRead(tenantId: string, userId: string): Promise<number> {
    const rows = await this.db.transaction(tenantId, (tx) =>
      tx.query('update inbox_items set read_at = now() where tenant_id = $1 and user_id = $2 and read_at is null returning id', [tenantId, userId]),
    );
    return rows.length;
  }

  private async update(tenantId: string, userId: string, id: string, set: string): Promise<InboxItem> {
    const [row] = await this.db.transaction(tenantId, (tx) =>
      tx.query<InboxRow>(`update inbox_items set ${set} where tenant_id = $1 and user_id = $2 and id = $3 returning *`, [tenantId, userId, id]),
    );
    // Another user's item answers as a missing one: ids do not reveal other inboxes.
    if (!row) throw new VvError('VV_NOT_FOUND', { params: { reason: `No inbox item ${id}` } });
    return toItem(row);
  }
}
