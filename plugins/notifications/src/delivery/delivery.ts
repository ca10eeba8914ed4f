import type { ChannelName } from '../workflows/workflow';

/** Every state a delivery row can be in (the delivery log's `status` filter, and the API's schema). */
export const deliveryStatuses = ['queued', 'sending', 'sent', 'failed', 'dead', 'suppressed', 'held', 'digested'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** What is sent: rendered once when the delivery is created, so a retry sends the same message. */
export interface DeliveryContent {
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Email: the address; webhook: the recipient's user id or address. */
  readonly to?: string;
  readonly link?: string;
  readonly unsubscribeUrl?: string;
  /** The event payload or send data, for webhooks. */
  readonly data?: unknown;
  readonly eventName?: string;
  /** The message carries a credential (an invitation's token): sealed at rest, and its text dropped once it is sent. */
  readonly confidential?: boolean;
  /** A confidential message's text, HTML, link and data, sealed with `core.secrets` (sealed-content.ts). */
  readonly sealed?: string;
}

/** One try, in the delivery's attempt log. */
export interface DeliveryAttempt {
  readonly at: string;
  readonly ok: boolean;
  /** The provider's answer or the error. */
  readonly response: string;
  /** Email: which SMTP server carried (or refused) it. */
  readonly server?: 'primary' | 'fallback';
  readonly host?: string;
}

/** A delivery as the API shows it. */
export interface Delivery {
  readonly id: string;
  readonly eventId: string;
  readonly recipient: string;
  readonly channel: ChannelName;
  readonly category: string;
  readonly critical: boolean;
  readonly status: DeliveryStatus;
  readonly reason: string | null;
  readonly subject: string;
  readonly attempts: readonly DeliveryAttempt[];
  readonly releaseAt: string | null;
  readonly digestId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DeliveryRow {
  id: string;
  event_id: string;
  recipient: string;
  channel: ChannelName;
  category: string;
  critical: boolean;
  status: DeliveryStatus;
  reason: string | null;
  content: DeliveryContent;
  attempts: DeliveryAttempt[];
  release_at: Date | null;
  digest_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  eventId: r.event_id,
  recipient: r.recipient,
  channel: r.channel,
  category: r.category,
  critical: r.critical,
  status: r.status,
  reason: r.reason,
  subject: r.content.subject,
  attempts: r.attempts,
  releaseAt: r.release_at ? new Date(r.release_at).toISOString() : null,
  digestId: r.digest_id,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});
