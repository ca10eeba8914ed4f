import { VvError } from '@valueverse/plugin-sdk';
import { rateOfReturnRoots } from '../numeric/rate-of-return-roots';

/** Excel's default guess for IRR, XIRR and RATE. */
export const DEFAULT_IRR_GUESS = 0.1;

/** The rule that picks the reported IRR among several roots, stated in every response. */
export const IRR_RULE = 'root closest to guess (default 0.1, as in Excel); ties go to the lower root';

export interface IrrSolution {
  /** The root chosen by {@link IRR_RULE}. */
  readonly result: number;
  /** Every real root above −100%, ascending. More than one only when the cash flows change sign more than once. */
  readonly roots: number[];
  readonly rule: string;
  readonly guess: number;
}

/** Picks the root closest to `guess` (lower root on a tie). `roots` must be non-empty. */
export function pickRoot(roots: readonly number[], guess: number): number {
  let best = roots[0]!;
  for (const r of roots) if (Math.abs(r - guess) < Math.abs(best - guess)) best = r;
  return best;
}

/** Throws `VV_NO_SOLUTION` explaining why cash flows without a real root have no IRR. */
export function noRateOfReturn(cashFlows: readonly number[], what: string): never {
  const hasPositive = cashFlows.some((c) => c > 0);
  const hasNegative = cashFlows.some((c) => c < 0);
  const detail =
    hasPositive && hasNegative
      ? `The cash flows have no ${what}: their NPV does not reach zero at any rate above -100%`
      : `The cash flows have no ${what}: they need at least one positive and one negative value`;
  throw new VvError('VV_NO_SOLUTION', { detail, params: { reason: detail } });
}

/**
 * Most sign changes accepted for IRR/XIRR. Root isolation costs grow with the number of sign changes (each one can
 * add a root); beyond a handful no single rate of return means anything, and MIRR or NPV is the right measure.
 */
export const MAX_IRR_SIGN_CHANGES = 20;

/** Number of sign changes in a cash-flow series (zeros skipped): an upper bound on the number of IRRs. */
export function countSignChanges(cashFlows: readonly number[]): number {
  let changes = 0;
  let previous = 0;
  for (const c of cashFlows) {
    if (c === 0) continue;
    if (previous !== 0 && c > 0 !== previous > 0) changes++;
    previous = c;
  }
  return changes;
}

/** Every real root r > −1 of Σ CF_t/(1+r)^t = 0 for periodic cash flows. */
export function irrRoots(cashFlows: readonly number[]): number[] {
  return rateOfReturnRoots(
    cashFlows,
    cashFlows.map((_, t) => t),
  );
}

/** IRR of periodic cash flows: every real root above −100% and the one picked by {@link IRR_RULE}. */
export function irr(cashFlows: readonly number[], guess = DEFAULT_IRR_GUESS): IrrSolution {
  const roots = irrRoots(cashFlows);
  if (roots.length === 0) noRateOfReturn(cashFlows, 'internal rate of return');
  return { result: pickRoot(roots, guess), roots, rule: IRR_RULE, guess };
}
