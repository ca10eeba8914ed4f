import { VvError } from '@valueverse/plugin-sdk';
import type { Charge, PriceTier, UsageQuantity } from './charge-model';
import { Money, money } from './decimal-money';

/** What one tier contributed to a tiered charge. */
export interface TierBreakdown {
  readonly upTo: number | null;
  readonly units: string;
  readonly unitAmount: string;
  readonly flatAmount: string;
  /** Exact amount of the tier (major units); the line, not the tier, is rounded. */
  readonly amount: Money;
}

/** The exact (unrounded) price of one charge for a period's usage. */
export interface PricedCharge {
  /** The quantity the charge was priced on (for percentage: the summed amount). */
  readonly quantity: string;
  readonly amount: Money;
  readonly tiers?: readonly TierBreakdown[];
}

const zero = money(0);

function bad(pointer: string, message: string): VvError {
  return VvError.validation([{ pointer, message, in: 'body' }]);
}

/** Tiers must rise strictly and end open; anything else has no single reading. */
export function checkTiers(tiers: readonly PriceTier[], pointer: string): void {
  if (tiers.length === 0) throw bad(pointer, 'needs at least one tier');
  let previous = -Infinity;
  for (const [index, tier] of tiers.entries()) {
    const last = index === tiers.length - 1;
    if (last && tier.upTo !== null) throw bad(`${pointer}/${index}/upTo`, 'the last tier must be open-ended (null)');
    if (!last && tier.upTo === null) throw bad(`${pointer}/${index}/upTo`, 'only the last tier may be open-ended');
    if (tier.upTo !== null) {
      if (!(tier.upTo > previous)) throw bad(`${pointer}/${index}/upTo`, 'must be greater than the previous tier');
      previous = tier.upTo;
    }
  }
}

function graduated(quantity: Money, tiers: readonly PriceTier[]): PricedCharge {
  const breakdown: TierBreakdown[] = [];
  let floor = zero;
  let amount = zero;
  for (const tier of tiers) {
    if (!quantity.gt(floor)) break;
    const ceiling = tier.upTo === null ? quantity : Money.min(quantity, money(tier.upTo));
    const units = ceiling.minus(floor);
    // The flat amount is charged once, when usage enters the tier (Stripe's graduated flat_amount).
    const flat = money(tier.flatAmount ?? '0');
    const tierAmount = units.times(money(tier.unitAmount)).plus(flat);
    breakdown.push({ upTo: tier.upTo, units: units.toString(), unitAmount: tier.unitAmount, flatAmount: flat.toString(), amount: tierAmount });
    amount = amount.plus(tierAmount);
    if (tier.upTo === null) break;
    floor = money(tier.upTo);
  }
  return { quantity: quantity.toString(), amount, tiers: breakdown };
}

function volume(quantity: Money, tiers: readonly PriceTier[]): PricedCharge {
  // No usage, no charge: a volume tier's flat amount is for usage that falls in it.
  if (quantity.isZero()) return { quantity: '0', amount: zero, tiers: [] };
  const tier = tiers.find((t) => t.upTo === null || quantity.lte(t.upTo)) ?? tiers[tiers.length - 1]!;
  const flat = money(tier.flatAmount ?? '0');
  const amount = quantity.times(money(tier.unitAmount)).plus(flat);
  return { quantity: quantity.toString(), amount, tiers: [{ upTo: tier.upTo, units: quantity.toString(), unitAmount: tier.unitAmount, flatAmount: flat.toString(), amount }] };
}

function quantityOf(usage: UsageQuantity | undefined, pointer: string): Money {
  if (usage === undefined) return zero;
  if (typeof usage === 'object') throw bad(pointer, 'must be a quantity (a number or decimal string); {sum, count} is for percentage charges');
  const quantity = money(usage);
  if (quantity.isNegative()) throw bad(pointer, 'must not be negative');
  return quantity;
}

/**
 * Prices one charge exactly. `pointer` names the usage entry in errors (`/usage/api_calls`).
 *
 * @throws VvError `VV_VALIDATION` for usage of the wrong shape or tiers that do not rise and end open
 */
export function priceCharge(charge: Charge, usage: UsageQuantity | undefined, pointer: string): PricedCharge {
  switch (charge.model) {
    case 'standard': {
      const quantity = quantityOf(usage, pointer);
      return { quantity: quantity.toString(), amount: quantity.times(money(charge.properties.unitAmount)) };
    }
    case 'graduated':
      return graduated(quantityOf(usage, pointer), charge.properties.tiers);
    case 'volume':
      return volume(quantityOf(usage, pointer), charge.properties.tiers);
    case 'package': {
      const quantity = quantityOf(usage, pointer);
      const { packageSize, amount, freeUnits = 0 } = charge.properties;
      // Whole packages, rounded up, after the free units (Lago's package model).
      const billable = Money.max(quantity.minus(freeUnits), zero);
      const packages = billable.div(packageSize).ceil();
      return { quantity: quantity.toString(), amount: packages.times(money(amount)) };
    }
    case 'outcome': {
      // A share of the value realized, never below zero (a period that lost ground owes nothing), at most the cap.
      if (typeof usage === 'object') throw bad(pointer, 'an outcome charge takes the value realized (a number or decimal string)');
      const realized = usage === undefined ? zero : Money.max(money(usage), zero);
      const share = realized.times(money(charge.properties.rate));
      const cap = charge.properties.cap;
      return { quantity: realized.toString(), amount: cap === undefined ? share : Money.min(share, money(cap)) };
    }
    case 'percentage': {
      if (usage !== undefined && typeof usage !== 'object') throw bad(pointer, 'a percentage charge needs {sum, count}: the summed amount and the number of events');
      const sum = money(usage?.sum ?? 0);
      const count = usage?.count ?? 0;
      if (sum.isNegative() || count < 0) throw bad(pointer, 'must not be negative');
      const { rate, fixedAmount = '0', freeUnits = 0 } = charge.properties;
      const fees = money(Math.max(count - freeUnits, 0)).times(money(fixedAmount));
      return { quantity: sum.toString(), amount: sum.times(money(rate)).plus(fees) };
    }
  }
}
