import { displayValue, isPercentUnit, storedValue } from './driver-units';

describe('driver units', () => {
  it('treats shares, ratios and rates as percentages, other units as plain numbers', () => {
    expect(['%', 'ratio', 'share of customers', 'share/year', 'Rate', 'percent'].every(isPercentUnit)).toBe(true);
    expect(['USD/year', 'h/year', 'customers', 'shares traded', undefined].some((u) => isPercentUnit(u))).toBe(false);
  });

  it('shows 0.078 as 7.8 and stores 7.8 as 0.078, without floating-point tails', () => {
    expect(displayValue(0.078, 'ratio')).toBe(7.8);
    expect(displayValue(0.07, 'share of revenue')).toBe(7);
    expect(displayValue(0.015, '%')).toBe(1.5);
    expect(storedValue('7.8', 'ratio')).toBe(0.078);
    expect(storedValue('0.2', 'share of units')).toBe(0.002);
    expect(displayValue(1200, 'USD/year')).toBe(1200);
    expect(storedValue('1200', 'USD/year')).toBe(1200);
    expect(storedValue(' ', 'ratio')).toBeUndefined();
  });
});
