import type { PluginMigration } from '@valueverse/plugin-sdk';

// Run with search_path = value_architect. Both tables carry tenant_id, so the kernel puts row-level security on them.

/** The architect's schema, oldest step first. */
export const architectMigrations: readonly PluginMigration[] = [
  {
    name: '0001-value-models',
    up: [
      // The current state of each model; every save also appends a full snapshot to value_model_versions.
      `create table value_models (
        id text primary key,
        tenant_id text not null,
        version integer not null,
        name text not null,
        description text,
        industry text,
        status text not null,
        currency text not null,
        model jsonb not null,
        origin jsonb,
        created_by text not null,
        created_at timestamptz not null,
        updated_by text not null,
        updated_at timestamptz not null,
        deleted_at timestamptz
      )`,
      // Lists walk (created_at, id) newest first; the cursor is the last pair seen.
      'create index value_models_by_created on value_models (tenant_id, created_at desc, id desc)',
      `create table value_model_versions (
        model_id text not null references value_models (id) on delete cascade,
        version integer not null,
        tenant_id text not null,
        name text not null,
        description text,
        industry text,
        status text not null,
        currency text not null,
        model jsonb not null,
        origin jsonb,
        created_by text not null,
        created_at timestamptz not null,
        primary key (model_id, version)
      )`,
    ],
    down: ['drop table value_model_versions', 'drop table value_models'],
  },
  {
    name: '0002-share-links',
    up: [
      // Business-case share links: the token's SHA-256 only, never the token.
      `create table share_links (
        id text primary key,
        tenant_id text not null,
        model_id text not null,
        version integer not null,
        persona text not null,
        customer text,
        token_hash text not null,
        expires_at timestamptz not null,
        revoked_at timestamptz,
        created_by text not null,
        created_at timestamptz not null
      )`,
      'create index share_links_by_model on share_links (tenant_id, model_id, created_at desc)',
      // The per-tenant key share-link tokens are signed with.
      `create table share_link_keys (
        tenant_id text primary key,
        secret text not null
      )`,
    ],
    down: ['drop table share_link_keys', 'drop table share_links'],
  },
];
