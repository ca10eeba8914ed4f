import { canAmend, listOf, toHypotheses, toRealization, toRecommendations, type Commitment } from './lifecycle-data';

describe('lifecycle plugin answers', () => {
  it('reads list answers bare or as cursor pages', () => {
    expect(listOf([1, 2])).toEqual([1, 2]);
    expect(listOf({ items: [1], nextCursor: null })).toEqual([1]);
    expect(listOf({ recommendations: [3] }, 'recommendations')).toEqual([3]);
    expect(listOf('nope')).toEqual([]);
  });

  it('only signed or active versions not amended yet can be amended', () => {
    const c = (status: Commitment['status'], amendedBy: string | null = null) => ({ status, amendedBy }) as Commitment;
    expect([c('draft'), c('signed', 'c2'), c('signed'), c('active'), c('closed')].map(canAmend)).toEqual([false, false, true, true, false]);
  });

  it('reads a realization report with milestones in due order', () => {
    const r = toRealization({
      commitmentId: 'c1',
      overall: 0.5,
      atRisk: true,
      milestones: [
        { milestoneId: 'b', dueDate: '2026-06-01', target: 2 },
        { milestoneId: 'a', dueDate: '2026-01-01', target: 1, actual: 1 },
      ],
    });
    expect(r!.milestones.map((m) => m.milestoneId)).toEqual(['a', 'b']);
    expect(r!.milestones[1]!.actual).toBeNull();
    expect(r!.atRisk).toBe(true);
    expect(toRealization(null)).toBeUndefined();
  });

  it('reads recommendations in rank order and hypotheses with their driver range', () => {
    const rec = toRecommendations({
      currency: 'USD',
      realization: 0.4,
      recommendations: [
        { rank: 2, label: 'B' },
        { rank: 1, label: 'A', valueImpact: -10 },
      ],
      unmeasured: ['x'],
    });
    expect(rec.recommendations.map((r) => r.label)).toEqual(['A', 'B']);
    expect(rec.unmeasured).toEqual(['x']);
    const h = toHypotheses({
      source: 'library',
      provider: null,
      hypotheses: [
        {
          title: 'T',
          statement: 'S',
          driver: { key: 'k', label: 'K', unit: 'h', range: { min: 1, typical: 2, max: 3 } },
          formula: 'k * 2',
          estimatedAnnualValue: 100,
          confidence: 'high',
        },
      ],
    });
    expect(h.hypotheses[0]!.driver).toEqual({ key: 'k', label: 'K', unit: 'h', min: 1, typical: 2, max: 3 });
  });
});
