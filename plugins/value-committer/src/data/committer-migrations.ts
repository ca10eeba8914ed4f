import type { PluginMigration } from '@valueverse/plugin-sdk';

// Run with search_path = value_committer. Both tables carry tenant_id, so the kernel puts row-level security on them.

/** The committer's schema, oldest step first. */
export const committerMigrations: readonly PluginMigration[] = [
  {
    name: '0001-commitments',
    up: [
      `create table commitments (
        id text primary key,
        tenant_id text not null,
        version integer not null,
        previous_version_id text references commitments (id),
        amended_by text,
        amendment_reason text,
        title text not null,
        model_id text not null,
        model_version integer not null,
        industry text,
        status text not null,
        confidence double precision not null,
        base_value double precision not null,
        committed_value double precision not null,
        currency text not null,
        drivers jsonb not null,
        milestones jsonb not null,
        success_criteria jsonb not null,
        simulation jsonb not null,
        created_by text not null,
        created_at timestamptz not null,
        updated_by text not null,
        updated_at timestamptz not null,
        signed_by text,
        signed_at timestamptz
      )`,
      'create index commitments_by_created on commitments (tenant_id, created_at desc, id desc)',
      // A version is amended at most once: amendments form a chain, never a tree (also under concurrent requests).
      'create unique index commitments_one_amendment on commitments (previous_version_id) where previous_version_id is not null',
      `create table commitment_transitions (
        id text primary key,
        tenant_id text not null,
        commitment_id text not null references commitments (id) on delete cascade,
        from_status text not null,
        to_status text not null,
        actor text not null,
        at timestamptz not null,
        reason text
      )`,
      'create index commitment_transitions_by_commitment on commitment_transitions (commitment_id, at)',
    ],
    down: ['drop table commitment_transitions', 'drop table commitments'],
  },
  {
    name: '0002-commitment-metrics',
    up: [
      // Declared metrics (kind, unit, bounds, value at stake). Rows from before have none: '[]' means "use the
      // defaults" (value-executor reads a metric without a declaration as its documented default), not "no metrics".
      `alter table commitments add column metrics jsonb not null default '[]'::jsonb`,
    ],
    down: ['alter table commitments drop column metrics'],
  },
];
