// The billing plugin's contract: the events it publishes, for notification plugins and other subscribers.

export const billingEvents = {
  invoiceFinalized: 'billing.invoice.finalized',
  subscriptionStarted: 'billing.subscription.started',
  subscriptionEnded: 'billing.subscription.ended',
} as const;

export type { Charge, ChargeModelName, PriceTier, UsageQuantity, PricedPlan } from './pricing/charge-model';
export type { Quote, QuoteLine, QuoteTier } from './pricing/quote-plan';
