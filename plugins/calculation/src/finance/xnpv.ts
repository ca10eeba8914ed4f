/** Excel's day count for XNPV and XIRR: Actual/365 (actual days between dates over 365, leap years included). */
export const DAYS_PER_YEAR = 365;

/** Year fractions (Actual/365) of each date, in days since the epoch, from the first one. */
export function yearFractions(days: readonly number[]): number[] {
  const first = days[0] ?? 0;
  return days.map((d) => (d - first) / DAYS_PER_YEAR);
}

export const XNPV_FORMULA = 'XNPV = Σ_i CF_i / (1+rate)^((d_i − d_0)/365) (Excel XNPV, Actual/365 from the first date)';

/** Net present value of dated cash flows at an annual `rate` (rate > −1), discounted to the first date. */
export function xnpv(rate: number, cashFlows: readonly number[], days: readonly number[]): number {
  const times = yearFractions(days);
  const base = 1 + rate;
  let sum = 0;
  for (let i = 0; i < cashFlows.length; i++) sum += cashFlows[i]! / Math.pow(base, times[i]!);
  return sum;
}
