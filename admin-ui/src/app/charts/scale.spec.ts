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
  });

  it('labels numbers compactly, with a real minus sign', () => {
    expect(compactNumber(1_250_000)).toBe('1.25M');
    expect(compactNumber(-45_000)).toBe('−45k');
    expect(compactNumber(300)).toBe('300');
  });
});
