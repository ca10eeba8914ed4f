import type { PluginMigration } from '@valueverse/plugin-sdk';

// One statement: it checks that every customer and metric the events were validated against is still there as read
// (else it writes nothing and says so), the events insert skips ids already stored, and the rollup upsert adds
// exactly the rows that insert wrote. All in one transaction, so an event is in the rollups if and only if it is
// stored (never twice, never zero times). Inputs are sorted by transaction id and rollup keys by key, so concurrent
// writes take their row locks in one order and cannot deadlock on each other. The answer is one row: whether the
// references held, how many events were stored, and which (only when not all were: duplicates are the exception).
const upsertingIngest = `create function ingest_usage(text, text[], uuid[], text[], timestamptz[], numeric[], text[], text[], jsonb[], uuid[], text[], jsonb[])
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
      end $fn$`;

// The same, but the events' rollup deltas (one per customer, metric, group and hour of the write) are appended to
// usage_rollup_deltas instead of updating usage_rollups: writes no longer queue on the row locks of the hours they
// share. `merge_usage_deltas` folds deltas into the rollups; readers add the deltas not merged yet.
const appendingIngest = upsertingIngest.replace('create function ingest_usage', 'create or replace function ingest_usage').replace(
  /rolled as \(\n {2}insert into usage_rollups as r[\s\S]*?\n\),\nstored/,
  `rolled as (
  insert into usage_rollup_deltas (tenant_id, customer_id, metric, group_key, hour, event_count, value_sum, value_max, latest_value, latest_at)
  select $1, customer_id, metric, group_key, date_trunc('hour', occurred_at at time zone 'UTC') at time zone 'UTC', count(*), coalesce(sum(value), 0), max(value),
         (array_agg(value order by occurred_at desc, transaction_id desc))[1], max(occurred_at)
    from inserted group by 2, 3, 4, 5
),
stored`,
);

// Folds up to $2 of the tenant's deltas into usage_rollups and deletes them, in one statement (so a reader, whose
// statement sees one snapshot, counts each delta once: in the rollups or among the deltas). Rows another merge
// holds are skipped, not waited for; rollup keys are upserted in one order, so merges cannot deadlock.
const mergeDeltas = `create function merge_usage_deltas(text, integer) returns integer language plpgsql as $fn$
      declare merged integer;
      begin
with moved as (
  delete from usage_rollup_deltas where ctid = any(array(select ctid from usage_rollup_deltas where tenant_id = $1 limit $2 for update skip locked))
  returning customer_id, metric, group_key, hour, event_count, value_sum, value_max, latest_value, latest_at
),
folded as (
  insert into usage_rollups as r (tenant_id, customer_id, metric, group_key, hour, event_count, value_sum, value_max, latest_value, latest_at)
  select $1, customer_id, metric, group_key, hour, sum(event_count), sum(value_sum), max(value_max),
         (array_agg(latest_value order by latest_at desc nulls last))[1], max(latest_at)
    from moved group by 2, 3, 4, 5 order by 2, 3, 4, 5
  on conflict (tenant_id, customer_id, metric, group_key, hour) do update set
    event_count = r.event_count + excluded.event_count,
    value_sum = r.value_sum + excluded.value_sum,
    value_max = greatest(r.value_max, excluded.value_max),
    latest_value = case when r.latest_at is null or excluded.latest_at >= r.latest_at then excluded.latest_value else r.latest_value end,
    latest_at = greatest(r.latest_at, excluded.latest_at)
)
select count(*)::int into merged from moved;
        return merged;
      end $fn$`;

// A customer's usage of one metric per hour, day or month with the range's total (grouping sets: the row with a
// null start), every aggregation's value at once, read from rollups and unmerged deltas. A function so that its plan
// is cached per connection: planning the statement took several times as long as running it (about 5 ms against
// under 1 ms over a million events, EXPLAIN ANALYZE). Generic from the first call (PostgreSQL would plan the first
// five calls of each connection afresh): the plan does not depend on the values.
const summaryFunction = `create function usage_summary(p_tenant text, p_id uuid, p_external text, p_metric text, p_granularity text, p_from timestamptz, p_to timestamptz)
        returns table (o_customer_id text, o_time_zone text, o_aggregation text, o_start timestamptz, o_count text, o_sum text, o_max text, o_latest text)
        language plpgsql stable set plan_cache_mode = force_generic_plan as $fn$
      begin
        return query
with c as (select id, time_zone from customers where tenant_id = p_tenant and (id = p_id or external_id = p_external) order by id = p_id desc nulls last limit 1),
     m as (select aggregation from metrics where tenant_id = p_tenant and code = p_metric),
     r as (select hour, event_count, value_sum, value_max, latest_value, latest_at from usage_rollups
            where tenant_id = p_tenant and customer_id = (select id from c) and metric = p_metric and hour >= p_from and hour < p_to
           union all
           select hour, event_count, value_sum, value_max, latest_value, latest_at from usage_rollup_deltas
            where tenant_id = p_tenant and customer_id = (select id from c) and metric = p_metric and hour >= p_from and hour < p_to)
select (select id::text from c), (select time_zone from c), (select aggregation::text from m), x.start,
       coalesce(sum(x.event_count), 0)::text, coalesce(sum(x.value_sum), 0)::text, coalesce(max(x.value_max), 0)::text,
       coalesce((array_agg(x.latest_value order by x.latest_at desc nulls last))[1], 0)::text
  from (select date_trunc(p_granularity, r.hour at time zone (select time_zone from c)) at time zone (select time_zone from c) as start,
               r.event_count, r.value_sum, r.value_max, r.latest_value, r.latest_at
          from r where exists (select 1 from m)) x
 group by grouping sets ((x.start), ()) order by x.start nulls first;
      end $fn$`;

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
      upsertingIngest,
    ],
    down: [
      'drop function ingest_usage',
      'alter table usage_rollups reset (fillfactor)',
      'drop index usage_events_distinct',
      'create index usage_events_series on usage_events (tenant_id, customer_id, metric, occurred_at)',
    ],
  },
  {
    name: '0103-usage-rollup-deltas',
    up: [
      // A write appends its rollup deltas here (no key: many writes add to one hour at once without waiting on each
      // other); merge_usage_deltas folds them into usage_rollups shortly after. Summaries and invoices read both.
      `create table usage_rollup_deltas (
        tenant_id text not null,
        customer_id uuid not null,
        metric text not null,
        group_key text not null,
        hour timestamptz not null,
        event_count bigint not null,
        value_sum numeric not null,
        value_max numeric,
        latest_value numeric,
        latest_at timestamptz
      )`,
      'create index usage_rollup_deltas_series on usage_rollup_deltas (tenant_id, customer_id, metric, hour)',
      // Every delta is inserted and soon deleted: until a vacuum, its dead index entry is still walked by readers of
      // its customer's hours (a summary over a million freshly merged deltas read 64,000 buffers). Vacuumed after
      // every 5,000 dead rows (at each autovacuum round), at full speed, not at 20 % of the table as by default.
      `alter table usage_rollup_deltas set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0)`,
      appendingIngest,
      mergeDeltas,
    ],
    down: [
      // Deltas not merged yet go into the rollups first: the usage they count is kept.
      `insert into usage_rollups as r (tenant_id, customer_id, metric, group_key, hour, event_count, value_sum, value_max, latest_value, latest_at)
       select tenant_id, customer_id, metric, group_key, hour, sum(event_count), sum(value_sum), max(value_max),
              (array_agg(latest_value order by latest_at desc nulls last))[1], max(latest_at)
         from usage_rollup_deltas group by 1, 2, 3, 4, 5
       on conflict (tenant_id, customer_id, metric, group_key, hour) do update set
         event_count = r.event_count + excluded.event_count,
         value_sum = r.value_sum + excluded.value_sum,
         value_max = greatest(r.value_max, excluded.value_max),
         latest_value = case when r.latest_at is null or excluded.latest_at >= r.latest_at then excluded.latest_value else r.latest_value end,
         latest_at = greatest(r.latest_at, excluded.latest_at)`,
      'drop function merge_usage_deltas',
      upsertingIngest.replace('create function ingest_usage', 'create or replace function ingest_usage'),
      'drop table usage_rollup_deltas',
    ],
  },
  {
    name: '0104-usage-summary-function',
    up: [summaryFunction],
    down: ['drop function usage_summary'],
  },
];
