import { toMeasurableCommitment } from './measurable-commitment';

describe('toMeasurableCommitment', () => {
  it('offers the milestones’ and success criteria’s metrics once each, grouped', () => {
    const c = toMeasurableCommitment({
      id: 'c1',
      title: 'Plant uptime',
      status: 'signed',
      milestones: [
        { id: 'm1', title: 'Half rate', dueDate: '2026-03-31', metric: 'downtime_hours_avoided', target: 35 },
        { id: 'm2', title: 'Full rate', dueDate: '2026-06-30', metric: 'downtime_hours_avoided', target: 70 },
      ],
      successCriteria: [
        { id: 's1', metric: 'maintenance_hours_saved', operator: '>=', threshold: 2500, windowDays: 90 },
        { id: 's2', metric: 'downtime_hours_avoided', operator: '>=', threshold: 60, windowDays: 30 },
        { bad: true },
      ],
      drivers: [{ key: 'loaded_hourly_rate', value: 85 }],
    });
    expect(c).toEqual({
      id: 'c1',
      title: 'Plant uptime',
      status: 'signed',
      measurable: true,
      metrics: [
        { metric: 'downtime_hours_avoided', group: 'Milestones', label: 'downtime_hours_avoided — Half rate: 35 by 2026-03-31' },
        { metric: 'maintenance_hours_saved', group: 'Success criteria', label: 'maintenance_hours_saved — success criterion >= 2500' },
      ],
    });
  });

  it('only signed and active commitments take measurements', () => {
    expect(toMeasurableCommitment({ id: 'c', status: 'active' })!.measurable).toBe(true);
    for (const status of ['draft', 'proposed', 'closed', undefined]) expect(toMeasurableCommitment({ id: 'c', status })!.measurable).toBe(false);
    expect(toMeasurableCommitment({ id: 'c' })!.metrics).toEqual([]);
    expect(toMeasurableCommitment(null)).toBeUndefined();
  });
});
