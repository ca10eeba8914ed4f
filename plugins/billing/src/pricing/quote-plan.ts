import type { PricedPlan, UsageQuantity } from './charge-model';
import { money, toMinorUnits, type Money } from './decimal-money';
import { priceCharge } from './price-charge';

export interface QuoteTier {
  readonly upTo: number | null;
  readonly units: string;
  readonly unitAmount: string;
  readonly flatAmount: string;
  /** The tier's part, rounded on its own for display; the line is rounded from the exact sum. */
  readonly amountCents: number;
}

export interface QuoteLine {
  readonly kind: 'base' | 'usage';
  readonly metric?: string;
  readonly model?: string;
  readonly quantity: string;
  readonly amountCents: number;
  readonly tiers?: readonly QuoteTier[];
}

export interface Quote {
  readonly currency: string;
  readonly lines: readonly QuoteLine[];
  readonly subtotalCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
}

export interface QuoteOptions {
  /** Decimal fraction (`"0.2"` is 20 %), applied to the subtotal. */
  readonly taxRate?: string;
  /** Share of the recurring fee to bill (proration, trials); 1 by default, 0 leaves the base line out. */
  readonly baseFactor?: Money;
}

/**
 * Prices a plan for a period's usage: the recurring fee, then each charge in plan order. Every line is rounded to the
 * currency's minor unit half away from zero, and totals are sums of rounded lines, so a quote and the invoice made
 * from the same figures agree to the cent.
 */
export function quotePlan(plan: PricedPlan, usage: Readonly<Record<string, UsageQuantity>>, options: QuoteOptions = {}): Quote {
  const { currency } = plan;
  const lines: QuoteLine[] = [];
  const baseFactor = options.baseFactor ?? money(1);
  if (!baseFactor.isZero()) lines.push({ kind: 'base', quantity: baseFactor.toString(), amountCents: toMinorUnits(money(plan.amount).times(baseFactor), currency) });
  for (const charge of plan.charges) {
    const priced = priceCharge(charge, usage[charge.metric], `/usage/${charge.metric}`);
    lines.push({
      kind: 'usage',
      metric: charge.metric,
      model: charge.model,
      quantity: priced.quantity,
      amountCents: toMinorUnits(priced.amount, currency),
      ...(priced.tiers && {
        tiers: priced.tiers.map((t) => ({ upTo: t.upTo, units: t.units, unitAmount: t.unitAmount, flatAmount: t.flatAmount, amountCents: toMinorUnits(t.amount, currency) })),
      }),
    });
  }
  const subtotalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const taxCents = taxOf(subtotalCents, options.taxRate);
  return { currency, lines, subtotalCents, taxCents, totalCents: subtotalCents + taxCents };
}

/** Tax on a subtotal in minor units, rounded half away from zero. */
export function taxOf(subtotalCents: number, taxRate: string | undefined): number {
  if (!taxRate) return 0;
  return money(subtotalCents).times(money(taxRate)).toDecimalPlaces(0).toNumber();
}
