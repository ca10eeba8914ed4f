import { createServiceRef } from '@valueverse/plugin-sdk';

// The billing plugin's contract: the events it publishes, for notification plugins and other subscribers.

export const billingEvents = {
  invoiceFinalized: 'billing.invoice.finalized',
  invoicePaid: 'billing.invoice.paid',
  paymentFailed: 'billing.payment.failed',
  subscriptionStarted: 'billing.subscription.started',
  subscriptionEnded: 'billing.subscription.ended',
  /** A customer's usage of a metric reached a configured threshold (`usageThresholds`) in the period; once per threshold and period. */
  usageThresholdCrossed: 'billing.usage.threshold_crossed',
} as const;

export type { Charge, ChargeModelName, PriceTier, UsageQuantity, PricedPlan } from './pricing/charge-model';
export type { Quote, QuoteLine, QuoteTier } from './pricing/quote-plan';

/**
 * Stripe webhook handling, for whatever receives Stripe's deliveries for a tenant: verifies the signature over the
 * raw body with the tenant's webhook secret, applies each event id once, in any order.
 */
export interface BillingPaymentsService {
  handleStripeWebhook(tenantId: string, rawBody: string | Buffer, signature: string | undefined): Promise<{ received: true; duplicate: boolean }>;
}

export const billingPaymentsRef = createServiceRef<BillingPaymentsService>({ id: 'billing-payments' });
