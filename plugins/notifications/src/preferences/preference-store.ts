import { roles as roleRanks, type PluginDatabase, type Role, type SqlTransaction } from '@valueverse/plugin-sdk';

/** A user's settings: where and when they are reached, and what they opted out of. */
export interface Preferences {
  readonly timeZone: string | null;
  readonly locale: string | null;
  /** Quiet hours ("HH:MM" each, local time), or null for none. */
  readonly quietHours: { readonly start: string; readonly end: string } | null;
  /** Opt-outs and opt-ins: `enabled: false` turns a category off on a channel. */
  readonly channels: readonly { readonly category: string; readonly channel: string; readonly enabled: boolean }[];
}

/** What the plugin knows of a recipient user. */
export interface Contact {
  readonly userId: string;
  readonly email: string | null;
  readonly role: string | null;
  readonly timeZone: string | null;
  readonly locale: string | null;
  readonly quietStart: string | null;
  readonly quietEnd: string | null;
}

interface ContactRow {
  user_id: string;
  email: string | null;
  role: string | null;
  time_zone: string | null;
  locale: string | null;
  quiet_start: string | null;
  quiet_end: string | null;
}

const toContact = (r: ContactRow): Contact => ({
  userId: r.user_id,
  email: r.email,
  role: r.role,
  timeZone: r.time_zone,
  locale: r.locale,
  quietStart: r.quiet_start,
  quietEnd: r.quiet_end,
});

/** Contacts and per-category, per-channel preferences, per tenant. */
export class PreferenceStore {
  constructor(private readonly db: PluginDatabase) {}

  /** Records who a user is (email, role) from their own signed-in request; keeps everything else. */
  async remember(tenantId: string, user: { id: string; email?: string; role: string }): Promise<void> {
    await this.db.transaction(tenantId, (tx) =>
      tx.query(
        `insert into contacts (tenant_id, user_id, email, role) values ($1, $2, $3, $4)
         on conflict (tenant_id, user_id) do update set email = coalesce(excluded.email, contacts.email), role = excluded.role, updated_at = now()
         where contacts.email is distinct from coalesce(excluded.email, contacts.email) or contacts.role is distinct from excluded.role`,
        [tenantId, user.id, user.email ?? null, user.role],
      ),
    );
  }

  async get(tenantId: string, userId: string): Promise<Preferences> {
    return this.db.transaction(tenantId, (tx) => this.read(tx, tenantId, userId));
  }

  async put(tenantId: string, userId: string, prefs: Partial<Preferences>): Promise<Preferences> {
    return this.db.transaction(tenantId, async (tx) => {
      await tx.query('insert into contacts (tenant_id, user_id) values ($1, $2) on conflict do nothing', [tenantId, userId]);
      if (prefs.timeZone !== undefined) await tx.query('update contacts set time_zone = $3 where tenant_id = $1 and user_id = $2', [tenantId, userId, prefs.timeZone]);
      if (prefs.locale !== undefined) await tx.query('update contacts set locale = $3 where tenant_id = $1 and user_id = $2', [tenantId, userId, prefs.locale]);
      if (prefs.quietHours !== undefined) {
        await tx.query('update contacts set quiet_start = $3, quiet_end = $4 where tenant_id = $1 and user_id = $2', [
          tenantId,
          userId,
          prefs.quietHours?.start ?? null,
          prefs.quietHours?.end ?? null,
        ]);
      }
      for (const c of prefs.channels ?? []) await this.setChannel(tx, tenantId, `user:${userId}`, c.category, c.channel, c.enabled);
      return this.read(tx, tenantId, userId);
    });
  }

  /** Turns one category off on one channel for a recipient key (`user:<id>` or `email:<address>`), as an unsubscribe link does. */
  async optOut(tenantId: string, recipient: string, category: string, channel: string): Promise<void> {
    await this.db.transaction(tenantId, (tx) => this.setChannel(tx, tenantId, recipient, category, channel, false));
  }

  /** Contacts by user id. */
  async contacts(tx: SqlTransaction, tenantId: string, userIds: readonly string[]): Promise<Map<string, Contact>> {
    if (userIds.length === 0) return new Map();
    const rows = await tx.query<ContactRow>('select * from contacts where tenant_id = $1 and user_id = any($2::text[])', [tenantId, userIds]);
    return new Map(rows.map((r) => [r.user_id, toContact(r)]));
  }

  /**
   * Users the plugin knows (learned from their requests) with one of `roles` or a stronger one, as a route's
   * `minRole` reads: a rule for tenant admins reaches platform admins too.
   */
  async usersWithRoles(tx: SqlTransaction, tenantId: string, roles: readonly Role[]): Promise<string[]> {
    const weakest = Math.min(...roles.map((r) => roleRanks.indexOf(r)));
    const admitted = roleRanks.slice(Math.max(0, weakest));
    const rows = await tx.query<{ user_id: string }>('select user_id from contacts where tenant_id = $1 and role = any($2::text[])', [tenantId, admitted]);
    return rows.map((r) => r.user_id);
  }

  /** Recipient keys that turned `category` off on `channel`, among `recipients`. */
  async optedOut(tx: SqlTransaction, tenantId: string, recipients: readonly string[], category: string): Promise<Set<string>> {
    const rows = await tx.query<{ user_id: string; channel: string }>(
      "select user_id, channel from preferences where tenant_id = $1 and user_id = any($2::text[]) and category in ($3, '*') and not enabled",
      [tenantId, recipients, category],
    );
    return new Set(rows.map((r) => `${r.user_id}|${r.channel}`));
  }

  private async setChannel(tx: SqlTransaction, tenantId: string, recipient: string, category: string, channel: string, enabled: boolean): Promise<void> {
    await tx.query(
      `insert into preferences (tenant_id, user_id, category, channel, enabled) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, user_id, category, channel) do update set enabled = excluded.enabled`,
      [tenantId, recipient, category, channel, enabled],
    );
  }

  private async read(tx: SqlTransaction, tenantId: string, userId: string): Promise<Preferences> {
    const [contact] = await tx.query<ContactRow>('select * from contacts where tenant_id = $1 and user_id = $2', [tenantId, userId]);
    const rows = await tx.query<{ category: string; channel: string; enabled: boolean }>(
      'select category, channel, enabled from preferences where tenant_id = $1 and user_id = $2 order by category, channel',
      [tenantId, `user:${userId}`],
    );
    return {
      timeZone: contact?.time_zone ?? null,
      locale: contact?.locale ?? null,
      quietHours: contact?.quiet_start && contact.quiet_end ? { start: contact.quiet_start, end: contact.quiet_end } : null,
      channels: rows,
    };
  }
}
