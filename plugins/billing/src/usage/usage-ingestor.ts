import { VvError, type FieldProblem, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';
import type { BillableMetric } from '../metrics/metric-store';

/** One usage event as a client sends it. */
export interface UsageEventInput {
  /** The client's id for the event: the same id is counted once per tenant, however often it is sent. */
  readonly transactionId: string;
  /** The customer's id or external id. */
  readonly customerId: string;
  readonly metric: string;
  /** ISO 8601 date-time of the usage. */
  readonly timestamp: string;
  readonly properties?: Readonly<Record<string, unknown>>;
}

export interface IngestResult {
  /** Events stored and counted by this request. */
  readonly counted: number;
  /** Transaction ids already counted (by an earlier request, or earlier in this batch): not counted again. */
  readonly duplicates: readonly string[];
}

export interface IngestOptions {
  /** How far back an event may be, in hours (the tenant's grace window). */
  readonly graceHours: number;
  readonly now?: Date;
}

// Clocks drift; a client a few minutes ahead is not wrong, one a day ahead is.
const futureToleranceMs = 5 * 60_000;
const numeric = /^-?[0-9]{1,20}(\.[0-9]{1,12})?$/;

interface Prepared {
  readonly transactionId: string;
  readonly customerId: string;
  readonly metric: string;
  readonly occurredAt: string;
  readonly value: string | null;
  readonly distinctValue: string | null;
  readonly groupKey: string;
  readonly properties: string;
}

function valueOf(metric: BillableMetric, properties: Readonly<Record<string, unknown>>): { value: string | null; distinct: string | null; problem?: string } {
  if (metric.aggregation === 'count') return { value: null, distinct: null };
  const raw = properties[metric.field!];
  if (metric.aggregation === 'unique_count') {
    if (raw === undefined || raw === null || typeof raw === 'object')
      return { value: null, distinct: null, problem: `needs a scalar "${metric.field}" (metric ${metric.code} counts its distinct values)` };
    return { value: null, distinct: String(raw) };
  }
  const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : typeof raw === 'string' ? raw : '';
  if (!numeric.test(text)) return { value: null, distinct: null, problem: `needs a numeric "${metric.field}" (a number or decimal string) for metric ${metric.code}` };
  return { value: text, distinct: null };
}

function groupKeyOf(metric: BillableMetric, properties: Readonly<Record<string, unknown>>): string {
  if (metric.groupBy.length === 0) return '';
  // A JSON object in groupBy order: unambiguous, and readable back as the group's properties.
  return JSON.stringify(Object.fromEntries(metric.groupBy.map((key) => [key, properties[key] === undefined ? null : String(properties[key])])));
}

// One statement: the events insert skips ids already stored, and the rollup upsert adds exactly the rows that
// insert wrote. Both in one transaction, so an event is in the rollups if and only if it is stored (never twice,
// never zero times). Inputs are sorted by transaction id and rollup keys by key, so concurrent batches take their
// row locks in one order and cannot deadlock on each other.
const ingestSql = `
with input as (
  select * from unnest($2::text[], $3::uuid[], $4::text[], $5::timestamptz[], $6::numeric[], $7::text[], $8::text[], $9::jsonb[])
    as i(transaction_id, customer_id, metric, occurred_at, value, distinct_value, group_key, properties)
),
inserted as (
  insert into usage_events (tenant_id, transaction_id, customer_id, metric, occurred_at, value, distinct_value, group_key, properties)
  select $1, transaction_id, customer_id, metric, occurred_at, value, distinct_value, group_key, properties from input order by transaction_id
  on conflict (tenant_id, transaction_id) do nothing
  returning transaction_id, customer_id, metric, group_key, occurred_at, value
),
rolled as (
  insert into usage_rollups as r (tenant_id, customer_id, metric, group_key, hour, event_count, value_sum, value_max, latest_value, latest_at)
  select $1, customer_id, metric, group_key, date_trunc('hour', occurred_at at time zone 'UTC') at time zone 'UTC', count(*), coalesce(sum(value), 0), max(value),
         (array_agg(value order by occurred_at desc, transaction_id desc))[1], max(occurred_at)
    from inserted group by 2, 3, 4, 5 order by 2, 3, 4, 5
  on conflict (tenant_id, customer_id, metric, group_key, hour) do update set
    event_count = r.event_count + excluded.event_count,
    value_sum = r.value_sum + excluded.value_sum,
    value_max = greatest(r.value_max, excluded.value_max),
    latest_value = case when r.latest_at is null or excluded.latest_at >= r.latest_at then excluded.latest_value else r.latest_value end,
    latest_at = greatest(r.latest_at, excluded.latest_at)
)
select transaction_id from inserted`;

/** Serialization and deadlock failures: the statement did nothing and may simply run again. */
function retryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/**
 * Usage ingestion, exactly once per (tenant, transaction id): the whole batch is checked first (nothing is written
 * when any event is refused), then stored and rolled up in one transaction.
 */
export class UsageIngestor {
  constructor(private readonly db: PluginDatabase) {}

  async ingest(tenantId: string, events: readonly UsageEventInput[], options: IngestOptions, pointerOf: (index: number) => string): Promise<IngestResult> {
    const now = options.now ?? new Date();
    // Checking and writing share one transaction (three round trips fewer per request than two); a deadlock or
    // serialization failure rolls back both, and the whole request simply runs again.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.db.transaction(tenantId, async (tx) => {
          const prepared = await this.prepare(tx, tenantId, events, now, options.graceHours, pointerOf);
          return this.write(tx, tenantId, prepared);
        });
      } catch (error) {
        if (attempt >= 5 || !retryable(error)) throw error;
      }
    }
  }

  private async write(tx: SqlTransaction, tenantId: string, prepared: readonly Prepared[]): Promise<IngestResult> {
    const seen = new Set<string>();
    const duplicates: string[] = [];
    const unique: Prepared[] = [];
    for (const event of prepared) {
      if (seen.has(event.transactionId)) duplicates.push(event.transactionId);
      else {
        seen.add(event.transactionId);
        unique.push(event);
      }
    }
    unique.sort((a, b) => (a.transactionId < b.transactionId ? -1 : a.transactionId > b.transactionId ? 1 : 0));
    const params = [
      tenantId,
      unique.map((e) => e.transactionId),
      unique.map((e) => e.customerId),
      unique.map((e) => e.metric),
      unique.map((e) => e.occurredAt),
      unique.map((e) => e.value),
      unique.map((e) => e.distinctValue),
      unique.map((e) => e.groupKey),
      unique.map((e) => e.properties),
    ];
    const inserted = await tx.query<{ transaction_id: string }>(ingestSql, params);
    const counted = new Set(inserted.map((r) => r.transaction_id));
    for (const event of unique) if (!counted.has(event.transactionId)) duplicates.push(event.transactionId);
    return { counted: counted.size, duplicates };
  }

  private async prepare(
    tx: SqlTransaction,
    tenantId: string,
    events: readonly UsageEventInput[],
    now: Date,
    graceHours: number,
    pointerOf: (index: number) => string,
  ): Promise<Prepared[]> {
    const names = [...new Set(events.map((e) => e.customerId))];
    const customers = await tx.query<{ id: string; external_id: string }>(
      `select id::text as id, external_id from customers where tenant_id = $1 and (external_id = any($2::text[]) or id::text = any($2::text[]))`,
      [tenantId, names],
    );
    const customerIds = new Map<string, string>();
    for (const c of customers) {
      customerIds.set(c.external_id, c.id);
      customerIds.set(c.id, c.id);
    }
    const metricRows = await tx.query<{ code: string; name: string; aggregation: BillableMetric['aggregation']; field: string | null; group_by: string[] }>(
      'select code, name, aggregation, field, group_by from metrics where tenant_id = $1 and code = any($2::text[])',
      [tenantId, [...new Set(events.map((e) => e.metric))]],
    );
    const metrics = new Map(
      metricRows.map((m) => [m.code, { code: m.code, name: m.name, aggregation: m.aggregation, field: m.field, groupBy: m.group_by, createdAt: '' } as BillableMetric]),
    );
    const problems: FieldProblem[] = [];
    const late: string[] = [];
    const oldest = now.getTime() - graceHours * 3_600_000;
    const prepared: Prepared[] = [];
    for (const [index, event] of events.entries()) {
      const at = pointerOf(index);
      const customerId = customerIds.get(event.customerId);
      if (!customerId) problems.push({ pointer: `${at}/customerId`, message: `no customer "${event.customerId}" in this tenant`, in: 'body' });
      const metric = metrics.get(event.metric);
      if (!metric) problems.push({ pointer: `${at}/metric`, message: `no billable metric "${event.metric}" in this tenant`, in: 'body' });
      const occurredAt = new Date(event.timestamp);
      if (Number.isNaN(occurredAt.getTime())) problems.push({ pointer: `${at}/timestamp`, message: 'is not a date-time', in: 'body' });
      else if (occurredAt.getTime() > now.getTime() + futureToleranceMs) problems.push({ pointer: `${at}/timestamp`, message: 'is in the future', in: 'body' });
      else if (occurredAt.getTime() < oldest) late.push(`${at || 'the event'} (${event.transactionId})`);
      const properties = event.properties ?? {};
      if (!metric || !customerId) continue;
      const { value, distinct, problem } = valueOf(metric, properties);
      if (problem) problems.push({ pointer: `${at}/properties/${metric.field}`, message: problem, in: 'body' });
      prepared.push({
        transactionId: event.transactionId,
        customerId,
        metric: metric.code,
        occurredAt: occurredAt.toISOString(),
        value,
        distinctValue: distinct,
        groupKey: groupKeyOf(metric, properties),
        properties: JSON.stringify(properties),
      });
    }
    if (problems.length > 0) throw VvError.validation(problems);
    if (late.length > 0)
      throw new VvError('VV_BILLING_USAGE_LATE', {
        params: { graceHours: String(graceHours), events: late.slice(0, 10).join(', ') + (late.length > 10 ? ` and ${late.length - 10} more` : '') },
      });
    return prepared;
  }
}
