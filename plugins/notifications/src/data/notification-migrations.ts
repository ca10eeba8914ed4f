import type { PluginMigration } from '@valueverse/plugin-sdk';

// Run with search_path = notifications. Every table carries tenant_id, so the kernel puts row-level security on all
// of them.

/** The notifications schema, oldest step first. */
export const notificationMigrations: readonly PluginMigration[] = [
  {
    name: '0001-notifications',
    up: [
      // What the plugin knows of a user: learned from their own requests (email, role) and their preferences.
      `create table contacts (
        tenant_id text not null,
        user_id text not null,
        email text,
        role text,
        time_zone text,
        locale text,
        quiet_start text,
        quiet_end text,
        updated_at timestamptz not null default now(),
        primary key (tenant_id, user_id)
      )`,
      `create table preferences (
        tenant_id text not null,
        user_id text not null,
        category text not null,
        channel text not null,
        enabled boolean not null,
        primary key (tenant_id, user_id, category, channel)
      )`,
      `create table workflows (
        tenant_id text not null,
        id text not null,
        name text not null,
        event_pattern text not null,
        recipients jsonb not null,
        channels text[] not null,
        template text not null,
        category text not null,
        critical boolean not null default false,
        digest_minutes integer not null default 0,
        enabled boolean not null default true,
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`,
      // Marks that a tenant has had the first-party workflows: deleting one of them must not bring it back.
      `create table workflow_seeds (
        tenant_id text primary key,
        seeded_at timestamptz not null default now()
      )`,
      `create table templates (
        tenant_id text not null,
        key text not null,
        locale text not null,
        subject text not null,
        text_body text not null,
        html_body text,
        updated_at timestamptz not null default now(),
        primary key (tenant_id, key, locale)
      )`,
      // One row per (source event, recipient, channel): the unique key is what makes delivery exactly once across
      // instances and retries; a sender claims the row before sending and nobody sends an unclaimed one.
      `create table deliveries (
        id uuid primary key,
        tenant_id text not null,
        event_id text not null,
        recipient text not null,
        channel text not null,
        category text not null,
        critical boolean not null,
        status text not null check (status in ('queued', 'sending', 'sent', 'failed', 'dead', 'suppressed', 'held', 'digested')),
        reason text,
        content jsonb not null,
        attempts jsonb not null default '[]',
        release_at timestamptz,
        digest_id uuid,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (tenant_id, event_id, recipient, channel)
      )`,
      'create index deliveries_recent on deliveries (tenant_id, created_at desc)',
      "create index deliveries_held on deliveries (tenant_id, release_at) where status = 'held'",
      `create table inbox_items (
        id uuid primary key,
        tenant_id text not null,
        user_id text not null,
        delivery_id uuid not null unique,
        category text not null,
        title text not null,
        body text not null,
        link text,
        read_at timestamptz,
        archived_at timestamptz,
        created_at timestamptz not null default now()
      )`,
      'create index inbox_by_user on inbox_items (tenant_id, user_id, created_at desc)',
      // The tenant's key for unsubscribe links (HMAC-SHA256), made on first use; row-level security keeps it the tenant's.
      `create table signing_keys (
        tenant_id text primary key,
        secret text not null
      )`,
    ],
    down: [
      'drop table signing_keys',
      'drop table inbox_items',
      'drop table deliveries',
      'drop table templates',
      'drop table workflow_seeds',
      'drop table workflows',
      'drop table preferences',
      'drop table contacts',
    ],
  },
];
