import type { RealizationReport } from '../lifecycle-data';
import { realizationSeries, toMeasurements } from './realization-series';

const milestone = (dueDate: string, target: number, actual: number | null, projected: number | null) => ({
  milestoneId: dueDate,
  title: dueDate,
  metric: 'tickets',
  dueDate,
  target,
  actual,
  projected,
  variance: null,
  status: 'pending',
});

const report: RealizationReport = {
  commitmentId: 'c1',
  title: 'Helpdesk',
  asOf: '2026-04-01T12:00:00.000Z',
  overall: 0.4,
  outlook: 'on-track',
  atRisk: false,
  drivers: [],
  milestones: [milestone('2026-06-30', 20, 12, 19), milestone('2026-01-31', 10, 12, null), milestone('2026-12-31', 30, 12, 31)],
};

describe('realizationSeries', () => {
  it('plots milestones in time with today between them: actual up to today, projected after', () => {
    const measurements = toMeasurements({
      items: [
        { metric: 'tickets', value: 8, measuredAt: '2026-01-15T00:00:00Z' },
        { metric: 'tickets', value: 12, measuredAt: '2026-03-15T00:00:00Z' },
        { metric: 'other', value: 999, measuredAt: '2026-01-20T00:00:00Z' },
        { bad: true },
      ],
    });
    const s = realizationSeries(report, measurements);
    expect(s.labels).toEqual(['2026-01-31', 'today', '2026-06-30', '2026-12-31']);
    expect(s.actual).toEqual([8, 12, null, null]);
    expect(s.projected).toEqual([null, 12, 19, 31]);
    expect(s.committed[0]).toBe(10);
    // Today's committed value is interpolated between the milestones around it (Jan 31 → Jun 30: 10 → 20).
    expect(s.committed[1]).toBeGreaterThan(10);
    expect(s.committed[1]).toBeLessThan(20);
  });

  it('falls back to the report’s latest actual without a measurement history', () => {
    const s = realizationSeries({ ...report, asOf: '2027-02-01T00:00:00Z' }, []);
    expect(s.labels).toEqual(['2026-01-31', '2026-06-30', '2026-12-31', 'today']);
    expect(s.actual).toEqual([null, null, null, 12]);
    expect(s.projected.every((v) => v === null)).toBe(true);
  });
});
