import { commitmentFixture } from '../__fixtures__/commitment-fixture';
import { computeRealization, type SeriesPoint } from './compute-realization';

const at = (iso: string) => new Date(iso);
const point = (metric: string, value: number, measuredAt: string): SeriesPoint => ({ metric, value, measuredAt: at(measuredAt) });

// hours_saved: 100 on Jan 1, 160 on Jan 31 (day 30), 220 on Mar 2 (day 60): exactly 2 h/day.
// tickets_deflected: 200 on Feb 1, 520 on Mar 1.
const points: SeriesPoint[] = [
  point('hours_saved', 160, '2026-01-31'),
  point('hours_saved', 100, '2026-01-01'),
  point('hours_saved', 220, '2026-03-02'),
  point('tickets_deflected', 200, '2026-02-01'),
  point('tickets_deflected', 520, '2026-03-01'),
  point('unrelated', 9, '2026-01-01'),
];

describe('computeRealization', () => {
  const commitment = commitmentFixture();

  it('computes actual, ratio, variance and the projected trend per milestone (hand-computed)', () => {
    const r = computeRealization(commitment, points, at('2026-03-03T00:00:00Z'));
    const [q1, year, tickets] = r.milestones;
    // Trend y = 100 + 2·(days since Jan 1): Mar 31 is day 89 → 278; Dec 31 is day 364 → 828.
    expect(q1).toMatchObject({ milestoneId: 'ms-q1', actual: 220, status: 'at-risk', measurements: 3 });
    expect(q1!.projected).toBeCloseTo(278, 9);
    expect(q1!.trendPerDay).toBeCloseTo(2, 12);
    expect(q1!.ratio).toBeCloseTo(220 / 300, 12);
    expect(q1!.variance).toBeCloseTo(-80 / 300, 12);
    expect(year!.projected).toBeCloseTo(828, 9);
    expect(year!.status).toBe('at-risk');
    expect(tickets).toMatchObject({ actual: 520, status: 'achieved', ratio: 1.04 });
    expect(r.atRisk).toBe(true);
  });

  it('weighs each milestone metric the same against its final target for the overall figure', () => {
    const r = computeRealization(commitment, points, at('2026-03-03T00:00:00Z'));
    // hours: 220 / 1200 (year-end target); tickets: 520 / 500 → (0.183333 + 1.04) / 2.
    expect(r.overall).toBeCloseTo((220 / 1200 + 1.04) / 2, 12);
    expect(r.overallBasis).toBe('milestone-metrics');
    expect(r.drivers).toEqual([
      { key: 'hours_saved', committed: 1200, actual: 220, variance: expect.closeTo((220 - 1200) / 1200, 12) },
      { key: 'tickets_deflected', committed: 500, actual: 520, variance: expect.closeTo(0.04, 12) },
    ]);
  });

  it('ignores measurements after asOf', () => {
    const r = computeRealization(commitment, points, at('2026-02-15T00:00:00Z'));
    expect(r.milestones[0]).toMatchObject({ actual: 160, measurements: 2 });
    expect(r.milestones[2]).toMatchObject({ actual: 200, status: 'pending', measurements: 1, projected: null, trendPerDay: null });
  });

  it('marks a milestone missed once its due date is over, not before', () => {
    expect(computeRealization(commitment, points, at('2026-03-31T23:59:59Z')).milestones[0]!.status).toBe('at-risk');
    expect(computeRealization(commitment, points, at('2026-04-01T00:00:00Z')).milestones[0]!.status).toBe('missed');
  });

  it('counts a reading taken on the due date as achieved in time, and a later one as too late', () => {
    const onTime = [...points, point('hours_saved', 300, '2026-03-31T18:00:00Z')];
    expect(computeRealization(commitment, onTime, at('2026-05-01')).milestones[0]!.status).toBe('achieved');
    const late = [...points, point('hours_saved', 300, '2026-04-01T00:00:00Z')];
    expect(computeRealization(commitment, late, at('2026-05-01')).milestones[0]!.status).toBe('missed');
  });

  it('is on track when the trend reaches the target, pending without a trend', () => {
    const steep = [point('hours_saved', 100, '2026-01-01'), point('hours_saved', 250, '2026-01-31')];
    // 5 h/day → 100 + 5·89 = 545 ≥ 300 by Mar 31.
    expect(computeRealization(commitment, steep, at('2026-02-01')).milestones[0]).toMatchObject({ status: 'on-track', projected: 545 });
    const none = computeRealization(commitment, [], at('2026-02-01'));
    expect(none.milestones.map((m) => m.status)).toEqual(['pending', 'pending', 'pending']);
    expect(none.milestones[0]).toMatchObject({ actual: null, ratio: 0, variance: null });
    expect(none.overall).toBe(0);
    expect(none.atRisk).toBe(false);
  });

  it('falls back to drivers without milestones, and to 0 with neither', () => {
    const driversOnly = computeRealization(commitmentFixture({ milestones: [] }), points, at('2026-03-03'));
    expect(driversOnly.overallBasis).toBe('drivers');
    expect(driversOnly.overall).toBeCloseTo((220 / 1200 + 520 / 500) / 2, 12);
    const empty = computeRealization(commitmentFixture({ milestones: [], drivers: [] }), points, at('2026-03-03'));
    expect(empty).toMatchObject({ overall: 0, overallBasis: 'none', atRisk: false });
  });
});
