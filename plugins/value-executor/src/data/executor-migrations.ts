import type { PluginMigration } from '@valueverse/plugin-sdk';

// Run with search_path = value_executor. Both tables carry tenant_id, so the kernel puts row-level security on them.

/** The executor's schema, oldest step first. */
export const executorMigrations: readonly PluginMigration[] = [
  {
    name: '0001-measurements',
    up: [
      `create table measurements (
        id uuid primary key,
        tenant_id text not null,
        commitment_id text not null,
        metric text not null,
        value double precision not null,
        measured_at timestamptz not null,
        source text not null,
        import_id uuid,
        recorded_by text,
        recorded_at timestamptz not null default now()
      )`,
      // Realization reads one commitment's series in time order; pagination walks (measured_at, id).
      'create index measurements_series on measurements (tenant_id, commitment_id, metric, measured_at, id)',
      'create index measurements_by_time on measurements (tenant_id, measured_at, id)',
    ],
    down: ['drop table measurements'],
  },
  {
    name: '0002-milestone-states',
    up: [
      // The last status of each milestone that events were published for: a transition is claimed by the one
      // statement that changes this row, so concurrent evaluations publish each transition once.
      `create table milestone_states (
        tenant_id text not null,
        commitment_id text not null,
        milestone_id text not null,
        status text not null,
        changed_at timestamptz not null default now(),
        primary key (tenant_id, commitment_id, milestone_id)
      )`,
    ],
    down: ['drop table milestone_states'],
  },
  {
    name: '0003-measurement-notes',
    up: [
      // Nullable: rows stored before notes existed have none. The check backs the API's limit (char_length counts
      // characters, as JSON Schema's maxLength does), so a note cannot outgrow it through any path.
      `alter table measurements add column note text
        constraint measurements_note_length check (char_length(note) <= 1000)`,
    ],
    down: ['alter table measurements drop column note'],
  },
  {
    name: '0004-measurement-corrections',
    up: [
      // A correction is a reading with a reason (same check as notes); the readings it replaces stay, pointing at it,
      // so realization leaves them out and the audit trail keeps them. Rows from before have neither: they count.
      `alter table measurements add column correction_reason text
        constraint measurements_correction_reason_length check (char_length(correction_reason) <= 1000)`,
      'alter table measurements add column superseded_by uuid',
      // Realization and the cumulative check read the counted readings of one series.
      'create index measurements_counted on measurements (tenant_id, commitment_id, metric, measured_at) where superseded_by is null',
    ],
    down: ['drop index measurements_counted', 'alter table measurements drop column superseded_by', 'alter table measurements drop column correction_reason'],
  },
];
