import Decimal from 'decimal.js';

// A private Decimal constructor: 40 significant digits hold any price (12 decimals) times any quantity a period can
// reach without rounding, and ROUND_HALF_UP is decimal.js's "half away from zero" (its ROUND_HALF_CEIL is the one
// that rounds towards +∞). Configuring a clone leaves the global Decimal of other packages alone.
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;

/** A decimal string in major units (`"49.00"`, `"0.0004"`) or a finite number, as exact decimal. */
export function money(value: string | number): Money {
  return new Money(value);
}

const minorUnitsCache = new Map<string, number>();

/**
 * Digits after the decimal point in the currency's minor unit (ISO 4217: USD 2, JPY 0, KWD 3), from the runtime's
 * ICU data, so no table of currencies is kept here.
 */
export function minorUnitDigits(currency: string): number {
  let digits = minorUnitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorUnitsCache.set(currency, digits);
  }
  return digits;
}

/**
 * Major-unit amount → integer minor units, rounded half away from zero (`"0.015"` USD → 2 cents, where the binary
 * double 0.015 is 0.01499999… and `(0.015).toFixed(2)` gives "0.01"; `"1.005"` → 101, where `Math.round(1.005 * 100)`
 * gives 100).
 */
export function toMinorUnits(amount: Money, currency: string): number {
  const minor = amount.times(new Money(10).pow(minorUnitDigits(currency))).toDecimalPlaces(0, Money.ROUND_HALF_UP);
  if (!minor.abs().lte(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount ${amount.toString()} ${currency} is too large to bill`);
  return minor.toNumber();
}
