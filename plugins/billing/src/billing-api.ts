// The billing plugin's contract: the events it publishes, for notification plugins and other subscribers.

export const billingEvents = {
  invoiceFinalized: 'billing.invoice.finalized',
  invoicePaid: 'billing.invoice.paid',
  paymentFailed: 'billing.payment.failed',
  usageThresholdCrossed: 'billing.usage.threshold_crossed',
} as const;

export type { Charge, ChargeModelName, PriceTier, UsageQuantity, PricedPlan } from './pricing/charge-model';
export type { Quote, QuoteLine, QuoteTier } from './pricing/quote-plan';
