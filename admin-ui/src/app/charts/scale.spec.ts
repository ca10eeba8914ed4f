import { compactNumber, linearScale, niceTicks } from './scale';

describe('chart scales', () => {
  it('maps a domain linearly onto a range', () => {
    const y = linearScale([0, 100], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(50)).toBe(100);
    expect(y(100)).toBe(0);
  });

  it('picks round ticks covering the data, with an exact zero', () => {
    expect(niceTicks(-60000, 40000, 5)).toEqual([-60000, -40000, -20000, 0, 20000, 40000]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(-0.3, 0.3, 3)).toContain(0);
    // The data never rises above the top tick nor falls below the bottom one (issue 19, bug 7).
    expect(niceTicks(0, 7700, 5)).toEqual([0, 2000, 4000, 6000, 8000]);
    expect(niceTicks(-55000, 101000, 5)).toEqual([-100000, -50000, 0, 50000, 100000, 150000]);
  });

  it('labels numbers compactly, with a real minus sign', () => {
    expect(compactNumber(1_250_000)).toBe('1.25M');
    expect(compactNumber(-45_000)).toBe('−45k');
    expect(compactNumber(300)).toBe('300');
  });
});
