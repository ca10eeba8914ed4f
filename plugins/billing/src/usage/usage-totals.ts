import type { SqlTransaction } from '@valueverse/plugin-sdk';
import type { BillableMetric } from '../metrics/metric-store';

/**
 * The hourly rollup rows matching `where` (over the rollup columns): the merged ones and the deltas writes appended
 * since the last merge (`merge_usage_deltas`), one row per hour and write, which add up as merged rows do. Read in
 * one statement, which sees one snapshot: a delta is counted once, whether a merge moved it meanwhile or not.
 */
export const rollupRows = (where: string): string =>
  `(select customer_id, hour, event_count, value_sum, value_max, latest_value, latest_at from usage_rollups where ${where}
     union all select customer_id, hour, event_count, value_sum, value_max, latest_value, latest_at from usage_rollup_deltas where ${where})`;

/** A metric's usage by one customer over [from, to): the metric's quantity, plus the summed value and event count percentage charges read. */
export interface UsageTotals {
  readonly quantity: string;
  readonly sum: string;
  readonly count: number;
}

/**
 * Reads a customer's usage of one metric over whole hours [from, to) from the hourly rollups (and deltas not merged yet) (unique counts from the
 * events themselves: distinct values do not add up across hours). Invoices and summaries both read through here,
 * so they agree.
 */
export async function usageTotals(tx: SqlTransaction, tenantId: string, customerId: string, metric: BillableMetric, from: Date, to: Date): Promise<UsageTotals> {
  const [row] = await tx.query<{ count: string; sum: string; max: string | null; latest: string | null }>(
    `select coalesce(sum(event_count), 0)::text as count, coalesce(sum(value_sum), 0)::text as sum, max(value_max)::text as max,
            ((array_agg(latest_value order by latest_at desc nulls last))[1])::text as latest
       from ${rollupRows('tenant_id = $1 and customer_id = $2::uuid and metric = $3 and hour >= $4 and hour < $5')} r`,
    [tenantId, customerId, metric.code, from.toISOString(), to.toISOString()],
  );
  const count = Number(row!.count);
  const sum = row!.sum;
  switch (metric.aggregation) {
    case 'count':
      return { quantity: String(count), sum, count };
    case 'sum':
      return { quantity: sum, sum, count };
    case 'max':
      return { quantity: row!.max ?? '0', sum, count };
    case 'latest':
      return { quantity: row!.latest ?? '0', sum, count };
    case 'unique_count': {
      const [distinct] = await tx.query<{ n: string }>(
        `select count(distinct distinct_value)::text as n from usage_events
          where tenant_id = $1 and customer_id = $2::uuid and metric = $3 and occurred_at >= $4 and occurred_at < $5 and distinct_value is not null`,
        [tenantId, customerId, metric.code, from.toISOString(), to.toISOString()],
      );
      return { quantity: distinct!.n, sum, count };
    }
  }
}
