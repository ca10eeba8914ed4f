import { VvError } from '@valueverse/plugin-sdk';
import { npv } from './npv';

export const MIRR_FORMULA = 'MIRR = (FV of positive flows at reinvestRate / |PV of negative flows at financeRate|)^(1/(n−1)) − 1';

/**
 * Modified internal rate of return (Excel MIRR, numpy-financial `mirr`): negative flows are financed at
 * `financeRate` (discounted to t = 0), positive flows reinvested at `reinvestRate` (compounded to t = n−1).
 */
export function mirr(cashFlows: readonly number[], financeRate: number, reinvestRate: number): number {
  const positives = cashFlows.map((c) => (c > 0 ? c : 0));
  const negatives = cashFlows.map((c) => (c < 0 ? c : 0));
  if (!positives.some((c) => c > 0) || !negatives.some((c) => c < 0)) {
    const detail = 'MIRR needs at least one positive and one negative cash flow';
    throw new VvError('VV_NO_SOLUTION', { detail, params: { reason: detail } });
  }
  const n = cashFlows.length;
  // Same arithmetic as numpy-financial: |NPV(reinvest, positives)| / |NPV(finance, negatives)|, then scaled.
  const numerator = Math.abs(npv(reinvestRate, positives, 't0'));
  const denominator = Math.abs(npv(financeRate, negatives, 't0'));
  return Math.pow(numerator / denominator, 1 / (n - 1)) * (1 + reinvestRate) - 1;
}
