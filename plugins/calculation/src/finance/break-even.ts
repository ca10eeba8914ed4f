import { VvError } from '@valueverse/plugin-sdk';

export const BREAK_EVEN_FORMULA = 'units = fixedCosts / (pricePerUnit − variableCostPerUnit)';

export interface BreakEvenResult {
  /** Units to sell to cover the fixed costs (fractional; round up for whole units). */
  readonly result: number;
  readonly revenue: number;
  readonly contributionMarginPerUnit: number;
  readonly contributionMarginRatio: number;
  readonly formula: string;
}

/** Break-even volume: the units at which contribution margin covers fixed costs. */
export function breakEven(fixedCosts: number, pricePerUnit: number, variableCostPerUnit: number): BreakEvenResult {
  const margin = pricePerUnit - variableCostPerUnit;
  if (margin <= 0) {
    const detail = 'No break-even: each unit sold loses money (pricePerUnit must exceed variableCostPerUnit)';
    throw new VvError('VV_NO_SOLUTION', { detail, params: { reason: detail } });
  }
  const units = fixedCosts / margin;
  return {
    result: units,
    revenue: units * pricePerUnit,
    contributionMarginPerUnit: margin,
    contributionMarginRatio: pricePerUnit === 0 ? 0 : margin / pricePerUnit,
    formula: BREAK_EVEN_FORMULA,
  };
}
