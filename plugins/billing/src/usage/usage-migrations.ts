import type { PluginMigration } from '@valueverse/plugin-sdk';

/** The usage steps of the billing schema, after `billingMigrations`' own (run with search_path = billing). */
export const usageMigrations: readonly PluginMigration[] = [
  {
    name: '0101-usage-threshold-crossings',
    up: [
      // One row per (customer, metric, period, threshold): a crossing is recorded once however often the usage
      // that made it is written, by any instance. announced_at is set once it was published.
      `create table usage_threshold_crossings (
        id uuid primary key,
        tenant_id text not null,
        customer_id uuid not null,
        metric text not null,
        period_start date not null,
        period_end date not null,
        threshold numeric not null,
        quantity numeric not null,
        crossed_at timestamptz not null default now(),
        announced_at timestamptz,
        claimed_until timestamptz,
        unique (tenant_id, customer_id, metric, period_start, threshold)
      )`,
      'create index usage_threshold_crossings_unannounced on usage_threshold_crossings (tenant_id, crossed_at) where announced_at is null',
    ],
    down: ['drop table usage_threshold_crossings'],
  },
  {
    name: '0102-usage-ingest-indexes',
    up: [
      // Only unique_count reads events by customer, metric and time (its distinct values do not add up across
      // rollups): the other events need no second index, one B-tree insert fewer per stored event.
      'drop index usage_events_series',
      'create index usage_events_distinct on usage_events (tenant_id, customer_id, metric, occurred_at) where distinct_value is not null',
      // Rollup rows are updated by every write that touches their hour: room on the page lets PostgreSQL update
      // them in place (HOT, no new index entry; their key never changes).
      'alter table usage_rollups set (fillfactor = 70)',
      // One statement: it checks that every customer and metric the events were validated against is still there as read
      // (else it writes nothing and says so), the events insert skips ids already stored, and the rollup upsert adds
      // exactly the rows that insert wrote. All in one transaction, so an event is in the rollups if and only if it is
      // stored (never twice, never zero times). Inputs are sorted by transaction id and rollup keys by key, so concurrent
      // writes take their row locks in one order and cannot deadlock on each other. The answer is one row: whether the
      // references held, how many events were stored, and which (only when not all were: duplicates are the exception).
      `create function ingest_usage(text, text[], uuid[], text[], timestamptz[], numeric[], text[], text[], jsonb[], uuid[], text[], jsonb[])
        returns table (valid_refs boolean, stored_count integer, stored_ids text[]) language plpgsql as $fn$
      #variable_conflict use_column
      begin
        return query
with input as (
  select * from unnest($2::text[], $3::uuid[], $4::text[], $5::timestamptz[], $6::numeric[], $7::text[], $8::text[], $9::jsonb[])
    as i(transaction_id, customer_id, metric, occurred_at, value, distinct_value, group_key, properties)
),
valid as (
  select (select count(*) from customers where tenant_id = $1 and id = any($10::uuid[])) = cardinality($10::uuid[])
     and (select count(*) from metrics m join unnest($11::text[], $12::jsonb[]) as d(code, definition) on d.code = m.code
           where m.tenant_id = $1 and jsonb_build_array(m.aggregation, m.field, to_jsonb(m.group_by)) = d.definition) = cardinality($11::text[]) as ok
),
inserted as (
  insert into usage_events (tenant_id, transaction_id, customer_id, metric, occurred_at, value, distinct_value, group_key, properties)
  select $1, transaction_id, customer_id, metric, occurred_at, value, distinct_value, group_key, properties from input
   where (select ok from valid) order by transaction_id
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
),
stored as (select count(*)::int as n from inserted)
select (select ok from valid), (select n from stored),
       case when (select n from stored) = cardinality($2::text[]) then null else coalesce((select array_agg(transaction_id) from inserted), '{}') end;
      end $fn$`,
    ],
    down: [
      'drop function ingest_usage',
      'alter table usage_rollups reset (fillfactor)',
      'drop index usage_events_distinct',
      'create index usage_events_series on usage_events (tenant_id, customer_id, metric, occurred_at)',
    ],
  },
];
