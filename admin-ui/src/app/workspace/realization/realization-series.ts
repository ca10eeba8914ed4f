import type { RealizationReport } from '../lifecycle-data';

export interface Measurement {
  readonly metric: string;
  readonly value: number;
  readonly measuredAt: string;
}

export interface RealizationSeries {
  readonly labels: readonly string[];
  readonly committed: readonly (number | null)[];
  readonly actual: readonly (number | null)[];
  readonly projected: readonly (number | null)[];
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

/**
 * Committed against actual over time for a commitment: one point per milestone due date plus "today" (the report's
 * asOf). Committed is each milestone's target (interpolated for today); actual is the latest measurement of the
 * milestone's metric up to that date, and only up to today; projected is the plugin's trend at the milestones still
 * ahead, joined to today's actual.
 */
export function realizationSeries(report: RealizationReport, measurements: readonly Measurement[]): RealizationSeries {
  const asOf = day(report.asOf || new Date().toISOString());
  const milestones = [...report.milestones].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const latest = (metric: string, date: string): number | null => {
    let found: Measurement | undefined;
    for (const m of measurements) {
      if (m.metric !== metric || day(m.measuredAt) > date) continue;
      if (!found || m.measuredAt > found.measuredAt) found = m;
    }
    return found ? found.value : null;
  };
  const points = milestones.map((m) => ({
    label: m.dueDate,
    committed: m.target as number | null,
    actual: m.dueDate <= asOf ? latest(m.metric, m.dueDate) : null,
    projected: m.dueDate > asOf ? m.projected : null,
  }));
  const nextIndex = milestones.findIndex((m) => m.dueDate > asOf);
  if (milestones.length > 0 && !milestones.some((m) => m.dueDate === asOf)) {
    const next = milestones[nextIndex === -1 ? milestones.length - 1 : nextIndex]!;
    const previous = nextIndex > 0 ? milestones[nextIndex - 1] : undefined;
    let committed: number | null = null;
    if (nextIndex === -1) committed = next.target;
    else if (previous) {
      const span = Date.parse(next.dueDate) - Date.parse(previous.dueDate);
      const share = span > 0 ? (Date.parse(asOf) - Date.parse(previous.dueDate)) / span : 1;
      committed = previous.target + (next.target - previous.target) * share;
    }
    const actual = latest(next.metric, asOf) ?? next.actual;
    const today = { label: 'today', committed, actual, projected: nextIndex === -1 ? null : actual };
    points.splice(nextIndex === -1 ? points.length : nextIndex, 0, today);
  }
  return {
    labels: points.map((p) => p.label),
    committed: points.map((p) => p.committed),
    actual: points.map((p) => p.actual),
    projected: points.map((p) => p.projected),
  };
}
