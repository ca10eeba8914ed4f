export const TCO_FORMULA = 'TCO = acquisition + Σ_{t=1..n} operatingCosts_t − salvageValue';
export const TCO_PRESENT_VALUE_FORMULA = 'PV(TCO) = acquisition + Σ_{t=1..n} operatingCosts_t/(1+rate)^t − salvageValue/(1+rate)^n';

export interface TcoResult {
  /** Nominal total cost of ownership. */
  readonly result: number;
  readonly periods: number;
  readonly averagePerPeriod: number;
  /** With a rate: the present value of the costs at t = 0. */
  readonly presentValue?: number;
  /** With a rate: the level cost per period with the same present value, PV·rate/(1 − (1+rate)^−n). */
  readonly equivalentCostPerPeriod?: number;
  readonly formula: string;
}

/**
 * Total cost of ownership: an acquisition cost at t = 0, operating costs at the end of periods 1..n and an optional
 * salvage value recovered at the end of period n. Costs are positive amounts.
 */
export function tco(acquisition: number, operatingCosts: readonly number[], salvageValue = 0, rate?: number): TcoResult {
  const n = operatingCosts.length;
  const nominal = acquisition + operatingCosts.reduce((s, c) => s + c, 0) - salvageValue;
  const base = {
    result: nominal,
    periods: n,
    averagePerPeriod: n === 0 ? nominal : nominal / n,
    formula: rate === undefined ? TCO_FORMULA : `${TCO_FORMULA}; ${TCO_PRESENT_VALUE_FORMULA}`,
  };
  if (rate === undefined) return base;
  let presentValue = acquisition - salvageValue / Math.pow(1 + rate, n);
  for (let t = 1; t <= n; t++) presentValue += operatingCosts[t - 1]! / Math.pow(1 + rate, t);
  let equivalent: number;
  if (n === 0) equivalent = presentValue;
  else if (rate === 0) equivalent = presentValue / n;
  else equivalent = (presentValue * rate) / -Math.expm1(-n * Math.log1p(rate));
  return { ...base, presentValue, equivalentCostPerPeriod: equivalent };
}
