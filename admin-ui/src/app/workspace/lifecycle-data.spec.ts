import { canAmend, listOf, toCommitments, toHypotheses, toRealization, toRecommendations } from './lifecycle-data';

describe('lifecycle plugin answers', () => {
  it('reads list answers bare or as cursor pages', () => {
    expect(listOf([1, 2])).toEqual([1, 2]);
    expect(listOf({ items: [1], nextCursor: null })).toEqual([1]);
    expect(listOf({ recommendations: [3] }, 'recommendations')).toEqual([3]);
    expect(listOf('nope')).toEqual([]);
  });

  it('reads commitments, skipping entries without an id', () => {
    const [c] = toCommitments({
      items: [{ id: 'c1', title: 'Helpdesk', status: 'active', committedValue: 1000, currency: 'EUR', milestones: [{ id: 'm1', title: 'Pilot', dueDate: '2026-01-31', metric: 'x', target: 5 }] }, { title: 'no id' }],
    });
    expect(c).toMatchObject({ id: 'c1', status: 'active', committedValue: 1000, baseValue: null, currency: 'EUR' });
    expect(c!.milestones[0]).toMatchObject({ title: 'Pilot', target: 5 });
  });

  it('reads the amendment links of a commitment; only signed or active versions not amended yet can be amended', () => {
    const [amendment, signed, active, closed] = toCommitments({
      items: [
        { id: 'c2', status: 'draft', version: 2, previousVersionId: 'c1', amendmentReason: 'Second plant', amendedBy: null },
        { id: 'c1', status: 'signed', version: 1, previousVersionId: null, amendedBy: 'c2' },
        { id: 'c3', status: 'active' },
        { id: 'c4', status: 'closed' },
      ],
    });
    expect(amendment).toMatchObject({ previousVersionId: 'c1', amendedBy: null, amendmentReason: 'Second plant' });
    expect(signed).toMatchObject({ previousVersionId: null, amendedBy: 'c2', amendmentReason: null });
    expect([amendment, signed, active, closed].map((c) => canAmend(c!))).toEqual([false, false, true, false]);
  });

  it('reads a realization report with milestones in due order', () => {
    const r = toRealization({ commitmentId: 'c1', overall: 0.5, atRisk: true, milestones: [{ milestoneId: 'b', dueDate: '2026-06-01', target: 2 }, { milestoneId: 'a', dueDate: '2026-01-01', target: 1, actual: 1 }] });
    expect(r!.milestones.map((m) => m.milestoneId)).toEqual(['a', 'b']);
    expect(r!.milestones[1]!.actual).toBeNull();
    expect(r!.atRisk).toBe(true);
    expect(toRealization(null)).toBeUndefined();
  });

  it('reads recommendations in rank order and hypotheses with their driver range', () => {
    const rec = toRecommendations({ currency: 'USD', realization: 0.4, recommendations: [{ rank: 2, label: 'B' }, { rank: 1, label: 'A', valueImpact: -10 }], unmeasured: ['x'] });
    expect(rec.recommendations.map((r) => r.label)).toEqual(['A', 'B']);
    expect(rec.unmeasured).toEqual(['x']);
    const h = toHypotheses({ source: 'library', provider: null, hypotheses: [{ title: 'T', statement: 'S', driver: { key: 'k', label: 'K', unit: 'h', range: { min: 1, typical: 2, max: 3 } }, formula: 'k * 2', estimatedAnnualValue: 100, confidence: 'high' }] });
    expect(h.hypotheses[0]!.driver).toEqual({ key: 'k', label: 'K', unit: 'h', min: 1, typical: 2, max: 3 });
  });
});
