import type { MilestoneRealization, RealizationReport } from '../lifecycle-data';
import { realizationTimeline, toMeasurements } from './realization-series';

const milestone = (dueDate: string, target: number, status: string, extra: Partial<MilestoneRealization> = {}): MilestoneRealization => ({
  milestoneId: dueDate,
  title: dueDate,
  metric: 'tickets',
  dueDate,
  target,
  actual: null,
  projected: null,
  variance: null,
  status,
  basis: 'running-total',
  projection: null,
  insufficientDataReason: null,
  ...extra,
});

const report = (milestones: MilestoneRealization[]): RealizationReport => ({
  commitmentId: 'c1',
  title: 'Helpdesk',
  asOf: '2026-04-01T12:00:00.000Z',
  overall: 0.4,
  outlook: 'on-track',
  atRisk: false,
  drivers: [],
  milestones,
});

const measurements = toMeasurements({
  items: [
    { metric: 'tickets', value: 12, measuredAt: '2026-03-15T00:00:00Z' },
    { metric: 'tickets', value: 8, measuredAt: '2026-01-15T00:00:00Z' },
    { metric: 'other', value: 999, measuredAt: '2026-01-20T00:00:00Z' },
    { bad: true },
  ],
});

describe('realizationTimeline', () => {
  it('plots each reading where it was taken, summed for a running total, and the committed path through the milestones', () => {
    const [t] = realizationTimeline(report([milestone('2026-06-30', 40, 'on-track'), milestone('2026-01-31', 10, 'achieved')]), measurements);
    expect(t!.metric).toBe('tickets');
    expect(t!.actual).toEqual([
      { at: '2026-01-15', value: 8 },
      { at: '2026-03-15', value: 20 },
    ]);
    expect(t!.committed).toEqual([
      { at: '2026-01-15', value: 0 },
      { at: '2026-01-31', value: 10 },
      { at: '2026-06-30', value: 40 },
    ]);
  });

  it('shows the engine’s projection of the next open milestone from the last actual, with its interval', () => {
    const projection = { at: '2026-06-30', value: 30, low: 25, high: 36, capped: false, note: null };
    const [t] = realizationTimeline(report([milestone('2026-01-31', 10, 'achieved'), milestone('2026-06-30', 40, 'at-risk', { projection })]), measurements);
    expect(t!.projection).toEqual({ from: { at: '2026-03-15', value: 20 }, to: { at: '2026-06-30', value: 30, low: 25, high: 36 }, note: null });
    expect(t!.insufficientData).toBeNull();
  });

  it('makes no projection of its own when the engine says insufficient data', () => {
    const [t] = realizationTimeline(report([milestone('2026-06-30', 40, 'insufficient-data', { insufficientDataReason: 'needs at least 3 readings; has 2' })]), measurements);
    expect(t!.projection).toBeNull();
    expect(t!.insufficientData).toBe('needs at least 3 readings; has 2');
  });

  it('plots a level’s readings as they are', () => {
    const [t] = realizationTimeline(report([milestone('2026-06-30', 90, 'on-track', { basis: 'trailing-average' })]), measurements);
    expect(t!.actual.map((p) => p.value)).toEqual([8, 12]);
    expect(t!.committed[0]).toEqual({ at: '2026-01-15', value: 8 });
  });
});
