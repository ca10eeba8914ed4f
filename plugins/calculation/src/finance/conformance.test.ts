/**
 * Conformance of the financial functions with the references finance people trust.
 *
 * Sources:
 * - [npf-test] numpy-financial, tests/test_financial.py (github.com/numpy/numpy-financial). Values written with
 *   `Decimal` are exact to 28 digits and are compared at a relative error of 1e-9; values from Google Sheets or
 *   rounded in the test are compared at the precision printed there.
 * - [npf-doc] numpy-financial docstrings in numpy_financial/_financial.py (printed with the digits shown).
 * - [ms-*] Microsoft Support's documentation of the Excel function named (examples table, "Result" column), printed
 *   to cents or a few percent digits: compared to half a unit of the last printed digit.
 *
 * `closeTo(actual, expected, { rel })` checks the relative error; `{ abs }` an absolute error of half a unit of the
 * last printed digit.
 */
import { isVvError } from '@valueverse/plugin-sdk';
import { fv, nper, pmt, pv, rate } from './annuity';
import { irr } from './irr';
import { mirr } from './mirr';
import { npv } from './npv';
import { isoDateToDay } from './iso-date';
import { xirr } from './xirr';
import { xnpv } from './xnpv';

function closeTo(actual: number, expected: number, tolerance: { rel?: number; abs?: number }): void {
  const error = Math.abs(actual - expected);
  const allowed = tolerance.abs ?? (tolerance.rel ?? 1e-9) * Math.abs(expected);
  if (!(error <= allowed)) {
    throw new Error(`expected ${expected}, got ${actual} (error ${error.toExponential(3)} > ${allowed.toExponential(3)})`);
  }
}

function expectNoSolution(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isVvError(caught) && caught.code).toBe('VV_NO_SOLUTION');
}

const days = (...dates: string[]): number[] => dates.map((d) => isoDateToDay(d)!);
const REL = { rel: 1e-9 };

describe('NPV', () => {
  it('[npf-test TestNpv.test_npv_decimal] npv(0.05, [-15000, 1500, 2500, 3500, 4500, 6000])', () => {
    closeTo(npv(0.05, [-15000, 1500, 2500, 3500, 4500, 6000], 't0'), 122.894854950942692161628715, REL);
  });
  it("[npf-test TestNpv.test_npv_broadcast] 122.8948549 with assert_allclose's default rtol 1e-7", () => {
    closeTo(npv(0.05, [-15000, 1500, 2500, 3500, 4500, 6000], 't0'), 122.8948549, { rel: 1e-7 });
  });
  it('[npf-doc npv] npv(0.08, [-40000, 5000, 8000, 12000, 30000]).round(5) == 3065.22267', () => {
    closeTo(npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000], 't0'), 3065.22267, { abs: 5e-6 });
  });
  it('[ms-NPV example 1] NPV(10%, -10000, 3000, 4200, 6800) = $1,188.44 (Excel convention: first flow at t=1)', () => {
    closeTo(npv(0.1, [-10000, 3000, 4200, 6800], 'excel'), 1188.44, { abs: 0.005 });
  });
  it('[ms-NPV example 2] NPV(8%, 8000, 9200, 10000, 12000, 14500) - 40000 = $1,922.06', () => {
    closeTo(npv(0.08, [8000, 9200, 10000, 12000, 14500], 'excel') - 40000, 1922.06, { abs: 0.005 });
  });
  it('[ms-NPV example 2] NPV(8%, 8000, 9200, 10000, 12000, 14500, -9000) - 40000 = ($3,749.47)', () => {
    closeTo(npv(0.08, [8000, 9200, 10000, 12000, 14500, -9000], 'excel') - 40000, -3749.47, { abs: 0.005 });
  });
  it('the t0 convention equals the Excel convention times (1+rate), as the numpy-financial docstring explains', () => {
    const flows = [-10000, 3000, 4200, 6800];
    closeTo(npv(0.1, flows, 't0'), npv(0.1, flows, 'excel') * 1.1, REL);
  });
});

describe('XNPV and XIRR', () => {
  const flows = [-10000, 2750, 4250, 3250, 2750];
  const dates = days('2008-01-01', '2008-03-01', '2008-10-30', '2009-02-15', '2009-04-01');
  it('[ms-XNPV] XNPV(0.09, ...) = 2086.647602 (Actual/365)', () => {
    closeTo(xnpv(0.09, flows, dates), 2086.647602, { abs: 5e-7 });
  });
  it('[ms-XIRR] XIRR(...) = 0.373362535 (Excel iterates to 0.000001%, so compared at 1e-8)', () => {
    const solution = xirr(flows, dates);
    closeTo(solution.result, 0.373362535, { abs: 1e-8 });
    expect(solution.roots).toHaveLength(1);
    closeTo(xnpv(solution.result, flows, dates), 0, { abs: 1e-9 });
  });
  it('XIRR of cash flows that never change sign has no solution', () => {
    expectNoSolution(() => xirr([100, 200, 300], days('2020-01-01', '2020-06-01', '2021-01-01')));
  });
});

describe('IRR', () => {
  // [npf-doc irr] printed as round(npf.irr(values), 5); [npf-test TestIrr.test_basic_values] the same cases.
  it.each([
    [[-100, 39, 59, 55, 20], 0.28095],
    [[-100, 0, 0, 74], -0.0955],
    [[-100, 100, 0, -7], -0.0833],
    [[-100, 100, 0, 7], 0.06206],
    [[-5, 10.5, 1, -8, 1], 0.0886],
  ])('[npf-doc irr] round(irr(%j), 5) == %d', (values, expected) => {
    closeTo(irr(values).result, expected, { abs: 5e-6 });
  });
  it('[npf-test test_basic_values] irr([-150000, 15000, 25000, 35000, 45000, 60000]) == 0.0524 (4 decimals)', () => {
    closeTo(irr([-150000, 15000, 25000, 35000, 45000, 60000]).result, 0.0524, { abs: 5e-5 });
  });
  it('[npf-test test_trailing_zeros] irr([-5, 10.5, 1, -8, 1, 0, 0, 0]) == 0.0886', () => {
    closeTo(irr([-5, 10.5, 1, -8, 1, 0, 0, 0]).result, 0.0886, { abs: 5e-5 });
  });
  it('several sign changes: [-5, 10.5, 1, -8, 1] has three real roots above -100%, all reported', () => {
    const { roots, result } = irr([-5, 10.5, 1, -8, 1]);
    expect(roots).toHaveLength(3);
    for (const r of roots) closeTo(npv(r, [-5, 10.5, 1, -8, 1], 't0'), 0, { abs: 1e-11 });
    expect(result).toBe(roots[1]);
  });
  it('[npf-test test_gh_39] several sign changes, two roots: the one closest to the 0.1 guess is 0.12 (7 decimals)', () => {
    const cashflows = [
      -217500.0, -217500.0, 108466.80462450592, 101129.96439328062, 93793.12416205535, 86456.28393083003, 79119.44369960476, 71782.60346837944, 64445.76323715414,
      57108.92300592884, 49772.08277470355, 42435.24254347826, 35098.40231225296, 27761.56208102766, 20424.721849802358, 13087.88161857707, 5751.041387351768, -1585.7988438735192,
      -8922.639075098821, -16259.479306324123, -23596.31953754941, -30933.159768774713, -38270.0, -45606.8402312253, -52943.680462450604, -60280.520693675906, -67617.36092490121,
    ];
    const solution = irr(cashflows);
    closeTo(solution.result, 0.12, { abs: 1.5e-7 });
    expect(solution.roots).toHaveLength(2);
    expect(solution.roots[0]).toBeLessThan(0);
  });
  it('[npf-test test_gh_44] irr([-1678.87, 771.96, 1814.05, 3520.30, 3552.95, 3584.99, 4789.91, -1]) == 1.00426 (Google Sheets, 4 decimals)', () => {
    const solution = irr([-1678.87, 771.96, 1814.05, 3520.3, 3552.95, 3584.99, 4789.91, -1]);
    closeTo(solution.result, 1.00426, { abs: 5e-5 });
    expect(solution.roots).toHaveLength(2);
  });
  it('[npf-test test_gh_15] a root just above -100% (tiny late flows) == -0.9999999990596069, rtol 1e-9', () => {
    const v = [
      -3000.0, 2.3926932267015667e-7, 4.1672087103345505e-16, 5.3965110036378706e-25, 5.1962551071806174e-34, 3.7202955645436402e-43, 1.9804961711632469e-52,
      7.8393517651814181e-62, 2.3072565113911438e-71, 5.0491839233308912e-81, 8.2159177668499263e-91, 9.9403244366963527e-101, 8.942410813633967e-111, 5.9816122646481191e-121,
      2.9750309031844241e-131, 1.1002067043497954e-141, 3.0252876563518021e-152, 6.1854121948207909e-163, 9.4032980015353301e-174, 1.0629218520017728e-184, 8.9337141847171845e-196,
      5.5830607698467935e-207, 2.5943122036622652e-218, 8.9635842466507006e-230, 2.3027710094332358e-241, 4.3987510596745562e-253, 6.2476630372575209e-265, 6.598046841695288e-277,
      5.1811095266842017e-289, 3.0250999925830644e-301, 1.3133070599585015e-313,
    ];
    closeTo(irr(v).result, -0.9999999990596069, REL);
  });
  it('[npf-test test_npv_irr_congruence] npv(irr(x), x) == 0 with atol 1e-10', () => {
    const cashflows = [-40000, 5000, 8000, 12000, 30000];
    closeTo(npv(irr(cashflows).result, cashflows, 't0'), 0, { abs: 1e-10 });
  });
  it.each([[[1, 2, 3]], [[-1, -2, -3]], [[40000, 5000, 8000, 12000, 30000]]])(
    '[npf-test test_numpy_gh_6744 / no_real_solution] irr(%j) has no IRR: VV_NO_SOLUTION, not NaN',
    (values) => expectNoSolution(() => irr(values)),
  );
  it('no IRR despite sign changes: [-100, 300, -300] has no real root (NPV < 0 at every rate)', () => {
    expectNoSolution(() => irr([-100, 300, -300]));
  });
  // [ms-IRR] Excel's IRR example, printed to one decimal of a percent.
  it('[ms-IRR] IRR(-70000, 12000, 15000, 18000, 21000, 26000) = 8.7% (8.66% to two decimals)', () => {
    closeTo(irr([-70000, 12000, 15000, 18000, 21000, 26000]).result, 0.087, { abs: 5e-4 });
    closeTo(irr([-70000, 12000, 15000, 18000, 21000, 26000]).result, 0.0866, { abs: 5e-5 });
  });
  it('[ms-IRR] IRR(-70000, 12000, 15000, 18000, 21000) = -2.1%', () => {
    closeTo(irr([-70000, 12000, 15000, 18000, 21000]).result, -0.021, { abs: 5e-4 });
  });
  it('[ms-IRR] IRR(-70000, 12000, 15000, -10%) = -44.4%', () => {
    closeTo(irr([-70000, 12000, 15000], -0.1).result, -0.444, { abs: 5e-4 });
  });
});

describe('MIRR', () => {
  it.each([
    [[-4500, -800, 800, 800, 600, 600, 800, 800, 700, 3000], 0.08, 0.055, 0.066597175031553548874239618],
    [[-120000, 39000, 30000, 21000, 37000, 46000], 0.1, 0.12, 0.12609413036590514582842188],
    [[100, 200, -50, 300, -200], 0.05, 0.06, 0.342823387842176663647819868],
  ])('[npf-test TestMirr.test_mirr_decimal] mirr(%j, %d, %d) == %d', (values, finance, reinvest, expected) => {
    closeTo(mirr(values, finance, reinvest), expected, REL);
  });
  it('[npf-test TestMirr] mirr of all-positive flows has no solution', () => {
    expectNoSolution(() => mirr([39000, 30000, 21000, 37000, 46000], 0.1, 0.12));
  });
  it.each([
    [[-120000, 39000, 30000, 21000, 37000, 46000], 0.1, 0.12, 0.1261],
    [[-120000, 39000, 30000, 21000], 0.1, 0.12, -0.048],
    [[-120000, 39000, 30000, 21000, 37000, 46000], 0.1, 0.14, 0.1348],
  ])('[ms-MIRR] MIRR(%j, %d, %d) = %d (printed 12.61%%, -4.80%%, 13.48%%)', (values, finance, reinvest, expected) => {
    closeTo(mirr(values, finance, reinvest), expected, { abs: 5e-5 });
  });
});

describe('PMT, PV, FV', () => {
  it('[npf-test test_pmt_decimal_simple] pmt(0.08/12, 60, 15000)', () => {
    closeTo(pmt(0.08 / 12, 5 * 12, 15000), -304.1459143262052370338701494, REL);
  });
  it.each([
    [0, 12, 2000, -166.6666666666666666666666667],
    [0.8, 3, 20000, -19311.2582781456953642384106],
    [0.3, 12, 2000, -626.90814017007577484025866],
    [0, 60, 15000, -250],
  ])('[npf-test test_pmt_decimal_broadcast / zero_rate] pmt(%d, %d, %d) == %d', (r, n, p, expected) => {
    closeTo(pmt(r, n, p), expected, REL);
  });
  it('[npf-doc pmt] pmt(0.075/12, 12*15, 200000) == -1854.0247200054619', () => {
    closeTo(pmt(0.075 / 12, 12 * 15, 200000), -1854.0247200054619, REL);
  });
  it('[ms-PMT] PMT(8%/12, 10, 10000) = ($1,037.03)', () => {
    closeTo(pmt(0.08 / 12, 10, 10000), -1037.03, { abs: 0.005 });
  });
  it('[ms-PMT] PMT(6%/12, 18*12, 0, 50000) = ($129.08)', () => {
    closeTo(pmt(0.06 / 12, 18 * 12, 0, 50000), -129.08, { abs: 0.005 });
  });
  it('[npf-test TestPV.test_pv_decimal] pv(0.07, 20, 12000, 0)', () => {
    closeTo(pv(0.07, 20, 12000, 0), -127128.1709461939327295222005, REL);
  });
  it('[npf-doc pv] pv(0.05/12, 10*12, -100, 15692.93) == -100.00067131625819', () => {
    closeTo(pv(0.05 / 12, 10 * 12, -100, 15692.93), -100.00067131625819, REL);
  });
  it('[ms-PV] PV(0.08/12, 12*20, 500, , 0) = ($59,777.15)', () => {
    closeTo(pv(0.08 / 12, 12 * 20, 500, 0, 'end'), -59777.15, { abs: 0.005 });
  });
  it('[npf-test TestFv.test_decimal] fv(0.075, 20, -2000, 0, 0)', () => {
    closeTo(fv(0.075, 20, -2000, 0, 'end'), 86609.36267304300040536731624, REL);
  });
  it('[npf-test TestFv.test_when_is_begin_float] fv(0.075, 20, -2000, 0, begin) == 93105.064874 (Google Sheets)', () => {
    closeTo(fv(0.075, 20, -2000, 0, 'begin'), 93105.064874, { abs: 5e-7 });
  });
  it.each([
    [0.1, 'end', -610.51],
    [0.1, 'begin', -671.561],
    [0.2, 'end', -744.16],
    [0.2, 'begin', -892.992],
    [0, 'end', -500],
  ] as const)('[npf-test TestFv.test_broadcast / some_rates_zero] fv(%d, 5, 100, 0, %s) == %d', (r, when, expected) => {
    closeTo(fv(r, 5, 100, 0, when), expected, REL);
  });
  it('[npf-doc fv] fv(0.05/12, 10*12, -100, -100) == 15692.928894335748', () => {
    closeTo(fv(0.05 / 12, 10 * 12, -100, -100), 15692.928894335748, REL);
  });
  it.each([
    [0.06 / 12, 10, -200, -500, 'begin', 2581.4],
    [0.12 / 12, 12, -1000, 0, 'end', 12682.5],
    [0.11 / 12, 35, -2000, 0, 'begin', 82846.25],
  ] as const)('[ms-FV] FV(%d, %d, %d, %d, %s) = $%d', (r, n, p, present, when, expected) => {
    closeTo(fv(r, n, p, present, when), expected, { abs: 0.005 });
  });
});

describe('NPER and RATE', () => {
  it('[npf-test TestNper] nper(0, -2000, 0, 100000) == 50 and nper(0.075, -2000, 0, 100000) == 21.544944 (Google Sheets)', () => {
    closeTo(nper(0, -2000, 0, 100000), 50, REL);
    closeTo(nper(0.075, -2000, 0, 100000), 21.544944, { abs: 5e-7 });
  });
  it('[npf-test test_gh_18] nper(0.1, 0, -500, 1500) == 11.52670461', () => {
    closeTo(nper(0.1, 0, -500, 1500), 11.52670461, { abs: 5e-9 });
  });
  it('[npf-test test_no_interest] nper(0, -100, 1000) == 10', () => {
    closeTo(nper(0, -100, 1000), 10, REL);
  });
  it('[npf-test TestNper.test_broadcast] nper(0.075, -2000, 0, 100000, begin) == 20.76156441', () => {
    closeTo(nper(0.075, -2000, 0, 100000, 'begin'), 20.76156441, { abs: 5e-9 });
  });
  it.each([
    [0.07 / 12, -150, 8000, 64.07334877],
    [0.07 / 12, -150, 9000, 74.06368256],
    [0.07 / 12, -100, 8000, 108.07548412],
    [0.07 / 12, -100, 9000, 127.99022654],
    [0.08 / 12, -150, 8000, 66.12443902],
    [0.08 / 12, -150, 9000, 76.87897353],
    [0.08 / 12, -100, 8000, 114.70165583],
    [0.08 / 12, -100, 9000, 137.90124779],
  ])('[npf-doc nper ogrid table] nper(%d, %d, %d) == %d', (r, p, present, expected) => {
    closeTo(nper(r, p, present), expected, { abs: 5e-9 });
  });
  it('[ms-NPER] NPER(12%/12, -100, -1000, 10000, 1) = 59.6738657; (…, 0) = 60.0821229; NPER(12%/12, -100, -1000) = -9.57859404', () => {
    closeTo(nper(0.01, -100, -1000, 10000, 'begin'), 59.6738657, { abs: 5e-8 });
    closeTo(nper(0.01, -100, -1000, 10000, 'end'), 60.0821229, { abs: 5e-8 });
    closeTo(nper(0.01, -100, -1000), -9.57859404, { abs: 5e-9 });
  });
  it('[npf-test test_rate_decimal] rate(10, 0, -3500, 10000)', () => {
    closeTo(rate(10, 0, -3500, 10000), 0.11069085371426892847045281, REL);
  });
  it.each([
    [-593.06, 214.07, -0.39920185],
    [-4725.38, 4509.97, -0.02305873],
    [-662.05, 224.11, -0.41818459],
    [-428.78, 686.29, 0.26513414],
  ])('[npf-test test_gh48] rate(2, 0, %d, %d) == %d (8 decimals)', (present, future, expected) => {
    closeTo(rate(2, 0, present, future), expected, { abs: 5e-9 });
  });
  it('[npf-test test_gh48] rate(2, 0, -13.65, -329.67) has no feasible rate', () => {
    expectNoSolution(() => rate(2, 0, -13.65, -329.67));
  });
  it.each(['end', 'begin'] as const)('[npf-test test_rate_with_infeasible_solution] rate(12, 400, 10000, 5000, %s) has none', (when) => {
    expectNoSolution(() => rate(12, 400, 10000, 5000, when));
  });
  it('[ms-RATE] RATE(4*12, -200, 8000) = 0.77% monthly, 9.24% annually (×12)', () => {
    const monthly = rate(4 * 12, -200, 8000);
    closeTo(monthly, 0.0077, { abs: 5e-5 });
    closeTo(monthly * 12, 0.0924, { abs: 5e-5 });
  });
  it('rate is the inverse of pmt to full precision (begin and end)', () => {
    for (const when of ['end', 'begin'] as const) {
      const payment = pmt(0.0375, 30, 250000, -10000, when);
      closeTo(rate(30, payment, 250000, -10000, when), 0.0375, { rel: 1e-12 });
    }
  });
});
