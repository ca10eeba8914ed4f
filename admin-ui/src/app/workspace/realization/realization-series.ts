import type { TimePoint } from '../../charts/time-chart';
import type { RealizationReport } from '../lifecycle-data';

export interface Measurement {
  readonly metric: string;
  readonly value: number;
  readonly measuredAt: string;
}

const day = (iso: string) => iso.slice(0, 10);

/** Reads a measurements page defensively (value-executor `MeasurementPage`). */
export function toMeasurements(body: unknown): Measurement[] {
  const items = (body as { items?: unknown } | null)?.items;
  return (Array.isArray(items) ? items : []).flatMap((m: unknown) => {
    const x = m as Partial<Measurement> | null;
    return x && typeof x.metric === 'string' && typeof x.value === 'number' && typeof x.measuredAt === 'string'
      ? [{ metric: x.metric, value: x.value, measuredAt: x.measuredAt }]
      : [];
  });
}

export interface MetricTimeline {
  readonly metric: string;
  /** The readings as the engine judges them: running totals for a summed flow, else the readings themselves. */
  readonly actual: readonly TimePoint[];
  /** The committed path: from the first reading (0 for a running total) through each milestone's target on its due date. */
  readonly committed: readonly TimePoint[];
  /** The engine's projection of the next open milestone, from the last actual; null when it makes none. */
  readonly projection: { readonly from: TimePoint; readonly to: TimePoint & { readonly low: number; readonly high: number }; readonly note: string | null } | null;
  /** Why there is no projection, in the engine's words (status `insufficient-data`). */
  readonly insufficientData: string | null;
}

/**
 * The realization chart's data for each milestone metric (issue 19, bug 2): actual points where they were measured,
 * the committed path through the milestones, and the projection value-executor made (Theil–Sen with its interval) —
 * never one the console extrapolates itself.
 */
export function realizationTimeline(report: RealizationReport, measurements: readonly Measurement[]): MetricTimeline[] {
  const metrics = [...new Set(report.milestones.map((m) => m.metric))];
  return metrics.map((metric) => {
    const milestones = report.milestones.filter((m) => m.metric === metric).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
    const summed = milestones.some((m) => m.basis === 'running-total');
    const readings = measurements.filter((m) => m.metric === metric).sort((a, b) => a.measuredAt.localeCompare(b.measuredAt));
    let total = 0;
    const actual = readings.map((r) => ({ at: day(r.measuredAt), value: summed ? (total += r.value) : r.value }));
    const start = actual[0] ?? { at: day(report.asOf || new Date().toISOString()), value: 0 };
    const committed = [{ at: start.at, value: summed ? 0 : start.value }, ...milestones.map((m) => ({ at: m.dueDate, value: m.target }))];
    const open = milestones.find((m) => m.status !== 'achieved' && m.status !== 'missed') ?? milestones[milestones.length - 1];
    const last = actual[actual.length - 1];
    const p = open?.projection;
    return {
      metric,
      actual,
      committed,
      projection: p && last ? { from: last, to: { at: p.at, value: p.value, low: p.low, high: p.high }, note: p.note } : null,
      insufficientData: open && open.status === 'insufficient-data' ? (open.insufficientDataReason ?? 'not enough readings to project yet') : null,
    };
  });
}
