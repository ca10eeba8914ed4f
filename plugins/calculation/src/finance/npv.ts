/**
 * Where the first cash flow sits on the time line:
 * - `t0`: at t = 0, undiscounted (numpy-financial `npv`, textbook NPV; the initial investment is `cashFlows[0]`);
 * - `excel`: at the end of period 1, like every later flow (Excel's `NPV`, which discounts `values[0]` by one period).
 */
export type NpvConvention = 't0' | 'excel';

export const npvConventions: readonly NpvConvention[] = ['t0', 'excel'];

/** The formula behind an NPV figure, as stated in responses. */
export function npvFormula(convention: NpvConvention): string {
  return convention === 't0'
    ? 'NPV = Σ_{t=0..n−1} CF_t / (1+rate)^t (first cash flow at t = 0, undiscounted)'
    : 'NPV = Σ_{t=0..n−1} CF_t / (1+rate)^(t+1) (Excel NPV: first cash flow at the end of period 1)';
}

/** Net present value of periodic cash flows at `rate` per period (rate > −1). */
export function npv(rate: number, cashFlows: readonly number[], convention: NpvConvention): number {
  const shift = convention === 'excel' ? 1 : 0;
  const base = 1 + rate;
  let sum = 0;
  for (let t = 0; t < cashFlows.length; t++) sum += cashFlows[t]! / Math.pow(base, t + shift);
  return sum;
}
