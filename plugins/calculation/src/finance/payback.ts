export type PaybackMethod = 'simple' | 'discounted';

export const paybackMethods: readonly PaybackMethod[] = ['simple', 'discounted'];

/** How the payback period is read off the cumulative cash flow, stated in every response. */
export const PAYBACK_RULE =
  'cashFlows[0] at t = 0, cashFlows[k] spread evenly over period k; payback is the time after which the cumulative ' +
  'cash flow never falls below zero again, interpolated linearly inside the period where it crosses zero';

export interface PaybackResult {
  /** Periods until payback (fractional), or null when the cumulative cash flow ends below zero. */
  readonly result: number | null;
  readonly paysBack: boolean;
  /**
   * The first time the cumulative cash flow reaches zero, when it differs from `result` (the cumulative dips below
   * zero again later, e.g. after a reinvestment). Absent otherwise.
   */
  readonly firstCrossing?: number;
  /** Cumulative (discounted, for the discounted method) cash flow at the end of each period. */
  readonly cumulative: number[];
}

function crossingTime(cumulative: readonly number[], flows: readonly number[], lastNegative: number): number {
  // Cumulative is negative at the end of period j and non-negative at the end of period j+1: the flow of period
  // j+1 is positive and covers the remaining −C_j after the fraction −C_j / CF_{j+1} of that period.
  return lastNegative + -cumulative[lastNegative]! / flows[lastNegative + 1]!;
}

/**
 * Simple payback (rate undefined) or discounted payback (each flow discounted by (1+rate)^t first), in periods.
 */
export function payback(cashFlows: readonly number[], rate?: number): PaybackResult {
  const flows = rate === undefined ? [...cashFlows] : cashFlows.map((c, t) => c / Math.pow(1 + rate, t));
  const cumulative: number[] = [];
  let running = 0;
  for (const c of flows) {
    running += c;
    cumulative.push(running);
  }
  let lastNegative = -1;
  for (let k = 0; k < cumulative.length; k++) if (cumulative[k]! < 0) lastNegative = k;
  if (lastNegative === cumulative.length - 1) return { result: null, paysBack: false, cumulative };
  if (lastNegative === -1) return { result: 0, paysBack: true, cumulative };
  const result = crossingTime(cumulative, flows, lastNegative);
  for (let k = 0; k < lastNegative; k++) {
    if (cumulative[k]! < 0 && cumulative[k + 1]! >= 0) {
      return { result, paysBack: true, firstCrossing: crossingTime(cumulative, flows, k), cumulative };
    }
  }
  return { result, paysBack: true, cumulative };
}
