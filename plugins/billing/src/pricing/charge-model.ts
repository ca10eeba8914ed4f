/** One tier, Stripe's inclusive semantics: it holds the units above the previous tier's `upTo` up to and including its own. */
export interface PriceTier {
  /** Upper bound (inclusive); `null` on the last, open-ended tier. */
  readonly upTo: number | null;
  /** Decimal string in major units per unit. */
  readonly unitAmount: string;
  /** Decimal string in major units, charged once for the tier (graduated: when usage enters it; volume: when the total falls in it). */
  readonly flatAmount?: string;
}

export interface StandardProperties {
  readonly unitAmount: string;
}

export interface TieredProperties {
  readonly tiers: readonly PriceTier[];
}

export interface PackageProperties {
  readonly packageSize: number;
  /** Price of one package (decimal string, major units). */
  readonly amount: string;
  readonly freeUnits?: number;
}

export interface PercentageProperties {
  /** Decimal fraction of the summed amount: `"0.02"` is 2 %. */
  readonly rate: string;
  /** Charged per event (decimal string, major units). */
  readonly fixedAmount?: string;
  /** Events free of the fixed amount. */
  readonly freeUnits?: number;
}

/**
 * A share of the value the vendor realized for the customer in the period (from value-executor): of one
 * commitment's value (`commitmentId`), or of a value metric (`metric`, e.g. `dollars_saved`; with `commitmentId`,
 * that commitment's only). No model of Stripe, Lago or OpenMeter prices outcomes.
 */
export interface OutcomeProperties {
  readonly commitmentId?: string;
  readonly metric?: string;
  /** Decimal fraction of the value realized: `"0.1"` is 10 %. */
  readonly rate: string;
  /** Most the charge may come to in a period (decimal string, major units). */
  readonly cap?: string;
}

/** A usage charge of a plan: how one metric's quantity in a period becomes money. */
export type Charge =
  | { readonly metric: string; readonly model: 'standard'; readonly properties: StandardProperties }
  | { readonly metric: string; readonly model: 'graduated'; readonly properties: TieredProperties }
  | { readonly metric: string; readonly model: 'volume'; readonly properties: TieredProperties }
  | { readonly metric: string; readonly model: 'package'; readonly properties: PackageProperties }
  | { readonly metric: string; readonly model: 'percentage'; readonly properties: PercentageProperties }
  /** `metric` names the invoice line (it is no billable metric: the quantity is the value realized). */
  | { readonly metric: string; readonly model: 'outcome'; readonly properties: OutcomeProperties };

export type ChargeModelName = Charge['model'];

/**
 * A metric's value over a period: a quantity, or for percentage charges the summed amount and the number of events;
 * for outcome charges the value realized (major units of the plan's currency).
 */
export type UsageQuantity = number | string | { readonly sum: number | string; readonly count: number };

/** The plan fields pricing reads (the stored plan has more). */
export interface PricedPlan {
  readonly currency: string;
  /** The recurring fee (decimal string, major units). */
  readonly amount: string;
  readonly charges: readonly Charge[];
}
