import type { SensitivityResult } from '@valueverse/plugin-calculation/api';
import { money, rankRecommendations, slopesOf } from './rank-recommendations';

const bar = (driver: string, low: [number, number | null], high: [number, number | null]) => ({
  driver,
  basis: 'point value ±10%',
  low: { input: low[0], value: low[1] },
  high: { input: high[0], value: high[1] },
  swing: low[1] === null || high[1] === null ? null : Math.abs(high[1] - low[1]),
});

describe('slopesOf', () => {
  it('reads Δvalue / Δinput off each bar, signed, skipping bars without both values or without a range', () => {
    const result: SensitivityResult = {
      metric: 'npv',
      base: 0,
      rule: '',
      bars: [bar('a', [90, 900], [110, 1100]), bar('cost', [9, 110], [11, 90]), bar('flat', [5, 7], [5, 7]), bar('broken', [1, null], [2, 3])],
    };
    const slopes = slopesOf(result);
    expect(slopes.get('a')?.perUnit).toBeCloseTo(10, 12);
    expect(slopes.get('cost')?.perUnit).toBeCloseTo(-10, 12);
    expect(slopes.has('flat')).toBe(false);
    expect(slopes.has('broken')).toBe(false);
  });
});

describe('money', () => {
  it('writes amounts as people read them, as the console does (issue 19, bug 7)', () => {
    expect(money(300563.49, 'USD')).toBe('$300,563');
    expect(money(1234.5, 'EUR')).toBe('€1,235');
    expect(money(12.5, 'USD')).toBe('$12.50');
    expect(money(1000, 'XYZW')).toBe('1,000 XYZW');
  });
});

describe('rankRecommendations', () => {
  const meta = (key: string, value: number) => ({ key, label: key.toUpperCase(), unit: 'u', value });
  const slope = (perUnit: number) => ({ perUnit, basis: 'test' });

  it('puts value-losing gaps first by |gap × sensitivity|, then expansion opportunities, and lists the rest', () => {
    const ranked = rankRecommendations(
      [
        { key: 'a', committed: 100, actual: 80, variance: -0.2 }, // −20 × 10 = −200
        { key: 'b', committed: 1000, actual: 700, variance: -0.3 }, // −300 × 2 = −600
        { key: 'c', committed: 50, actual: 60, variance: 0.2 }, // +10 × 5 = +50
        { key: 'cost', committed: 10, actual: 14, variance: 0.4 }, // +4 × −30 = −120: above plan, but a cost
        { key: 'd', committed: 10, actual: 40, variance: 3 }, // +30 × 4 = +120
        { key: 'e', committed: 5, actual: null, variance: null },
        { key: 'f', committed: 5, actual: 5, variance: 0 },
        { key: 'g', committed: 5, actual: 9, variance: 0.8 },
      ],
      [meta('a', 100), meta('b', 1000), meta('c', 50), meta('cost', 10), meta('d', 10), meta('e', 5), meta('f', 5), meta('g', 5)],
      new Map([
        ['a', slope(10)],
        ['b', slope(2)],
        ['c', slope(5)],
        ['cost', slope(-30)],
        ['d', slope(4)],
        ['f', slope(1)],
      ]),
      'USD',
    );
    expect(ranked.recommendations.map((r) => [r.rank, r.kind, r.driver, r.valueImpact])).toEqual([
      [1, 'under-realized', 'b', -600],
      [2, 'under-realized', 'a', -200],
      [3, 'under-realized', 'cost', -120],
      [4, 'expansion', 'd', 120],
      [5, 'expansion', 'c', 50],
    ]);
    expect(ranked.unmeasured).toEqual(['e']);
    expect(ranked.neutral).toEqual(['f', 'g']);
    expect(ranked.recommendations[0]).toMatchObject({ label: 'B', gap: -300, gapRatio: -0.3, sensitivity: 2 });
    expect(ranked.recommendations[0]!.action).toBe('Move B from 700 to the committed 1000 u: $600 of value at stake');
    expect(ranked.recommendations[4]!.action).toBe('C is 10 u above commitment, worth $50.00: an expansion opportunity');
  });

  it('labels a cost below plan a cost saving and a cost above plan under-realized, never an expansion (issue #11 item 11)', () => {
    const ranked = rankRecommendations(
      [
        { key: 'hosting', committed: 100, actual: 80, variance: -0.2 }, // −20 × −3 = +60: a saving
        { key: 'support', committed: 50, actual: 70, variance: 0.4 }, // +20 × −1 = −20: a cost overrun
        { key: 'users', committed: 10, actual: 12, variance: 0.2 }, // +2 × 5 = +10: expansion
      ],
      [meta('hosting', 100), meta('support', 50), meta('users', 10)],
      new Map([
        ['hosting', slope(-3)],
        ['support', slope(-1)],
        ['users', slope(5)],
      ]),
      'USD',
    );
    const byDriver = Object.fromEntries(ranked.recommendations.map((r) => [r.driver, r]));
    expect(byDriver['hosting']).toMatchObject({ kind: 'cost-saving', role: 'cost', direction: 'below-plan', valueImpact: 60 });
    expect(byDriver['hosting']!.action).toBe('HOSTING is 20 u below commitment, a cost saving worth $60.00: keep it there');
    expect(byDriver['support']).toMatchObject({ kind: 'under-realized', role: 'cost', direction: 'above-plan' });
    expect(byDriver['users']).toMatchObject({ kind: 'expansion', role: 'benefit', direction: 'above-plan' });
    expect(ranked.recommendations.map((r) => r.action).filter((a) => a.includes('expansion'))).toEqual([byDriver['users']!.action]);
  });
});
