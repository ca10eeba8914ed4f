import type { Commitment, CommitmentsService } from '@valueverse/plugin-value-committer/api';
import type { MeasurementStore } from '../measurements/measurement-store';
import type { ValueRealized, ValueRealizedPart, ValueRealizedQuery } from '../realization-api';
import { computeRealization } from './compute-realization';
import { metricProfile } from './metric-profile';

/** Commitments whose value can be realized: the ones being delivered or delivered. */
const delivering = ['signed', 'active', 'closed'] as const;

/**
 * The `value-realization` service's `valueRealized` (see realization-api.ts): what one commitment, or a metric across
 * commitments, realized between `from` (exclusive) and `to` (inclusive), from the counted measurements.
 */
export async function valueRealized(
  deps: { readonly store: MeasurementStore; readonly commitments: CommitmentsService },
  tenantId: string,
  query: ValueRealizedQuery,
): Promise<ValueRealized | undefined> {
  let commitments: Commitment[];
  if (query.commitmentId !== undefined) {
    const one = await deps.commitments.get(tenantId, query.commitmentId);
    if (!one || one.tenantId !== tenantId) return undefined;
    commitments = [one];
  } else {
    commitments = await deps.commitments.list(tenantId, { status: [...delivering] });
  }
  const parts: ValueRealizedPart[] = [];
  const asOf = query.to.toISOString();
  for (const commitment of commitments) {
    const evidence = `/api/v1/realization/commitments/${commitment.id}?asOf=${encodeURIComponent(asOf)}`;
    if (query.metric === undefined) {
      const series = await deps.store.series(tenantId, commitment.id);
      const at = (date: Date) =>
        computeRealization(
          commitment,
          series.filter((p) => p.measuredAt <= date),
          date,
        ).overall;
      const value = commitment.committedValue * Math.max(0, at(query.to) - at(query.from));
      parts.push({ commitmentId: commitment.id, title: commitment.title, value, unit: commitment.currency, evidence });
      continue;
    }
    const metric = query.metric;
    const readings = await deps.store.counted(tenantId, commitment.id, metric);
    if (readings.length === 0) continue;
    const profile = metricProfile(commitment, metric);
    const latest = (date: Date) => [...readings].reverse().find((r) => r.measuredAt <= date)?.value;
    let value: number;
    if (profile.kind === 'flow') {
      value = readings.filter((r) => r.measuredAt > query.from && r.measuredAt <= query.to).reduce((sum, r) => sum + r.value, 0);
    } else {
      // A running total's growth, or a level's change, over the period (nothing before: it started at zero).
      const end = latest(query.to);
      value = end === undefined ? 0 : end - (latest(query.from) ?? (profile.kind === 'cumulative' ? 0 : end));
    }
    parts.push({ commitmentId: commitment.id, title: commitment.title, value, unit: profile.unit, evidence });
  }
  const total = parts.reduce((sum, part) => sum + part.value, 0);
  return { value: Math.max(0, total), parts };
}
