import { VvError, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';
import type { BillableMetric } from '../metrics/metric-store';
import { rollupRows } from './usage-totals';

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
 * A customer's usage of one metric per hour, day or month (in the customer's time zone), with the range's total, in
 * one statement (`usage_summary`, a function so its plan is cached): it finds the customer (by id or external id)
 * and the metric, and reads the buckets and the total together (grouping sets) from the hourly rollups and the
 * deltas not merged yet, every aggregation's value at once (the metric's is picked here). Its cost grows with the
 * hours in the range, not with the events stored. It is a `db.read`: one round trip to the database (begin,
 * statement and commit in one message) rather than three. A unique count reads the events in a second transaction
 * (distinct values do not add up across hours).
 */
export async function readUsageSummary(
  db: PluginDatabase,
  tenantId: string,
  query: { customer: string; metric: string; from: Date; to: Date; granularity: Granularity },
): Promise<UsageSummary> {
  const { from, to } = wholeHours(query.from, query.to);
  const rows = await db.read<{
    customer_id: string | null;
    time_zone: string | null;
    aggregation: BillableMetric['aggregation'] | null;
    start: Date | null;
    count: string;
    sum: string;
    max: string;
    latest: string;
  }>(
    tenantId,
    // usage_summary (usage-migrations.ts): one statement, its plan cached per connection (the function's generic
    // plan: the parameters arrive inlined as literals).
    `select o_customer_id as customer_id, o_time_zone as time_zone, o_aggregation as aggregation, o_start as start,
            o_count as count, o_sum as sum, o_max as max, o_latest as latest
       from usage_summary($1, $2::uuid, $3, $4, $5, $6::timestamptz, $7::timestamptz)`,
    [tenantId, uuidShape.test(query.customer) ? query.customer : null, query.customer, query.metric, query.granularity, from.toISOString(), to.toISOString()],
  );
  const [total, ...buckets] = rows;
  if (!total?.customer_id) throw new VvError('VV_NOT_FOUND', { detail: `Customer ${query.customer} not found` });
  if (!total.aggregation) throw new VvError('VV_NOT_FOUND', { detail: `Metric ${query.metric} not found` });
  const customer = { id: total.customer_id, timeZone: total.time_zone! };
  const aggregation = total.aggregation;
  if (aggregation === 'unique_count') {
    const metric: BillableMetric = { code: query.metric, name: query.metric, aggregation, field: null, groupBy: [], createdAt: '' };
    return db.transaction(tenantId, (tx) => usageSummary(tx, tenantId, customer, metric, { from, to }, query.granularity));
  }
  return {
    customerId: customer.id,
    metric: query.metric,
    aggregation,
    granularity: query.granularity,
    from: from.toISOString(),
    to: to.toISOString(),
    timeZone: customer.timeZone,
    total: total[aggregation],
    buckets: buckets.map((r) => ({ start: new Date(r.start!).toISOString(), value: r[aggregation] })),
  };
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
             from (select date_trunc($6, hour at time zone $7) at time zone $7 as start, event_count, value_sum, value_max, latest_value, latest_at
                     from ${rollupRows('tenant_id = $1 and customer_id = $2::uuid and metric = $3 and hour >= $4 and hour < $5')} x) r
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
