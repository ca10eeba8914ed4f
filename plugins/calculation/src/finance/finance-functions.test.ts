import { isVvError } from '@valueverse/plugin-sdk';
import { rateOfReturnRoots } from '../numeric/rate-of-return-roots';
import { breakEven } from './break-even';
import { countSignChanges, irr } from './irr';
import { isoDateToDay } from './iso-date';
import { payback } from './payback';
import { roi } from './roi';
import { tco } from './tco';
import { xirr } from './xirr';

function code(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isVvError(error) ? error.code : String(error);
  }
  return undefined;
}

describe('payback', () => {
  it('interpolates inside the period where the cumulative cash flow turns non-negative', () => {
    expect(payback([-100, 30, 40, 50])).toMatchObject({ result: 2.6, paysBack: true, cumulative: [-100, -70, -30, 20] });
  });
  it('is 0 when nothing is ever owed and null when the cumulative ends below zero', () => {
    expect(payback([0, 10, 10]).result).toBe(0);
    expect(payback([-100, 30, 30])).toMatchObject({ result: null, paysBack: false });
  });
  it('takes the last crossing when a later outflow pushes the cumulative below zero again, and reports the first', () => {
    const result = payback([-100, 60, 60, -50, 40, 40]);
    expect(result.firstCrossing).toBeCloseTo(1 + 40 / 60, 12);
    // Cumulative: -100, -40, 20, -30, 10, 50 → last negative at the end of period 3, paid back 30/40 into period 4.
    expect(result.result).toBeCloseTo(3.75, 12);
  });
  it('discounts each flow by (1+rate)^t for discounted payback', () => {
    const result = payback([-100, 60, 60], 0.1);
    const pv1 = 60 / 1.1;
    const pv2 = 60 / 1.21;
    expect(result.result).toBeCloseTo(1 + (100 - pv1) / pv2, 12);
  });
});

describe('IRR root isolation', () => {
  it('finds a double root where the NPV only touches zero', () => {
    // -1 + 2.2x - 1.21x² = -(1 - 1.1x)², x = 1/(1+r): a double root at r = 10%.
    const roots = rateOfReturnRoots([-1, 2.2, -1.21], [0, 1, 2]);
    expect(roots).toHaveLength(1);
    expect(roots[0]).toBeCloseTo(0.1, 7);
    expect(rateOfReturnRoots([1, -2, 1], [0, 1, 2])).toEqual([0]);
  });
  it('finds roots on both sides of zero and at zero itself', () => {
    // (1+r)² - 0.25 → r = -0.5; with x: 0.25x² ... flows [-0.25, 0, 1] at t 0..2 ⇔ 1/(1+r)² = 0.25.
    expect(rateOfReturnRoots([-0.25, 0, 1], [0, 1, 2])).toEqual([1]);
    expect(rateOfReturnRoots([-4, 0, 1], [0, 1, 2])).toEqual([-0.5]);
    expect(rateOfReturnRoots([-1, 1], [0, 1])).toEqual([0]);
  });
  it('counts sign changes ignoring zeros and refuses nothing below the limit', () => {
    expect(countSignChanges([-1, 0, 0, 2, -3, 0, 4])).toBe(3);
    expect(irr([-100, 0, 0, 0, 150]).result).toBeCloseTo(Math.pow(1.5, 0.25) - 1, 12);
  });
  it('XIRR merges flows on the same date', () => {
    const days = ['2020-01-01', '2020-01-01', '2021-01-01'].map((d) => isoDateToDay(d)!);
    // -60 and -40 on the first day are one flow of -100; +110 a year (366 days) later.
    expect(xirr([-60, -40, 110], days).result).toBeCloseTo(Math.pow(1.1, 365 / 366) - 1, 12);
  });
});

describe('iso dates', () => {
  it('accepts calendar dates only', () => {
    expect(isoDateToDay('1970-01-02')).toBe(1);
    expect(isoDateToDay('2024-02-29')).toBeDefined();
    expect(isoDateToDay('2023-02-29')).toBeUndefined();
    expect(isoDateToDay('2023-13-01')).toBeUndefined();
    expect(isoDateToDay('2023-1-01')).toBeUndefined();
    expect(isoDateToDay('2023-01-01T00:00:00Z')).toBeUndefined();
  });
});

describe('ROI, break-even, TCO', () => {
  it('ROI nominal and discounted', () => {
    expect(roi([0, 150], [100, 0]).result).toBeCloseTo(0.5, 15);
    expect(roi([0, 110], [100, 0], 0.1).result).toBeCloseTo(0, 12);
    expect(code(() => roi([10], [0]))).toBe('VV_NO_SOLUTION');
  });
  it('break-even volume and the no-margin case', () => {
    expect(breakEven(12000, 50, 20)).toMatchObject({ result: 400, revenue: 20000, contributionMarginPerUnit: 30, contributionMarginRatio: 0.6 });
    expect(code(() => breakEven(1, 10, 12))).toBe('VV_NO_SOLUTION');
  });
  it('TCO nominal, present value and the equivalent level cost', () => {
    const result = tco(1000, [200, 200, 200], 100, 0.05);
    expect(result.result).toBe(1500);
    const pv = 1000 + 200 / 1.05 + 200 / 1.05 ** 2 + 200 / 1.05 ** 3 - 100 / 1.05 ** 3;
    expect(result.presentValue).toBeCloseTo(pv, 9);
    // The level cost with the same present value: an annuity over 3 periods.
    expect(result.equivalentCostPerPeriod! * (1 / 1.05 + 1 / 1.05 ** 2 + 1 / 1.05 ** 3)).toBeCloseTo(pv, 9);
  });
});
