import { createHash } from 'node:crypto';
import type { EventEnvelope } from '@valueverse/plugin-sdk';
import type { KernelLogger } from '../observability/kernel-logger';
import type { KernelStore } from '../tenancy/kernel-store';
import { KERNEL_EVENT_SOURCE, type InProcessEventBus } from './in-process-event-bus';

/** A member was invited to a tenant (no token: that goes only in the confidential `tenant.invitation.created`). */
export const MEMBER_INVITED_EVENT = 'tenant.member.invited';
/** An account was locked after repeated failed sign-ins; published in each tenant the account is a member of. */
export const LOCKOUT_EVENT = 'auth.lockout';
/** A plugin failed (or is blocked by one that failed); published in each tenant that has it enabled. */
export const PLUGIN_FAILED_EVENT = 'plugin.failed';

/** Payload of `tenant.member.invited`. */
export interface MemberInvitedPayload {
  readonly invitationId: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly email: string;
  readonly role: string;
  /** User id of the admin who invited. */
  readonly invitedBy: string;
  readonly expiresAt: string;
}

/** Payload of a tenant's `auth.lockout` (the client address stays in the platform audit log). */
export interface TenantLockoutPayload {
  readonly tenantId: string;
  readonly userId: string;
  readonly email: string;
  readonly factor: string;
  readonly failures: number;
  readonly lockedUntil: string;
  readonly retryAfterSeconds: number;
}

/** Payload of `plugin.failed`. */
export interface PluginFailedPayload {
  readonly tenantId: string;
  readonly pluginId: string;
  readonly version: string;
  /** `failed` (its own setup or start failed) or `blocked` (a plugin it requires failed). */
  readonly state: 'failed' | 'blocked';
  readonly code: string;
  readonly reason: string;
}

/** The window in which the same failure reported by several instances (hosts and workers booting) is one event. */
const FAILURE_WINDOW_MS = 60 * 60_000;

/**
 * Platform events that plugins may subscribe to (`PLUGIN_VISIBLE_KERNEL_EVENTS`), published by the kernel in the
 * tenant they concern so that the tenant's plugin set, and the subscribing plugin's `events.subscribe` permission,
 * decide who sees them. Payloads carry ids and what a notification says, never a credential: an invitation's token
 * only travels in the confidential `tenant.invitation.created`.
 */
export class PlatformEvents {
  constructor(
    private readonly deps: {
      readonly events: InProcessEventBus;
      readonly store: Pick<KernelStore, 'listMemberships' | 'listTenantsWithPlugin'>;
      readonly logger: KernelLogger;
      readonly now?: () => number;
    },
  ) {}

  async memberInvited(payload: MemberInvitedPayload): Promise<void> {
    await this.deps.events.publishKernelEvent(MEMBER_INVITED_EVENT, payload.tenantId, payload);
  }

  /** An account lockout, in every tenant of the account (a lockout of an address or an unknown email concerns no tenant). */
  async lockout(notice: {
    readonly userId: string | null;
    readonly email: string;
    readonly factor: string;
    readonly failures: number;
    readonly lockedUntil: string;
    readonly retryAfterSeconds: number;
  }): Promise<void> {
    if (!notice.userId) return;
    const userId = notice.userId;
    const memberships = await this.deps.store.listMemberships(userId);
    await Promise.all(
      memberships.map((m) =>
        this.deps.events.publishKernelEvent(LOCKOUT_EVENT, m.tenantId, {
          tenantId: m.tenantId,
          userId,
          email: notice.email,
          factor: notice.factor,
          failures: notice.failures,
          lockedUntil: notice.lockedUntil,
          retryAfterSeconds: notice.retryAfterSeconds,
        } satisfies TenantLockoutPayload),
      ),
    );
  }

  /**
   * A failed or blocked plugin, in every tenant that has it enabled. Every instance that loads the plugin fails it
   * on its own (hosts and workers at boot), so the event id is derived from the failure and the hour: the same
   * failure reported by several instances within the hour is one event (a subscriber keying on the id acts once).
   */
  async pluginFailed(failure: {
    readonly pluginId: string;
    readonly version: string;
    readonly state: 'failed' | 'blocked';
    readonly code: string;
    readonly reason: string;
  }): Promise<void> {
    let tenants: string[];
    try {
      tenants = await this.deps.store.listTenantsWithPlugin(failure.pluginId);
    } catch (error) {
      this.deps.logger.warn({ err: error, plugin: failure.pluginId }, 'plugin.failed: listing the tenants of the plugin failed; no event published');
      return;
    }
    const bucket = Math.floor((this.deps.now?.() ?? Date.now()) / FAILURE_WINDOW_MS);
    await Promise.all(
      tenants.map((tenantId) => {
        const payload: PluginFailedPayload = { tenantId, ...failure };
        const envelope: EventEnvelope = {
          id: stableId(`${PLUGIN_FAILED_EVENT}|${tenantId}|${failure.pluginId}|${failure.version}|${failure.state}|${failure.code}|${failure.reason}|${bucket}`),
          name: PLUGIN_FAILED_EVENT,
          tenantId,
          source: KERNEL_EVENT_SOURCE,
          occurredAt: new Date().toISOString(),
          payload,
        };
        return this.deps.events.publish(envelope);
      }),
    );
  }
}

/** A UUID-shaped id that is the same for the same input (SHA-256, version nibble 5 as in RFC 9562's name-based ids). */
function stableId(input: string): string {
  const h = createHash('sha256').update(input).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
