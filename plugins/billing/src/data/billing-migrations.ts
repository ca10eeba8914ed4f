import type { PluginMigration } from '@valueverse/plugin-sdk';
import { usageMigrations } from '../usage/usage-migrations';

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
  {
    name: '0002-plans-subscriptions-invoices',
    up: [
      // A plan is kept as the tenant gave it: prices are decimal text, charges the JSON the quote endpoint takes.
      `create table plans (
        tenant_id text not null,
        code text not null,
        name text not null,
        currency text not null,
        interval text not null check (interval in ('month', 'year')),
        amount text not null,
        pay_in_advance boolean not null,
        trial_days integer not null,
        charges jsonb not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, code)
      )`,
      // Dates are local dates in the customer's time zone; a period is [period_start, period_end).
      `create table subscriptions (
        id uuid primary key,
        tenant_id text not null,
        customer_id uuid not null,
        plan_code text not null,
        status text not null check (status in ('active', 'canceled')),
        start_date date not null,
        trial_end_date date,
        period_start date not null,
        period_end date not null,
        cancel_at_period_end boolean not null default false,
        pending_plan_code text,
        ended_on date,
        previous_id uuid,
        created_at timestamptz not null default now(),
        canceled_at timestamptz
      )`,
      // One subscription in force per customer; a plan change ends one and starts the next.
      `create unique index subscriptions_one_active on subscriptions (tenant_id, customer_id) where status = 'active'`,
      'alter table customers add column credit_cents bigint not null default 0',
      `create table invoices (
        id uuid primary key,
        tenant_id text not null,
        customer_id uuid not null,
        subscription_id uuid,
        kind text not null check (kind in ('start', 'period', 'termination')),
        number text,
        status text not null check (status in ('draft', 'finalized', 'paid', 'void', 'uncollectible')),
        currency text not null,
        plan jsonb not null,
        base_start date,
        base_end date,
        usage_start date,
        usage_end date,
        time_zone text not null,
        tax_rate text not null,
        lines jsonb not null default '[]',
        subtotal_cents bigint not null default 0,
        tax_cents bigint not null default 0,
        credits_cents bigint not null default 0,
        total_cents bigint not null default 0,
        credited_cents bigint not null default 0,
        paid_cents bigint not null default 0,
        payment_attempts integer not null default 0,
        payment_intent_id text,
        payment_status text,
        next_payment_attempt_at timestamptz,
        finalize_after timestamptz not null,
        created_at timestamptz not null default now(),
        finalized_at timestamptz,
        paid_at timestamptz,
        voided_at timestamptz,
        unique (tenant_id, number)
      )`,
      // A retried period close finds its invoice instead of making a second one.
      'create unique index invoices_once on invoices (tenant_id, subscription_id, kind, coalesce(usage_start, base_start))',
      'create index invoices_by_customer on invoices (tenant_id, customer_id, created_at desc)',
      // Gapless numbering: the counter moves in the transaction that finalizes, so a rollback returns the number.
      `create table invoice_sequences (
        tenant_id text not null,
        year integer not null,
        kind text not null,
        last integer not null,
        primary key (tenant_id, kind, year)
      )`,
      `create table credit_notes (
        id uuid primary key,
        tenant_id text not null,
        invoice_id uuid not null,
        number text not null,
        amount_cents bigint not null check (amount_cents > 0),
        reason text not null,
        created_at timestamptz not null default now(),
        unique (tenant_id, number)
      )`,
    ],
    down: [
      'drop table credit_notes',
      'drop table invoice_sequences',
      'drop table invoices',
      'alter table customers drop column credit_cents',
      'drop table subscriptions',
      'drop table plans',
    ],
  },
  {
    name: '0003-payments',
    up: [
      // The payment method of the last attempt: dunning retries charge it again.
      'alter table invoices add column payment_method text',
      // Stripe webhook events seen, by id: a redelivered event changes nothing (Stripe retries for 3 days).
      `create table stripe_events (
        tenant_id text not null,
        event_id text not null,
        type text not null,
        payment_intent_id text,
        received_at timestamptz not null default now(),
        primary key (tenant_id, event_id)
      )`,
    ],
    down: ['drop table stripe_events', 'alter table invoices drop column payment_method'],
  },
  {
    name: '0004-outcome-guarantees',
    up: [
      // A commitment's guarantee to a customer: when one of its milestones (or the one named) is missed, the
      // customer is credited `credit` (decimal text, major units of the customer's currency) on the next invoice.
      `create table guarantees (
        id uuid primary key,
        tenant_id text not null,
        customer_id uuid not null,
        commitment_id text not null,
        milestone_id text,
        credit text not null,
        created_at timestamptz not null default now()
      )`,
      'create index guarantees_by_commitment on guarantees (tenant_id, commitment_id)',
      // One credit per guarantee and missed milestone, whatever number of times the event is delivered; applied by
      // the invoice it appears on when that invoice is finalized.
      `create table guarantee_credits (
        id uuid primary key,
        tenant_id text not null,
        guarantee_id uuid not null,
        customer_id uuid not null,
        commitment_id text not null,
        milestone_id text not null,
        milestone_title text not null,
        amount_cents bigint not null,
        evidence text not null,
        missed_at timestamptz not null,
        invoice_id uuid,
        created_at timestamptz not null default now(),
        unique (tenant_id, guarantee_id, milestone_id)
      )`,
      'create index guarantee_credits_pending on guarantee_credits (tenant_id, customer_id) where invoice_id is null',
    ],
    down: ['drop table guarantee_credits', 'drop table guarantees'],
  },
  ...usageMigrations,
];
