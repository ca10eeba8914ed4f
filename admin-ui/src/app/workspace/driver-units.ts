// Drivers whose unit is a share or rate hold decimals (0.078 = 7.8%), as the calculation engine expects; people
// read and type them as percentages (issue 19, bug 4: "plain decimals where percentages are meant"). The server's
// business case uses the same rule (plugins/value-architect/src/business-case/business-case.ts).

const RATE_UNIT = /^(%|percent|percentage|ratio|rate|fraction)$|^share\b/i;

/** True when a driver with this unit is a decimal share shown as a percentage. */
export function isPercentUnit(unit: string | undefined): boolean {
  return unit !== undefined && RATE_UNIT.test(unit.trim());
}

// ×100 and ÷100 in binary floating point leave tails (0.078 × 100 = 7.800000000000001): 12 significant digits
// are more than any driver needs and drop them.
const clean = (value: number) => Number(value.toPrecision(12));

/** The number a person sees for a stored value: ×100 for percentages. */
export function displayValue(value: number | undefined, unit: string | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return value;
  return isPercentUnit(unit) ? clean(value * 100) : value;
}

/** The stored value of what a person typed: ÷100 for percentages; undefined for an empty field. */
export function storedValue(typed: string, unit: string | undefined): number | undefined {
  if (typed.trim() === '') return undefined;
  const n = Number(typed);
  if (!Number.isFinite(n)) return Number.NaN;
  return isPercentUnit(unit) ? clean(n / 100) : n;
}
