import type { Role } from '@valueverse/plugin-sdk';

/** An invitation of an email address to a tenant role. Only the token's SHA-256 is kept. */
export interface InvitationRecord {
  readonly id: string;
  readonly tenantId: string;
  /** Lower case. */
  readonly email: string;
  readonly role: Role;
  readonly tokenHash: string;
  /** The user id (or `apikey:<id>`) that invited. */
  readonly invitedBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly acceptedAt: string | null;
  readonly acceptedBy: string | null;
  readonly revokedAt: string | null;
}

export type NewInvitation = Omit<InvitationRecord, 'createdAt' | 'acceptedAt' | 'acceptedBy' | 'revokedAt'>;

/** Where invitations live: `kernel.invitations` on PostgreSQL (`PostgresInvitationStore`), or memory. */
export interface InvitationStore {
  /**
   * Stores the pending invitation of (tenant, email), replacing the token, role, inviter and expiry of one that is
   * already pending (its id stays), so one address never holds two live tokens for one tenant.
   */
  savePending(invitation: NewInvitation): Promise<InvitationRecord>;
  /** Pending (not accepted, not revoked) invitations of a tenant, expired ones included, newest first. */
  listPending(tenantId: string): Promise<InvitationRecord[]>;
  findByTokenHash(tokenHash: string): Promise<InvitationRecord | undefined>;
  /** Marks a pending, unexpired invitation accepted; false when it was not (any more). */
  markAccepted(id: string, userId: string): Promise<boolean>;
  /** Revokes a pending invitation of the tenant; false when there is none with this id. */
  revoke(tenantId: string, id: string): Promise<boolean>;
}

const isPending = (i: InvitationRecord) => i.acceptedAt === null && i.revokedAt === null;

/** `InvitationStore` in memory (tests and the SDK harness); the same semantics as the PostgreSQL one. */
export class MemoryInvitationStore implements InvitationStore {
  private readonly byId = new Map<string, InvitationRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async savePending(invitation: NewInvitation): Promise<InvitationRecord> {
    const email = invitation.email.toLowerCase();
    const existing = [...this.byId.values()].find((i) => i.tenantId === invitation.tenantId && i.email === email && isPending(i));
    const record: InvitationRecord = {
      ...invitation,
      id: existing?.id ?? invitation.id,
      email,
      createdAt: this.now().toISOString(),
      acceptedAt: null,
      acceptedBy: null,
      revokedAt: null,
    };
    this.byId.set(record.id, record);
    return record;
  }

  async listPending(tenantId: string): Promise<InvitationRecord[]> {
    return [...this.byId.values()].filter((i) => i.tenantId === tenantId && isPending(i)).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  async findByTokenHash(tokenHash: string): Promise<InvitationRecord | undefined> {
    return [...this.byId.values()].find((i) => i.tokenHash === tokenHash);
  }

  async markAccepted(id: string, userId: string): Promise<boolean> {
    const found = this.byId.get(id);
    const now = this.now();
    if (!found || !isPending(found) || new Date(found.expiresAt) <= now) return false;
    this.byId.set(id, { ...found, acceptedAt: now.toISOString(), acceptedBy: userId });
    return true;
  }

  async revoke(tenantId: string, id: string): Promise<boolean> {
    const found = this.byId.get(id);
    if (!found || found.tenantId !== tenantId || !isPending(found)) return false;
    this.byId.set(id, { ...found, revokedAt: this.now().toISOString() });
    return true;
  }
}
