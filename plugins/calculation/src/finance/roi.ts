import { VvError } from '@valueverse/plugin-sdk';

export const ROI_FORMULA = 'ROI = (Σ benefits − Σ costs) / Σ costs';
export const DISCOUNTED_ROI_FORMULA = 'ROI = (Σ benefits_t/(1+rate)^t − Σ costs_t/(1+rate)^t) / Σ costs_t/(1+rate)^t, t = 0..n−1';

export interface RoiResult {
  readonly result: number;
  readonly totalBenefits: number;
  readonly totalCosts: number;
  readonly netBenefit: number;
  readonly formula: string;
}

function total(values: readonly number[], rate: number | undefined): number {
  let sum = 0;
  for (let t = 0; t < values.length; t++) sum += rate === undefined ? values[t]! : values[t]! / Math.pow(1 + rate, t);
  return sum;
}

/**
 * Return on investment from benefit and cost streams (index t = period t, t = 0 undiscounted), nominal or, with
 * `rate`, discounted. Costs are positive amounts.
 */
export function roi(benefits: readonly number[], costs: readonly number[], rate?: number): RoiResult {
  const totalBenefits = total(benefits, rate);
  const totalCosts = total(costs, rate);
  if (totalCosts <= 0) {
    const detail = 'ROI is undefined: total costs must be positive';
    throw new VvError('VV_NO_SOLUTION', { detail, params: { reason: detail } });
  }
  return {
    result: (totalBenefits - totalCosts) / totalCosts,
    totalBenefits,
    totalCosts,
    netBenefit: totalBenefits - totalCosts,
    formula: rate === undefined ? ROI_FORMULA : DISCOUNTED_ROI_FORMULA,
  };
}
