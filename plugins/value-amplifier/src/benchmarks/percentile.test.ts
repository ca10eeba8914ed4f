import { percentile, quartiles } from './percentile';

describe('percentile (type 7, Excel PERCENTILE.INC)', () => {
  it('matches hand-computed values', () => {
    // Sorted 1, 2, 3, 4: P25 at h = 0.75 → 1.75; P50 at 1.5 → 2.5; P75 at 2.25 → 3.25.
    expect(quartiles([4, 1, 3, 2])).toEqual({ p25: 1.75, p50: 2.5, p75: 3.25 });
    expect(percentile([10], 0.9)).toBe(10);
    expect(percentile([5, 1], 0)).toBe(1);
    expect(percentile([5, 1], 1)).toBe(5);
    expect(quartiles([])).toEqual({ p25: null, p50: null, p75: null });
  });
});
