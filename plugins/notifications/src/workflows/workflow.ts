import type { Role } from '@valueverse/plugin-sdk';

/** The channels a notification can go out on. */
export const channelNames = ['email', 'inbox', 'webhook', 'slack'] as const;
export type ChannelName = (typeof channelNames)[number];

/**
 * Who a workflow notifies: named users, everyone the plugin knows with a role, the object's owner (the event
 * payload's `ownerId`, `createdBy` or `userId`), an external address, or the address in a payload field.
 */
export type RecipientRule =
  | { readonly userId: string }
  /** Users with this role or a stronger one. */
  | { readonly role: Role }
  | { readonly owner: true }
  | { readonly email: string }
  /** The address in the event payload's field of this name (e.g. an invitation's `email`). */
  | { readonly emailFrom: string };

/** A per-tenant rule from platform events to notifications. */
export interface Workflow {
  readonly id: string;
  readonly name: string;
  /** An event name, or a prefix ending in `*` (`billing.*`). */
  readonly eventPattern: string;
  readonly recipients: readonly RecipientRule[];
  readonly channels: readonly ChannelName[];
  /** The template key (see the templates API); first-party keys have built-in defaults. */
  readonly template: string;
  readonly category: string;
  /** Critical notifications ignore preferences, quiet hours, throttles and digests. */
  readonly critical: boolean;
  /** Collect this workflow's notifications per recipient over this many minutes into one digest (0: send at once). */
  readonly digestMinutes: number;
  readonly enabled: boolean;
}

const admins: RecipientRule[] = [{ role: 'tenant-admin' }];

/**
 * The first-party workflows every tenant starts with (tenant admins may edit or delete them). The event names are
 * those the platform's plugins publish: value-executor's `realization.at-risk`, `milestone.missed` and
 * `milestone.achieved`, billing's `billing.invoice.*` and `billing.payment.failed`; and the kernel's platform events
 * `plugin.failed` (each tenant that has the plugin enabled), `auth.lockout` (each tenant of the locked account) and
 * the confidential `tenant.invitation.created` (with the token, for the invitee's email; see docs/notifications.md).
 */
export const defaultWorkflows: readonly Workflow[] = [
  {
    id: 'commitment-at-risk',
    name: 'Commitment at risk',
    eventPattern: 'realization.at-risk',
    recipients: [{ owner: true }, ...admins],
    channels: ['email', 'inbox', 'webhook'],
    template: 'commitment-at-risk',
    category: 'commitments',
    critical: false,
    digestMinutes: 0,
    enabled: true,
  },
  {
    id: 'milestone-missed',
    name: 'Milestone missed',
    eventPattern: 'milestone.missed',
    recipients: [{ owner: true }, ...admins],
    channels: ['email', 'inbox', 'webhook'],
    template: 'milestone-missed',
    category: 'commitments',
    critical: false,
    digestMinutes: 0,
    enabled: true,
  },
  {
    id: 'milestone-achieved',
    name: 'Milestone reached',
    eventPattern: 'milestone.achieved',
    recipients: [{ owner: true }, ...admins],
    channels: ['inbox'],
    template: 'milestone-achieved',
    category: 'commitments',
    critical: false,
    digestMinutes: 0,
    enabled: true,
  },
  {
    id: 'invoice-finalized',
    name: 'Invoice finalized',
    eventPattern: 'billing.invoice.finalized',
    recipients: admins,
    channels: ['email', 'inbox'],
    template: 'invoice-finalized',
    category: 'billing',
    critical: false,
    digestMinutes: 0,
    enabled: true,
  },
  {
    id: 'invoice-paid',
    name: 'Invoice paid',
    eventPattern: 'billing.invoice.paid',
    recipients: admins,
    channels: ['inbox'],
    template: 'invoice-paid',
    category: 'billing',
    critical: false,
    digestMinutes: 0,
    enabled: true,
  },
  {
    id: 'payment-failed',
    name: 'Payment failed',
    eventPattern: 'billing.payment.failed',
    recipients: admins,
    channels: ['email', 'inbox', 'slack'],
    template: 'payment-failed',
    category: 'billing',
    critical: true,
    digestMinutes: 0,
    enabled: true,
  },
  {
    id: 'plugin-failed',
    name: 'Plugin failed',
    eventPattern: 'plugin.failed',
    recipients: admins,
    channels: ['email', 'inbox', 'slack'],
    template: 'plugin-failed',
    category: 'operations',
    critical: true,
    digestMinutes: 0,
    enabled: true,
  },
  {
    id: 'member-invited',
    name: 'Member invited',
    eventPattern: 'tenant.invitation.created',
    recipients: [{ emailFrom: 'email' }],
    channels: ['email'],
    template: 'member-invited',
    category: 'account',
    critical: true,
    digestMinutes: 0,
    enabled: true,
  },
  {
    id: 'auth-lockout',
    name: 'Sign-in locked',
    eventPattern: 'auth.lockout',
    // The account holder (the payload's userId) and the tenant's admins.
    recipients: [{ owner: true }, ...admins],
    channels: ['email', 'inbox'],
    template: 'auth-lockout',
    category: 'security',
    critical: true,
    digestMinutes: 0,
    enabled: true,
  },
];
