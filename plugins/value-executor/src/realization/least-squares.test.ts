import { leastSquares, valueAt } from './least-squares';

describe('leastSquares', () => {
  it('fits the textbook example: (1,1) (2,3) (3,2) (4,4) → y = 0.5 + 0.8x', () => {
    const trend = leastSquares([[1, 1], [2, 3], [3, 2], [4, 4]])!;
    expect(trend.slope).toBeCloseTo(0.8, 12);
    expect(trend.intercept).toBeCloseTo(0.5, 12);
    expect(valueAt(trend, 10)).toBeCloseTo(8.5, 12);
  });

  it('is exact for points on a line far from the origin (epoch days)', () => {
    const trend = leastSquares([[20000, 100], [20030, 160], [20060, 220]])!;
    expect(trend.slope).toBeCloseTo(2, 10);
    expect(valueAt(trend, 20090)).toBeCloseTo(280, 8);
  });

  it('has no trend with fewer than two points or a single x', () => {
    expect(leastSquares([])).toBeUndefined();
    expect(leastSquares([[1, 5]])).toBeUndefined();
    expect(leastSquares([[3, 1], [3, 2]])).toBeUndefined();
  });
});
