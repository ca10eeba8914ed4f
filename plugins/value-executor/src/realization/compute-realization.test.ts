import type { Commitment } from '@valueverse/plugin-value-committer/api';
import { commitmentFixture } from '../__fixtures__/commitment-fixture';
import { computeRealization, type SeriesPoint } from './compute-realization';

const at = (iso: string) => new Date(iso);
const point = (metric: string, value: number, measuredAt: string): SeriesPoint => ({ metric, value, measuredAt: at(measuredAt) });

// hours_saved: 100 on Jan 1, 160 on Jan 31 (day 30), 220 on Mar 2 (day 60): exactly 2 h/day.
// tickets_deflected: 200 on Feb 1, 520 on Mar 1. The fixture was signed on 2025-12-15.
const points: SeriesPoint[] = [
  point('hours_saved', 160, '2026-01-31'),
  point('hours_saved', 100, '2026-01-01'),
  point('hours_saved', 220, '2026-03-02'),
  point('tickets_deflected', 200, '2026-02-01'),
  point('tickets_deflected', 520, '2026-03-01'),
  point('unrelated', 9, '2026-01-01'),
];

/** The issue #11 helpdesk commitment: 8,000 tickets by 2027-11-26 and a 0.25 deflection rate by 2027-06-30. */
function helpdesk(overrides: Partial<Commitment> = {}): Commitment {
  return commitmentFixture({
    createdAt: '2026-11-20T00:00:00.000Z',
    signedAt: '2026-11-30T00:00:00.000Z',
    drivers: [],
    milestones: [
      { id: 'ms-tickets', title: 'Tickets', dueDate: '2027-11-26', metric: 'tickets_deflected', target: 8000 },
      { id: 'ms-rate', title: 'Rate', dueDate: '2027-06-30', metric: 'deflection_rate', target: 0.25 },
    ],
    metrics: [
      { key: 'tickets_deflected', kind: 'cumulative', unit: 'tickets', min: 0, max: null, valueAtStake: 60_000 },
      { key: 'deflection_rate', kind: 'level', unit: 'share of tickets', min: 0, max: 1, valueAtStake: 20_000 },
    ],
    ...overrides,
  });
}
// deflection_rate readings a week apart from 2027-01-04 (day 0): the 0.26 is one day's value.
const rates = [
  point('deflection_rate', 0.12, '2027-01-04'),
  point('deflection_rate', 0.17, '2027-01-11'),
  point('deflection_rate', 0.26, '2027-01-18'),
  point('deflection_rate', 0.19, '2027-01-25'),
  point('deflection_rate', 0.2, '2027-02-01'),
];

describe('computeRealization', () => {
  const commitment = commitmentFixture();

  it('issue #11 case 1: two cumulative readings a day apart are insufficient data, not a 216,300 projection', () => {
    const two = [point('tickets_deflected', 300, '2026-12-01'), point('tickets_deflected', 900, '2026-12-02')];
    const [tickets] = computeRealization(helpdesk(), two, at('2026-12-03')).milestones;
    expect(tickets).toMatchObject({ status: 'insufficient-data', actual: 900, projected: null, trendPerDay: null, projection: null });
    expect(tickets!.insufficientDataReason).toBe('needs at least 3 readings; has 2');
    // A third reading is not enough either: 2 days against max(14 days, 15% of Nov 30 → Nov 26, 361 days = 54.2).
    const three = computeRealization(helpdesk(), [...two, point('tickets_deflected', 1500, '2026-12-03')], at('2026-12-04')).milestones[0]!;
    expect(three.status).toBe('insufficient-data');
    expect(three.insufficientDataReason).toMatch(/span 2 days; a projection needs at least 54.2/);
  });

  it('issue #11 case 2: a level is judged on its trailing average, not on the one-day 0.26, and projected as a level', () => {
    // Signed on Jan 1 for the rate programme.
    const c = helpdesk({ signedAt: '2027-01-01T00:00:00.000Z' });
    const r = computeRealization(c, rates, at('2027-02-02'));
    const rate = r.milestones[1]!;
    // 30-day trailing average of all five: 0.94 / 5 = 0.188 < 0.25 — not achieved.
    expect(rate).toMatchObject({ status: 'on-track', kind: 'level', basis: 'trailing-average', windowDays: 30, latestReading: 0.2, measurements: 5 });
    expect(rate.actual).toBeCloseTo(0.188, 12);
    expect(rate.ratio).toBeCloseTo(0.752, 12);
    // Theil–Sen (see theil-sen.test.ts): slope 3/1400 per day, intercept 0.145 at Jan 4. Span 28 days ≥ max(14, 15% of
    // Jan 1 → Jun 30 = 27): projected, but only to Feb 1 + 2 × 28 days = Mar 29 (day 84): 0.145 + 84·3/1400 = 0.325,
    // interval [0 (clamped from −0.162), 0.912]. Plan: 0.12 on Jan 1 → 0.25 on Jun 30, at Mar 29 (day 87 of 180):
    // 0.12 + 0.13·87/180 = 0.182833 — inside the interval: on track, not achieved and not projected at 0.62.
    expect(rate.projected).toBeNull();
    expect(rate.projection).toMatchObject({ at: '2027-03-29', capped: true, low: 0 });
    expect(rate.projection!.note).toMatch(/^projected to 2027-03-29 only: at most twice the observed span/);
    expect(rate.projection!.value).toBeCloseTo(0.325, 12);
    expect(rate.projection!.high).toBeCloseTo(0.912, 12);
    expect(rate.projection!.planned).toBeCloseTo(0.12 + (0.13 * 87) / 180, 12);
    expect(rate.trendPerDay).toBeCloseTo(3 / 1400, 12);
    // As of Jan 19, three readings over 14 days cannot project a rate due in June (needs 27 days).
    expect(computeRealization(c, rates, at('2027-01-19')).milestones[1]!.status).toBe('insufficient-data');
  });

  it('a rate without a declaration is a level bounded 0..1 by default', () => {
    const r = computeRealization(helpdesk({ metrics: [], signedAt: '2027-01-01T00:00:00.000Z' }), rates, at('2027-02-02'));
    expect(r.milestones[1]).toMatchObject({ kind: 'level', status: 'on-track', basis: 'trailing-average' });
    expect(r.metrics.find((m) => m.metric === 'deflection_rate')).toMatchObject({ kind: 'level', declared: false });
  });

  it('weighs the overall figure by value at stake over measured metrics; an unmeasured one is listed, not a 0', () => {
    const tickets = [point('tickets_deflected', 200, '2026-12-10'), point('tickets_deflected', 500, '2027-01-20')];
    const r = computeRealization(helpdesk(), [...tickets, ...rates], at('2027-02-02'));
    // The unweighted (500/8000 + 0.20/0.25)/2 = 0.43125 mixed a count with one day's rate. Now: tickets
    // 60,000 of 80,000 at stake (weight 0.75) at 500/8000 = 0.0625; the rate (0.25) at 0.188/0.25 = 0.752.
    expect(r.overall).toBeCloseTo(0.75 * 0.0625 + 0.25 * 0.752, 12);
    expect(r.coverage).toBeCloseTo(1, 12);
    expect(r.metrics.map((m) => [m.metric, m.weight, m.valueAtStake])).toEqual([
      ['tickets_deflected', 0.75, 60_000],
      ['deflection_rate', 0.25, 20_000],
    ]);
    // Plan to date (Feb 2): tickets 0 on Nov 30 → 8,000 on Nov 26 (361 days), day 64 → 8000·64/361; the rate
    // 0.12 on Nov 30 (the commitment's start) → 0.25 on Jun 30 (212 days), day 64.
    const ticketsPlanned = (8000 * 64) / 361 / 8000;
    const ratePlanned = (0.12 + (0.13 * 64) / 212) / 0.25;
    expect(r.plannedToDate).toBeCloseTo(0.75 * ticketsPlanned + 0.25 * ratePlanned, 12);

    const ticketsOnly = computeRealization(helpdesk(), tickets, at('2027-02-02'));
    expect(ticketsOnly.overall).toBeCloseTo(0.0625, 12);
    expect(ticketsOnly.coverage).toBeCloseTo(0.75, 12);
    expect(ticketsOnly.unmeasured).toEqual(['deflection_rate']);
    expect(ticketsOnly.metrics[1]).toMatchObject({ measured: false, value: null, ratio: null });
  });

  it('evaluates success criteria on their window: met, not met, insufficient data, with the value used', () => {
    const c = helpdesk({
      successCriteria: [
        { id: 'sc-rate', metric: 'deflection_rate', operator: '>=', threshold: 0.2, windowDays: 30 },
        { id: 'sc-rate-week', metric: 'deflection_rate', operator: '>=', threshold: 0.2, windowDays: 7 },
        { id: 'sc-tickets', metric: 'tickets_deflected', operator: '>', threshold: 400, windowDays: 90 },
      ],
    });
    const r = computeRealization(c, [point('tickets_deflected', 500, '2027-01-20'), ...rates], at('2027-02-02'));
    expect(r.successCriteria.map((s) => [s.criterionId, s.status, s.basis, s.readings])).toEqual([
      ['sc-rate', 'not-met', 'average', 5],
      // One reading in the week: a rate is never judged on one day.
      ['sc-rate-week', 'insufficient-data', 'average', 1],
      ['sc-tickets', 'met', 'latest-total', 1],
    ]);
    expect(r.successCriteria[0]!.value).toBeCloseTo(0.188, 12);
    expect(r.successCriteria[1]!.value).toBeNull();
    expect(r.successCriteria[2]).toMatchObject({ value: 500, windowStart: '2026-11-04T00:00:00.000Z', windowEnd: '2027-02-02T00:00:00.000Z' });
    // The criterion's window is the level's trailing window.
    expect(r.milestones[1]!.windowDays).toBe(30);
  });

  it('sums a flow toward its target and over a criterion window', () => {
    const c = helpdesk({
      milestones: [{ id: 'ms-flow', title: 'Tickets', dueDate: '2027-03-01', metric: 'tickets_deflected', target: 1000 }],
      metrics: [{ key: 'tickets_deflected', kind: 'flow', unit: 'tickets/week', min: 0, max: null, aggregate: 'sum' }],
      successCriteria: [{ id: 'sc', metric: 'tickets_deflected', operator: '>=', threshold: 200, windowDays: 14 }],
    });
    const weekly = ['2026-12-07', '2026-12-14', '2026-12-21', '2026-12-28'].map((d) => point('tickets_deflected', 100, d));
    const r = computeRealization(c, weekly, at('2026-12-28'));
    // Running total 400 after four weeks of 100; 100/7 a day. Window Nov 30 → Mar 1 (91 days): 15% = 13.65 → 14 days
    // needed, 21 observed. Projection to Mar 1 capped at Dec 28 + 42 days = Feb 8: 400 + 42·100/7 = 1000.
    expect(r.milestones[0]).toMatchObject({ actual: 400, basis: 'running-total', kind: 'flow' });
    expect(r.milestones[0]!.projection).toMatchObject({ at: '2027-02-08', capped: true });
    expect(r.milestones[0]!.projection!.value).toBeCloseTo(1000, 9);
    // Plan at Feb 8: 0 on Nov 30 → 1,000 on Mar 1, day 70 of 91 = 769.2 ≤ 1,000: on track.
    expect(r.milestones[0]!.status).toBe('on-track');
    // Window (Dec 14, Dec 28]: the periods ending Dec 21 and Dec 28.
    expect(r.successCriteria[0]).toMatchObject({ status: 'met', value: 200, basis: 'period-sum', readings: 2 });
  });

  it('projects the fixture with Theil–Sen against the time-phased plan (hand-computed)', () => {
    const r = computeRealization(commitment, points, at('2026-03-03T00:00:00Z'));
    const [q1, year, tickets] = r.milestones;
    // Trend y = 100 + 2·(days since Jan 1); Mar 31 is day 89 → 278 < the plan's 300: at risk.
    expect(q1).toMatchObject({ milestoneId: 'ms-q1', actual: 220, status: 'at-risk', measurements: 3 });
    expect(q1!.projected).toBeCloseTo(278, 9);
    expect(q1!.trendPerDay).toBeCloseTo(2, 12);
    expect(q1!.ratio).toBeCloseTo(220 / 300, 12);
    expect(q1!.variance).toBeCloseTo(-80 / 300, 12);
    // Dec 31 is beyond Mar 2 + 2 × 60 days = Jun 30 (day 180): projected there, 460, against the plan's
    // 300 + 900·91/275 = 597.8 (Mar 31 → Dec 31 is 275 days): at risk, and no value claimed for Dec 31.
    expect(year).toMatchObject({ status: 'at-risk', projected: null });
    expect(year!.projection).toMatchObject({ at: '2026-06-30', capped: true, value: 460, low: 460, high: 460 });
    expect(year!.projection!.planned).toBeCloseTo(300 + (900 * 91) / 275, 9);
    expect(tickets).toMatchObject({ actual: 520, status: 'achieved', ratio: 1.04 });
    expect(r.atRisk).toBe(true);
  });

  it('weighs equal shares of the committed value without declarations, and keeps driver variances', () => {
    const r = computeRealization(commitment, points, at('2026-03-03T00:00:00Z'));
    // hours: 220 / 1200 (year-end target); tickets: 520 / 500; 40,000 of the 80,000 committed each.
    expect(r.overall).toBeCloseTo((220 / 1200 + 1.04) / 2, 12);
    expect(r.overallBasis).toBe('milestone-metrics');
    expect(r.metrics.map((m) => m.valueAtStake)).toEqual([40_000, 40_000]);
    // Plan to date (Mar 3 = day 78 from Dec 15): hours 300·78/106 of 1200; tickets 500·78/197 of 500.
    expect(r.plannedToDate).toBeCloseTo(((300 * 78) / 106 / 1200 + 78 / 197) / 2, 12);
    expect(r.drivers).toEqual([
      { key: 'hours_saved', committed: 1200, actual: 220, variance: expect.closeTo((220 - 1200) / 1200, 12) },
      { key: 'tickets_deflected', committed: 500, actual: 520, variance: expect.closeTo(0.04, 12) },
    ]);
  });

  it("judges the status on the interval's upper bound, not the point projection: a plan between them is on track", () => {
    // Running total 0, 200, 200, 300 on days 0, 10, 20, 30 (Jan 1 → Jan 31), signed Jan 1, due Mar 2 (day 60, within
    // the 2 × 30-day cap). Worked by hand (Theil 1950, Sen 1968; limits as in Gilbert 1987 §16.5): pairwise slopes
    // 20, 10, 10, 0, 5, 10 → sorted 0, 5, 10, 10, 10, 20, median 10/day; intercept median(0, 100, 0, 0) = 0.
    // C = 1.28155·√(4·3·13/18) = 3.7728: ranks round((6 − C)/2) = 1 and round((6 + C)/2 + 1) = 6 → slopes 0 and 20.
    // Pivot day 15 (value 150); |residuals| 0, 100, 0, 0 → 80th percentile (type 7) 40. At day 60: point 600,
    // high 150 + 20·45 + 40 = 1090, low 150 + 0·45 − 40 = 110, raised to the running total 300. scipy's
    // theilslopes(alpha=0.8) gives the same slope limits (issue #11 evidence script).
    const c = (target: number) =>
      commitmentFixture({ signedAt: '2026-01-01T00:00:00.000Z', metrics: [], milestones: [{ id: 'ms', title: 'Hours', dueDate: '2026-03-02', metric: 'hours_saved', target }] });
    const series = [
      point('hours_saved', 0, '2026-01-01'),
      point('hours_saved', 200, '2026-01-11'),
      point('hours_saved', 200, '2026-01-21'),
      point('hours_saved', 300, '2026-01-31'),
    ];
    const onTrack = computeRealization(c(1000), series, at('2026-02-01')).milestones[0]!;
    expect(onTrack.projection).toMatchObject({ at: '2026-03-02', capped: false, low: 300 });
    expect(onTrack.projection!.value).toBeCloseTo(600, 9);
    expect(onTrack.projection!.high).toBeCloseTo(1090, 9);
    // The plan reaches the target on the due date: 1,000 is above the point 600 but inside the interval.
    expect(onTrack.projection!.planned).toBeCloseTo(1000, 9);
    expect(onTrack).toMatchObject({ status: 'on-track', projected: expect.closeTo(600, 9) });
    // 1,100 is above the upper bound 1,090: at risk.
    expect(computeRealization(c(1100), series, at('2026-02-01')).milestones[0]!.status).toBe('at-risk');
  });

  it('ignores measurements after asOf', () => {
    const r = computeRealization(commitment, points, at('2026-02-15T00:00:00Z'));
    expect(r.milestones[0]).toMatchObject({ actual: 160, measurements: 2, status: 'insufficient-data' });
    expect(r.milestones[2]).toMatchObject({ actual: 200, status: 'insufficient-data', measurements: 1, projected: null, trendPerDay: null });
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

  it('is on track when the plan is inside or below the interval, insufficient data without readings', () => {
    const steep = [point('hours_saved', 100, '2026-01-01'), point('hours_saved', 175, '2026-01-16'), point('hours_saved', 250, '2026-01-31')];
    // 5 h/day → 100 + 5·89 = 545 ≥ 300 by Mar 31 (within Jan 31 + 60 days).
    expect(computeRealization(commitment, steep, at('2026-02-01')).milestones[0]).toMatchObject({ status: 'on-track', projected: 545 });
    const none = computeRealization(commitment, [], at('2026-02-01'));
    expect(none.milestones.map((m) => m.status)).toEqual(['insufficient-data', 'insufficient-data', 'insufficient-data']);
    expect(none.milestones[0]).toMatchObject({ actual: null, ratio: 0, variance: null });
    expect(none).toMatchObject({ overall: 0, coverage: 0, atRisk: false, plannedToDate: null, unmeasured: ['hours_saved', 'tickets_deflected'] });
  });

  it('falls back to measured drivers without milestones, and to 0 with neither', () => {
    const driversOnly = computeRealization(commitmentFixture({ milestones: [] }), points, at('2026-03-03'));
    expect(driversOnly.overallBasis).toBe('drivers');
    expect(driversOnly.overall).toBeCloseTo((220 / 1200 + 520 / 500) / 2, 12);
    expect(driversOnly.plannedToDate).toBeNull();
    const oneMeasured = computeRealization(
      commitmentFixture({ milestones: [] }),
      points.filter((p) => p.metric !== 'tickets_deflected'),
      at('2026-03-03'),
    );
    expect(oneMeasured.overall).toBeCloseTo(220 / 1200, 12);
    expect(oneMeasured.unmeasured).toEqual(['tickets_deflected']);
    const empty = computeRealization(commitmentFixture({ milestones: [], drivers: [] }), points, at('2026-03-03'));
    expect(empty).toMatchObject({ overall: 0, overallBasis: 'none', atRisk: false });
  });
});
