import { VvError } from '@valueverse/plugin-sdk';
import { brentRoot } from '../numeric/brent-root';

/**
 * When payments fall in each period: `end` (ordinary annuity, Excel type 0) or `begin` (annuity due, type 1).
 * Sign convention as in Excel and numpy-financial: money paid out is negative, money received positive.
 */
export type PaymentTiming = 'end' | 'begin';

export const paymentTimings: readonly PaymentTiming[] = ['end', 'begin'];

/** The time-value-of-money equation that PMT, PV, FV, NPER and RATE each solve for one unknown. */
export const ANNUITY_EQUATION = 'fv + pv·(1+rate)^nper + pmt·(1+rate·w)·((1+rate)^nper − 1)/rate = 0, w = 1 for begin, 0 for end (rate = 0: fv + pv + pmt·nper = 0)';

function noSolution(detail: string): never {
  throw new VvError('VV_NO_SOLUTION', { detail, params: { reason: detail } });
}

function timingFactor(when: PaymentTiming): number {
  return when === 'begin' ? 1 : 0;
}

/** ((1+r)^n − 1)/r, accurate near r = 0 (expm1/log1p) and equal to n at r = 0. */
function annuityFactor(rate: number, nper: number): number {
  return rate === 0 ? nper : Math.expm1(nper * Math.log1p(rate)) / rate;
}

/** Periodic payment (Excel PMT, numpy-financial `pmt`). */
export function pmt(rate: number, nper: number, pv: number, fv = 0, when: PaymentTiming = 'end'): number {
  const temp = Math.pow(1 + rate, nper);
  const fact = rate === 0 ? nper : ((1 + rate * timingFactor(when)) * (temp - 1)) / rate;
  if (fact === 0) noSolution('PMT is undefined: the annuity factor is zero (nper = 0?)');
  return -(fv + pv * temp) / fact;
}

/** Present value (Excel PV, numpy-financial `pv`). */
export function pv(rate: number, nper: number, payment: number, fv = 0, when: PaymentTiming = 'end'): number {
  const temp = Math.pow(1 + rate, nper);
  const fact = rate === 0 ? nper : ((1 + rate * timingFactor(when)) * (temp - 1)) / rate;
  return -(fv + payment * fact) / temp;
}

/** Future value (Excel FV, numpy-financial `fv`). */
export function fv(rate: number, nper: number, payment: number, presentValue: number, when: PaymentTiming = 'end'): number {
  if (rate === 0) return -(presentValue + payment * nper);
  const temp = Math.pow(1 + rate, nper);
  return -presentValue * temp - ((payment * (1 + rate * timingFactor(when))) / rate) * (temp - 1);
}

/** Number of periods (Excel NPER, numpy-financial `nper`); may be fractional or negative, as in Excel. */
export function nper(rate: number, payment: number, presentValue: number, futureValue = 0, when: PaymentTiming = 'end'): number {
  if (rate === 0) {
    if (payment === 0) noSolution('NPER has no solution: with rate 0 and pmt 0 the balance never changes');
    return -(futureValue + presentValue) / payment;
  }
  const z = (payment * (1 + rate * timingFactor(when))) / rate;
  const ratio = (-futureValue + z) / (presentValue + z);
  const result = Math.log(ratio) / Math.log(1 + rate);
  if (!Number.isFinite(result)) {
    noSolution('NPER has no solution: the payment never brings the present value to the future value at this rate');
  }
  return result;
}

function annuityResidual(rate: number, n: number, payment: number, presentValue: number, futureValue: number, w: number): number {
  return futureValue + presentValue * Math.pow(1 + rate, n) + payment * (1 + rate * w) * annuityFactor(rate, n);
}

function annuityResidualSlope(rate: number, n: number, payment: number, presentValue: number, w: number): number {
  const grow = Math.pow(1 + rate, n - 1);
  const factor = annuityFactor(rate, n);
  // d/dr ((1+r)^n − 1)/r, with its limit n(n−1)/2 at r = 0.
  const factorSlope = rate === 0 ? (n * (n - 1)) / 2 : (n * grow * rate - ((1 + rate) * grow - 1)) / (rate * rate);
  return presentValue * n * grow + payment * (w * factor + (1 + rate * w) * factorSlope);
}

/** The magnitude of the annuity equation's terms, against which a residual counts as zero. */
function annuityScale(rate: number, n: number, payment: number, presentValue: number, futureValue: number, w: number): number {
  return Math.abs(futureValue) + Math.abs(presentValue * Math.pow(1 + rate, n)) + Math.abs(payment * (1 + rate * w) * annuityFactor(rate, n));
}

/** Rate grid for bracketing when Newton's method does not converge: dense near −100% and around usual rates. */
function scanGrid(): number[] {
  const grid: number[] = [];
  for (let k = 9; k >= 2; k--) grid.push(-1 + Math.pow(10, -k));
  for (let r = -0.99; r < 1; r += 0.01) grid.push(Math.round(r * 100) / 100);
  for (let r = 1; r < 10; r += 0.25) grid.push(r);
  for (let r = 10; r <= 1e4; r *= 1.5) grid.push(r);
  return grid;
}

const RATE_GRID = scanGrid();

/**
 * Interest rate per period (Excel RATE, numpy-financial `rate`). Newton's method from `guess` (default 0.1, as in
 * Excel), iterated to full double precision rather than Excel's 1e-7; when it does not converge, the equation is
 * bracketed on a rate grid and solved with Brent's method, taking the root closest to `guess`.
 */
export function rate(n: number, payment: number, presentValue: number, futureValue = 0, when: PaymentTiming = 'end', guess = 0.1): number {
  const w = timingFactor(when);
  const g = (r: number): number => annuityResidual(r, n, payment, presentValue, futureValue, w);
  let r = guess;
  for (let iteration = 0; iteration < 100; iteration++) {
    const step = g(r) / annuityResidualSlope(r, n, payment, presentValue, w);
    if (!Number.isFinite(step)) break;
    let next = r - step;
    if (next <= -1) next = (r - 1) / 2;
    if (Math.abs(next - r) <= 4 * Number.EPSILON * Math.max(1, Math.abs(r))) {
      // Tiny steps also happen when Newton creeps towards -100% without a root there: accept only a real root.
      if (Math.abs(g(next)) <= 1e-9 * annuityScale(next, n, payment, presentValue, futureValue, w)) return next;
      break;
    }
    r = next;
  }

  const roots: number[] = [];
  let previous = RATE_GRID[0]!;
  let gPrevious = g(previous);
  for (const x of RATE_GRID.slice(1)) {
    const gx = g(x);
    if (gx === 0) roots.push(x);
    else if (Number.isFinite(gPrevious) && Number.isFinite(gx) && gPrevious !== 0 && gPrevious > 0 !== gx > 0) {
      roots.push(brentRoot(g, previous, x, {}, gPrevious, gx));
    }
    previous = x;
    gPrevious = gx;
  }
  if (roots.length === 0) {
    noSolution('RATE has no solution: no interest rate above -100% balances pv, pmt and fv');
  }
  return roots.reduce((best, x) => (Math.abs(x - guess) < Math.abs(best - guess) ? x : best));
}
