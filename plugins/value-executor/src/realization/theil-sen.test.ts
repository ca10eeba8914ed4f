import { median, predict, quantile, theilSen } from './theil-sen';

describe('theilSen (Theil 1950, Sen 1968)', () => {
  it('is the median of the pairwise slopes, worked by hand for the issue #11 deflection-rate readings', () => {
    // Days 0, 7, 14, 21, 28; rates 0.12, 0.17, 0.26, 0.19, 0.20. The ten pairwise slopes, sorted:
    // −0.07/7, −0.06/14, 0.01/7, 0.02/14, 0.03/21, 0.08/28, 0.07/21, 0.05/7, 0.14/14, 0.09/7.
    // Median = mean of the 5th and 6th: (0.03/21 + 0.08/28)/2 = 3/1400. Intercept = median of y − slope·x =
    // median(0.12, 0.155, 0.23, 0.145, 0.14) = 0.145.
    const fit = theilSen([
      [0, 0.12],
      [7, 0.17],
      [14, 0.26],
      [21, 0.19],
      [28, 0.2],
    ])!;
    expect(fit.slope).toBeCloseTo(3 / 1400, 12);
    expect(fit.intercept).toBeCloseTo(0.145, 12);
    // n = 5, N = 10, C = 1.28155·√(5·4·15/18) = 5.2320: ranks (10 − 5.232)/2 = 2.38 → 2 and (10 + 5.232)/2 + 1 = 8.62 → 9.
    expect(fit.slopeLow).toBeCloseTo(-0.06 / 14, 12);
    expect(fit.slopeHigh).toBeCloseTo(0.14 / 14, 12);
    // Pivot at the median day 14: 0.145 + 14·3/1400 = 0.175. |residuals| 0.025, 0.01, 0.085, 0, 0.005 → the 80th
    // percentile (type 7) is 0.025 + 0.2·(0.085 − 0.025) = 0.037.
    expect(fit.pivotY).toBeCloseTo(0.175, 12);
    expect(fit.residualSpread).toBeCloseTo(0.037, 12);
    const at84 = predict(fit, 84);
    expect(at84.value).toBeCloseTo(0.325, 12);
    expect(at84.low).toBeCloseTo(0.175 - 0.3 - 0.037, 12);
    expect(at84.high).toBeCloseTo(0.175 + 0.7 + 0.037, 12);
  });

  it('ignores one wild reading that drags least squares away', () => {
    // y = 2x except a 1000 at x = 4: least squares would give slope ≈ 84; Theil–Sen keeps 2.
    const fit = theilSen([
      [0, 0],
      [1, 2],
      [2, 4],
      [3, 6],
      [4, 1000],
      [5, 10],
      [6, 12],
    ])!;
    expect(fit.slope).toBe(2);
    expect(fit.intercept).toBe(0);
  });

  it('is exact on a line, with a collapsed interval', () => {
    const fit = theilSen([
      [20000, 100],
      [20030, 160],
      [20060, 220],
    ])!;
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(predict(fit, 20090)).toEqual({ value: expect.closeTo(280, 8), low: expect.closeTo(280, 8), high: expect.closeTo(280, 8) });
  });

  it('has no fit without two distinct x', () => {
    expect(theilSen([])).toBeUndefined();
    expect(theilSen([[1, 5]])).toBeUndefined();
    expect(
      theilSen([
        [3, 1],
        [3, 2],
      ]),
    ).toBeUndefined();
  });

  it('median and type-7 quantile', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([0, 10], 0.8)).toBeCloseTo(8, 12);
    expect(quantile([5], 0.8)).toBe(5);
  });
});
