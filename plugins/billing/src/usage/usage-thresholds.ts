import type { EventBus, PluginDatabase, SqlTransaction } from '@valueverse/plugin-sdk';
import { billingEvents } from '../billing-api';
import type { BillableMetric } from '../metrics/metric-store';
import { usageTotals } from './usage-totals';

/** Per metric code, the quantities (decimal strings) whose crossing in a period is announced. */
export type UsageThresholds = Readonly<Record<string, readonly string[]>>;

/** A customer's usage of a metric reached a threshold in the period: recorded once per (threshold, period). */
export interface Crossing {
  readonly id: string;
  readonly customerId: string;
  readonly externalId: string;
  readonly metric: string;
  readonly threshold: string;
  /** The quantity when the crossing was recorded (at least the threshold). */
  readonly quantity: string;
  /** The period, local dates in the customer's time zone: the subscription's, else the calendar month. */
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly crossedAt: string;
}

/** The payload of `billing.usage.threshold_crossed`: `crossingId` is the same on every delivery of one crossing. */
export interface ThresholdCrossedEvent {
  readonly crossingId: string;
  readonly customerId: string;
  readonly externalId: string;
  readonly metric: string;
  readonly threshold: string;
  readonly quantity: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly crossedAt: string;
}

interface CrossingRow {
  id: string;
  customer_id: string;
  external_id: string;
  metric: string;
  threshold: string;
  quantity: string;
  period_start: string;
  period_end: string;
  crossed_at: Date;
}

const fromRow = (r: CrossingRow): Crossing => ({
  id: r.id,
  customerId: r.customer_id,
  externalId: r.external_id,
  metric: r.metric,
  threshold: r.threshold,
  quantity: r.quantity,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  crossedAt: new Date(r.crossed_at).toISOString(),
});

/**
 * Records the thresholds that the usage just written made the customers cross in their current period, in the
 * write's transaction: a crossing's row is unique per (customer, metric, period, threshold), so a retried or
 * concurrent write (on any instance) records it once, and only if its events were stored. Each watched (customer,
 * metric) is locked first, in one order, so two writes that together cross a threshold do not each miss it: the
 * second reads the first's committed usage.
 */
export async function crossThresholds(
  tx: SqlTransaction,
  tenantId: string,
  touched: readonly { customerId: string; metric: BillableMetric }[],
  thresholds: UsageThresholds,
  now: Date,
): Promise<Crossing[]> {
  const watched = touched.filter((t) => (thresholds[t.metric.code]?.length ?? 0) > 0).sort((a, b) => (a.customerId + a.metric.code < b.customerId + b.metric.code ? -1 : 1));
  if (watched.length === 0) return [];
  await tx.query(`select pg_advisory_xact_lock(hashtextextended($1 || ':' || c || ':' || m, 0)) from unnest($2::text[], $3::text[]) with ordinality as p(c, m, n) order by n`, [
    `billing.usage-threshold:${tenantId}`,
    watched.map((w) => w.customerId),
    watched.map((w) => w.metric.code),
  ]);
  // The period: the active subscription's, else the calendar month in the customer's time zone.
  const periods = await tx.query<{ id: string; external_id: string; period_start: string; period_end: string; period_from: Date; period_to: Date }>(
    `select c.id::text as id, c.external_id, p.period_start::text as period_start, p.period_end::text as period_end,
            p.period_start::timestamp at time zone c.time_zone as period_from, p.period_end::timestamp at time zone c.time_zone as period_to
       from customers c
       left join subscriptions s on s.tenant_id = c.tenant_id and s.customer_id = c.id and s.status = 'active'
       cross join lateral (select coalesce(s.period_start, date_trunc('month', $3::timestamptz at time zone c.time_zone)::date) as period_start,
                                  coalesce(s.period_end, (date_trunc('month', $3::timestamptz at time zone c.time_zone) + interval '1 month')::date) as period_end) p
      where c.tenant_id = $1 and c.id = any($2::uuid[])`,
    [tenantId, [...new Set(watched.map((w) => w.customerId))], now.toISOString()],
  );
  const periodOf = new Map(periods.map((p) => [p.id, p]));
  const crossings: Crossing[] = [];
  for (const { customerId, metric } of watched) {
    const period = periodOf.get(customerId);
    if (!period) continue;
    const { quantity } = await usageTotals(tx, tenantId, customerId, metric, new Date(period.period_from), new Date(period.period_to));
    const rows = await tx.query<CrossingRow>(
      `insert into usage_threshold_crossings (id, tenant_id, customer_id, metric, period_start, period_end, threshold, quantity)
       select gen_random_uuid(), $1, $2::uuid, $3, $4::date, $5::date, t, $6::numeric from unnest($7::numeric[]) as t where t <= $6::numeric
       on conflict (tenant_id, customer_id, metric, period_start, threshold) do nothing
       returning id::text, customer_id::text, $8::text as external_id, metric, threshold::text, quantity::text, period_start::text, period_end::text, crossed_at`,
      [tenantId, customerId, metric.code, period.period_start, period.period_end, quantity, thresholds[metric.code], period.external_id],
    );
    crossings.push(...rows.map(fromRow));
  }
  return crossings;
}

const payloadOf = (c: Crossing): ThresholdCrossedEvent => ({
  crossingId: c.id,
  customerId: c.customerId,
  externalId: c.externalId,
  metric: c.metric,
  threshold: c.threshold,
  quantity: c.quantity,
  periodStart: c.periodStart,
  periodEnd: c.periodEnd,
  crossedAt: c.crossedAt,
});

/**
 * Announces crossings as `billing.usage.threshold_crossed` and marks them announced. Crossings are recorded in the
 * transaction that stored the usage; this runs after it committed, and `announcePending` (a scheduled sweep)
 * announces any a crashed instance left unannounced. Subscribers see each crossing once; should an instance stop
 * between publishing and marking, the sweep publishes it again with the same `crossingId`.
 */
export class ThresholdAnnouncer {
  constructor(
    private readonly db: PluginDatabase,
    private readonly events: EventBus,
  ) {}

  async announce(tenantId: string, crossings: readonly Crossing[]): Promise<void> {
    for (const crossing of crossings) {
      await this.events.publish(billingEvents.usageThresholdCrossed, tenantId, payloadOf(crossing));
      await this.db.transaction(tenantId, (tx) =>
        tx.query('update usage_threshold_crossings set announced_at = now() where tenant_id = $1 and id = $2::uuid', [tenantId, crossing.id]),
      );
    }
  }

  /** Announces the tenant's crossings recorded more than `olderThanMs` ago and still unannounced; returns how many. */
  async announcePending(tenantId: string, olderThanMs = 60_000): Promise<number> {
    // Claimed by pushing their time forward: a sweep on another instance skips them for a while.
    const claimed = await this.db.transaction(tenantId, (tx) =>
      tx.query<CrossingRow>(
        `update usage_threshold_crossings u set claimed_until = now() + interval '5 minutes'
           from customers c
          where u.tenant_id = $1 and u.announced_at is null and u.crossed_at < now() - make_interval(secs => $2::double precision / 1000)
            and (u.claimed_until is null or u.claimed_until < now()) and c.tenant_id = u.tenant_id and c.id = u.customer_id
          returning u.id::text, u.customer_id::text, c.external_id, u.metric, u.threshold::text, u.quantity::text, u.period_start::text, u.period_end::text, u.crossed_at`,
        [tenantId, olderThanMs],
      ),
    );
    await this.announce(tenantId, claimed.map(fromRow));
    return claimed.length;
  }
}
