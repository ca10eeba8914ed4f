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
    ],
    down: [
      'alter table usage_rollups reset (fillfactor)',
      'drop index usage_events_distinct',
      'create index usage_events_series on usage_events (tenant_id, customer_id, metric, occurred_at)',
    ],
  },
];
