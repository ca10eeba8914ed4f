import type { SqlTransaction } from '@valueverse/plugin-sdk';
import type { BillableMetric } from '../metrics/metric-store';
import { usageTotals } from './usage-totals';

export type Granularity = 'hour' | 'day' | 'month';

export interface UsageSummary {
  readonly customerId: string;
  readonly metric: string;
  readonly aggregation: BillableMetric['aggregation'];
  readonly granularity: Granularity;
  /** The range read, widened to whole hours. */
  readonly from: string;
  readonly to: string;
  /** Days and months start at midnight in this time zone (the customer's). */
  readonly timeZone: string;
  readonly total: string;
  readonly buckets: readonly { readonly start: string; readonly value: string }[];
}

const hourMs = 3_600_000;

/** Snaps a range outwards to whole hours: rollups are hourly. */
export function wholeHours(from: Date, to: Date): { from: Date; to: Date } {
  return { from: new Date(Math.floor(from.getTime() / hourMs) * hourMs), to: new Date(Math.ceil(to.getTime() / hourMs) * hourMs) };
}

// Per aggregation, the bucket value from rollups (unique_count reads the events).
const rollupValue: Record<Exclude<BillableMetric['aggregation'], 'unique_count'>, string> = {
  count: 'sum(event_count)',
  sum: 'sum(value_sum)',
  max: 'max(value_max)',
  latest: '(array_agg(latest_value order by latest_at desc nulls last))[1]',
};

/** A customer's usage of one metric per hour, day or month (in the customer's time zone), with the range's total. */
export async function usageSummary(
  tx: SqlTransaction,
  tenantId: string,
  customer: { id: string; timeZone: string },
  metric: BillableMetric,
  range: { from: Date; to: Date },
  granularity: Granularity,
): Promise<UsageSummary> {
  const { from, to } = wholeHours(range.from, range.to);
  const params = [tenantId, customer.id, metric.code, from.toISOString(), to.toISOString(), granularity, customer.timeZone];
  const rows =
    metric.aggregation === 'unique_count'
      ? await tx.query<{ start: Date; value: string }>(
          `select date_trunc($6, occurred_at at time zone $7) at time zone $7 as start, count(distinct distinct_value)::text as value
             from usage_events where tenant_id = $1 and customer_id = $2::uuid and metric = $3 and occurred_at >= $4 and occurred_at < $5
            group by 1 order by 1`,
          params,
        )
      : await tx.query<{ start: Date; value: string }>(
          `select date_trunc($6, hour at time zone $7) at time zone $7 as start, (${rollupValue[metric.aggregation]})::text as value
             from usage_rollups where tenant_id = $1 and customer_id = $2::uuid and metric = $3 and hour >= $4 and hour < $5
            group by 1 order by 1`,
          params,
        );
  const total = await usageTotals(tx, tenantId, customer.id, metric, from, to);
  return {
    customerId: customer.id,
    metric: metric.code,
    aggregation: metric.aggregation,
    granularity,
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone: customer.timeZone,
    total: total.quantity,
    buckets: rows.map((r) => ({ start: new Date(r.start).toISOString(), value: r.value })),
  };
}
