import { VvError, type SqlTransaction } from '@valueverse/plugin-sdk';
import type { BillableMetric } from '../metrics/metric-store';

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
const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Snaps a range outwards to whole hours: rollups are hourly. */
export function wholeHours(from: Date, to: Date): { from: Date; to: Date } {
  return { from: new Date(Math.floor(from.getTime() / hourMs) * hourMs), to: new Date(Math.ceil(to.getTime() / hourMs) * hourMs) };
}

// Per aggregation, a bucket's (and the range's) value from rollups, exactly as `usageTotals` computes the quantity
// invoices bill, so a summary's total is what an invoice over the same hours charges for.
const rollupValue: Record<Exclude<BillableMetric['aggregation'], 'unique_count'>, string> = {
  count: 'coalesce(sum(event_count), 0)',
  sum: 'coalesce(sum(value_sum), 0)',
  max: 'coalesce(max(value_max), 0)',
  latest: 'coalesce((array_agg(latest_value order by latest_at desc nulls last))[1], 0)',
};

/**
 * A customer's usage of one metric per hour, day or month (in the customer's time zone), with the range's total:
 * one statement reads the customer and the metric, one the buckets and the total together (grouping sets), from
 * the hourly rollups (unique counts from the events: distinct values do not add up across hours). Its cost grows
 * with the hours in the range, not with the events stored.
 */
export async function readUsageSummary(
  tx: SqlTransaction,
  tenantId: string,
  query: { customer: string; metric: string; from: Date; to: Date; granularity: Granularity },
): Promise<UsageSummary> {
  const [found] = await tx.query<{
    customer_id: string | null;
    time_zone: string | null;
    code: string | null;
    name: string;
    aggregation: BillableMetric['aggregation'];
    field: string | null;
    group_by: string[];
  }>(
    `select c.id::text as customer_id, c.time_zone, m.code, m.name, m.aggregation, m.field, m.group_by
       from (select 1) as one
       left join lateral (select id, time_zone from customers where tenant_id = $1 and (id = $2::uuid or external_id = $3)
                           order by id = $2::uuid desc nulls last limit 1) c on true
       left join metrics m on m.tenant_id = $1 and m.code = $4`,
    [tenantId, uuidShape.test(query.customer) ? query.customer : null, query.customer, query.metric],
  );
  if (!found?.customer_id) throw new VvError('VV_NOT_FOUND', { detail: `Customer ${query.customer} not found` });
  if (!found.code) throw new VvError('VV_NOT_FOUND', { detail: `Metric ${query.metric} not found` });
  const metric: BillableMetric = { code: found.code, name: found.name, aggregation: found.aggregation, field: found.field, groupBy: found.group_by, createdAt: '' };
  return usageSummary(tx, tenantId, { id: found.customer_id, timeZone: found.time_zone! }, metric, { from: query.from, to: query.to }, query.granularity);
}

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
  // The row with a null start is the range's total (the empty grouping set: one row even without usage).
  const rows =
    metric.aggregation === 'unique_count'
      ? await tx.query<{ start: Date | null; value: string }>(
          `select start, count(distinct distinct_value)::text as value
             from (select date_trunc($6, occurred_at at time zone $7) at time zone $7 as start, distinct_value from usage_events
                    where tenant_id = $1 and customer_id = $2::uuid and metric = $3 and occurred_at >= $4 and occurred_at < $5 and distinct_value is not null) e
            group by grouping sets ((start), ()) order by start nulls first`,
          params,
        )
      : await tx.query<{ start: Date | null; value: string }>(
          `select start, (${rollupValue[metric.aggregation]})::text as value
             from (select date_trunc($6, hour at time zone $7) at time zone $7 as start, event_count, value_sum, value_max, latest_value, latest_at from usage_rollups
                    where tenant_id = $1 and customer_id = $2::uuid and metric = $3 and hour >= $4 and hour < $5) r
            group by grouping sets ((start), ()) order by start nulls first`,
          params,
        );
  const [total, ...buckets] = rows;
  return {
    customerId: customer.id,
    metric: metric.code,
    aggregation: metric.aggregation,
    granularity,
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone: customer.timeZone,
    total: total?.value ?? '0',
    buckets: buckets.map((r) => ({ start: new Date(r.start!).toISOString(), value: r.value })),
  };
}
