export { plugin, createBillingPlugin, type BillingOptions } from './plugin';
export { billingEvents, billingPaymentsRef, type BillingPaymentsService } from './billing-api';
export type { Charge, ChargeModelName, PriceTier, UsageQuantity, PricedPlan, Quote, QuoteLine, QuoteTier } from './billing-api';
