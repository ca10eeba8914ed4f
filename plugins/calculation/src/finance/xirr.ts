import { rateOfReturnRoots } from '../numeric/rate-of-return-roots';
import { DEFAULT_IRR_GUESS, IRR_RULE, noRateOfReturn, pickRoot, type IrrSolution } from './irr';
import { yearFractions } from './xnpv';

/**
 * XIRR of dated cash flows (days since the epoch, ascending): every annual rate r > −1 with XNPV(r) = 0 under
 * Excel's Actual/365 day count, and the one picked by the same rule as IRR.
 */
export function xirr(cashFlows: readonly number[], days: readonly number[], guess = DEFAULT_IRR_GUESS): IrrSolution {
  const roots = rateOfReturnRoots(cashFlows, yearFractions(days));
  if (roots.length === 0) noRateOfReturn(cashFlows, 'internal rate of return (XIRR)');
  return { result: pickRoot(roots, guess), roots, rule: IRR_RULE, guess };
}
