import type { PluginMigration } from '@valueverse/plugin-sdk';

// Run with search_path = billing. Every table carries tenant_id, so the kernel puts row-level security on all of
// them. Money is stored as integer minor units (bigint) or, for prices, as the decimal text the tenant gave.

/** The billing schema, oldest step first. */
export const billingMigrations: readonly PluginMigration[] = [
  {
    name: '0001-customers-metrics-usage',
    up: [
      `create table customers (
        id uuid primary key,
        tenant_id text not null,
        external_id text not null,
        name text not null,
        email text,
        currency text not null,
        tax_rate text not null default '0',
        time_zone text not null default 'UTC',
        stripe_customer_id text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (tenant_id, external_id)
      )`,
      `create table metrics (
        tenant_id text not null,
        code text not null,
        name text not null,
        aggregation text not null check (aggregation in ('count', 'sum', 'max', 'unique_count', 'latest')),
        field text,
        group_by text[] not null default '{}',
        created_at timestamptz not null default now(),
        primary key (tenant_id, code)
      )`,
      // Exactly once per (tenant, transaction id): the primary key is what INSERT … ON CONFLICT DO NOTHING tests,
      // in the same transaction as the rollup write, so a retried event is counted once and never zero times.
      `create table usage_events (
        tenant_id text not null,
        transaction_id text not null,
        customer_id uuid not null,
        metric text not null,
        occurred_at timestamptz not null,
        value numeric,
        distinct_value text,
        group_key text not null default '',
        properties jsonb not null default '{}',
        received_at timestamptz not null default now(),
        primary key (tenant_id, transaction_id)
      )`,
      // unique_count reads distinct values of one customer's metric over a range straight from the events.
      'create index usage_events_series on usage_events (tenant_id, customer_id, metric, occurred_at)',
      // One row per (customer, metric, group, hour): summaries and invoices read these, not the events.
      `create table usage_rollups (
        tenant_id text not null,
        customer_id uuid not null,
        metric text not null,
        group_key text not null,
        hour timestamptz not null,
        event_count bigint not null,
        value_sum numeric not null,
        value_max numeric,
        latest_value numeric,
        latest_at timestamptz,
        primary key (tenant_id, customer_id, metric, group_key, hour)
      )`,
    ],
    down: ['drop table usage_rollups', 'drop table usage_events', 'drop table metrics', 'drop table customers'],
  },
];
