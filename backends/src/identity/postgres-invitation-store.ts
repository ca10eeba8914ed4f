import type { Role } from '@valueverse/plugin-sdk';
import type { Database, InvitationRecord, InvitationStore } from '@valueverse/kernel';
import type { NewInvitation } from '@valueverse/kernel/backend';

// Raw SQL on kernel.invitations (created by kernel_0006_invitations, run by the kernel store's init()).

interface InvitationRow {
  id: string;
  tenant_id: string;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  revoked_at: string | null;
}

const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string).toISOString());

const toInvitation = (r: InvitationRow): InvitationRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  email: r.email,
  role: r.role,
  tokenHash: r.token_hash,
  invitedBy: r.invited_by,
  createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at)!,
  acceptedAt: iso(r.accepted_at),
  acceptedBy: r.accepted_by,
  revokedAt: iso(r.revoked_at),
});

export class PostgresInvitationStore implements InvitationStore {
  constructor(private readonly db: Database) {}

  async savePending(i: NewInvitation): Promise<InvitationRecord> {
    // One statement: the partial unique index on pending (tenant, email) turns a second invitation into an update of
    // the first, also when two admins invite the same address at once.
    const rows = await this.db.execute<InvitationRow>(
      `insert into kernel.invitations (id, tenant_id, email, role, token_hash, invited_by, expires_at)
       values ($1, $2, lower($3), $4, $5, $6, $7)
       on conflict (tenant_id, lower(email)) where accepted_at is null and revoked_at is null
       do update set role = excluded.role, token_hash = excluded.token_hash, invited_by = excluded.invited_by,
         created_at = now(), expires_at = excluded.expires_at
       returning *`,
      [i.id, i.tenantId, i.email, i.role, i.tokenHash, i.invitedBy, i.expiresAt],
    );
    return toInvitation(rows[0]!);
  }

  async listPending(tenantId: string): Promise<InvitationRecord[]> {
    const rows = await this.db.execute<InvitationRow>(
      'select * from kernel.invitations where tenant_id = $1 and accepted_at is null and revoked_at is null order by created_at desc, id desc',
      [tenantId],
    );
    return rows.map(toInvitation);
  }

  async findByTokenHash(tokenHash: string): Promise<InvitationRecord | undefined> {
    const rows = await this.db.execute<InvitationRow>('select * from kernel.invitations where token_hash = $1', [tokenHash]);
    return rows[0] ? toInvitation(rows[0]) : undefined;
  }

  async markAccepted(id: string, userId: string): Promise<boolean> {
    const rows = await this.db.execute(
      'update kernel.invitations set accepted_at = now(), accepted_by = $2 where id = $1 and accepted_at is null and revoked_at is null and expires_at > now() returning id',
      [id, userId],
    );
    return rows.length === 1;
  }

  async revoke(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.db.execute(
      'update kernel.invitations set revoked_at = now() where id = $1 and tenant_id = $2 and accepted_at is null and revoked_at is null returning id',
      [id, tenantId],
    );
    return rows.length === 1;
  }
}
