import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { VvError, type Role } from '@valueverse/plugin-sdk';
import { attemptKeys, type AttemptThrottle } from './attempt-throttle';
import type { PasswordHasher } from './password-hasher';
import type { Auditor } from '../audit/auditor';
import type { PlatformEvents } from '../events/platform-events';
import type { InProcessEventBus } from '../events/in-process-event-bus';
import type { KernelStore, TenantRecord } from '../tenancy/kernel-store';
import { quotaOf } from '../tenancy/tenant-quota';
import type { InvitationRecord, InvitationStore } from './invitation-store';

/** How long an invitation can be accepted. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;

/** The kernel event that carries a new invitation's token to whatever delivers it (a notification plugin, email). */
export const INVITATION_EVENT = 'tenant.invitation.created';

/** Where the invitee sends the token. */
export const INVITATION_ACCEPT_PATH = '/api/v1/auth/invitations/accept';

/** What admins see of an invitation: never the token or its hash. */
export interface PublicInvitation {
  readonly id: string;
  readonly tenantId: string;
  readonly email: string;
  readonly role: Role;
  readonly invitedBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** The payload of `tenant.invitation.created`: everything a notification needs, the token included. */
export interface InvitationEventPayload extends PublicInvitation {
  readonly tenantName: string;
  readonly token: string;
  readonly acceptPath: string;
}

export const publicInvitation = (i: InvitationRecord): PublicInvitation => ({
  id: i.id,
  tenantId: i.tenantId,
  email: i.email,
  role: i.role,
  invitedBy: i.invitedBy,
  createdAt: i.createdAt,
  expiresAt: i.expiresAt,
});

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** One answer for every invitation that cannot be accepted: unknown, used, revoked, expired or of a deleted tenant. */
const unusable = () => new VvError('VV_NOT_FOUND', { params: { reason: 'This invitation does not exist, was already used, was withdrawn or has expired' } });

/**
 * Invitations (issue #10, finding 8): a tenant admin who adds someone by email invites them instead of adding
 * their account, so nobody becomes a member of a tenant without consent, and the answer to the admin is the same
 * whether the address has an account or not (it reveals nothing about other tenants' users).
 *
 * The token goes out only in the `tenant.invitation.created` kernel event, which the bus delivers to subscribers
 * that ask for confidential events (never to event streams, see `CONFIDENTIAL_KERNEL_EVENTS`); it is never in an
 * API response, an audit entry or a log line. Whoever holds it accepts: a new address chooses its password, an
 * existing account confirms with its own password, and only then does the membership exist.
 */
/** What the request says of its client (the address the throttle counts). */
type RequestContext = Parameters<Auditor['record']>[1];

export class InvitationService {
  constructor(
    private readonly deps: {
      readonly store: KernelStore;
      readonly invitations: InvitationStore;
      readonly events: InProcessEventBus;
      /** Publishes `tenant.member.invited` (no token) for plugins. */
      readonly platformEvents?: PlatformEvents;
      readonly passwords: PasswordHasher;
      /** Counts wrong passwords of existing accounts as sign-in failures (the same lockout as the sign-in route). */
      readonly throttle?: AttemptThrottle;
      readonly now?: () => number;
    },
  ) {}

  /** Creates (or renews) the pending invitation of `email` to `tenant` and publishes its token. */
  async invite(tenant: TenantRecord, email: string, role: Role, invitedBy: string): Promise<PublicInvitation> {
    const token = `vvi_${randomBytes(32).toString('base64url')}`;
    const now = this.deps.now?.() ?? Date.now();
    const record = await this.deps.invitations.savePending({
      id: `inv-${randomUUID()}`,
      tenantId: tenant.id,
      email: email.toLowerCase(),
      role,
      tokenHash: hashToken(token),
      invitedBy,
      expiresAt: new Date(now + INVITATION_TTL_MS).toISOString(),
    });
    const invitation = publicInvitation(record);
    const payload: InvitationEventPayload = { ...invitation, tenantName: tenant.name, token, acceptPath: INVITATION_ACCEPT_PATH };
    await this.deps.events.publishKernelEvent(INVITATION_EVENT, tenant.id, payload);
    await this.deps.platformEvents?.memberInvited({
      invitationId: invitation.id,
      tenantId: tenant.id,
      tenantName: tenant.name,
      email: invitation.email,
      role: invitation.role,
      invitedBy: invitation.invitedBy,
      expiresAt: invitation.expiresAt,
    });
    return invitation;
  }

  /**
   * Accepts with the token: creates the account of a new address with `password`, or checks the existing account's
   * own password (its owner's consent), then makes the membership.
   *
   * @throws VvError `VV_NOT_FOUND` for any invitation that cannot be used; `VV_VALIDATION` when a new address sends
   *   no password; `VV_UNAUTHENTICATED` when an existing account's password is missing or wrong
   */
  async accept(
    token: string,
    password: string | undefined,
    ctx?: RequestContext,
  ): Promise<{ invitation: InvitationRecord; userId: string; email: string; role: Role; created: boolean }> {
    const invitation = await this.deps.invitations.findByTokenHash(hashToken(token));
    const now = this.deps.now?.() ?? Date.now();
    if (!invitation || invitation.acceptedAt || invitation.revokedAt || new Date(invitation.expiresAt).getTime() <= now) throw unusable();
    const tenant = await this.deps.store.getTenant(invitation.tenantId);
    if (!tenant || tenant.status !== 'active') throw unusable();
    const members = await this.deps.store.listTenantMembers(tenant.id);
    const limit = quotaOf(tenant.settings, 'maxUsers');
    let user = await this.deps.store.findUserByEmail(invitation.email);
    const current = user && members.find((m) => m.userId === user!.id);
    if (!current && limit !== undefined && members.length >= limit) throw new VvError('VV_QUOTA_EXCEEDED', { params: { tenant: tenant.id, limit, what: 'users' } });
    const created = user === undefined;
    if (user) {
      // A password check like sign-in's, so it is throttled like sign-in (issue #10, finding 3): not a second oracle.
      const keys = attemptKeys(user.id, user.email, ctx?.ip ?? '');
      await this.deps.throttle?.check(keys);
      if (password === undefined || !(await this.deps.passwords.verify(password, user.passwordHash))) {
        if (password !== undefined)
          await this.deps.throttle?.fail(keys, { factor: 'password', action: 'auth.sign-in-failed', userId: user.id, email: user.email.toLowerCase() }, ctx);
        throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'An account with this email exists: send its password to accept the invitation' } });
      }
      await this.deps.throttle?.succeed(keys);
    } else {
      if (password === undefined) throw VvError.validation([{ pointer: '/password', message: 'choose a password (at least 12 characters) for the new account' }]);
      user = await this.deps.store.createUser({ id: `u-${randomUUID()}`, email: invitation.email, passwordHash: await this.deps.passwords.hash(password), platformAdmin: false });
    }
    // A member already (added by a platform admin meanwhile) keeps the role they have.
    const role = current?.role ?? invitation.role;
    if (!current) await this.deps.store.setMembership({ userId: user.id, tenantId: tenant.id, role });
    // After the membership: a failure above leaves the invitation usable for a retry. Two concurrent accepts both
    // end with the one membership; only the first marks it.
    await this.deps.invitations.markAccepted(invitation.id, user.id);
    return { invitation, userId: user.id, email: user.email, role, created };
  }
}
