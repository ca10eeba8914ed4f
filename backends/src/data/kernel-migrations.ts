import type { MigrationObject } from '@mikro-orm/core';
import { KernelInvitationsMigration } from '../identity/invitation-migration';
import { KernelDataLifecycleMigration } from './data-lifecycle-migration';
import { KernelTenantLogosMigration } from '../tenancy/tenant-logos-migration';
import { Migration } from '@mikro-orm/migrations';
import { roles } from '@valueverse/plugin-sdk';

// The kernel's own tables, in schema `kernel`. Append new migrations to `kernelMigrations`; never edit or rename a
// released one (its name is recorded in kernel.mikro_orm_migrations). Every statement is written to be idempotent
// (`if not exists`) so a half-applied schema from a crashed start converges.
//
// Constraint names are part of the contract: `PostgresKernelStore` maps violations to error codes by name.
// Ids use collation "C": listings sort by code point on every server and in PGlite, like `MemoryKernelStore`.

const roleList = roles.map((r) => `'${r}'`).join(', ');

export class KernelInitMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('create schema if not exists kernel');
    this.addSql(`create table if not exists kernel.tenants (
      id text collate "C" constraint tenants_pkey primary key,
      name text not null,
      status text not null default 'active' constraint tenants_status_check check (status in ('active', 'suspended')),
      settings jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table if not exists kernel.tenant_plugins (
      tenant_id text collate "C" not null
        constraint tenant_plugins_tenant_fkey references kernel.tenants (id) on delete cascade,
      plugin_id text collate "C" not null,
      enabled boolean not null,
      version text,
      config jsonb not null default '{}'::jsonb,
      permissions jsonb not null default '[]'::jsonb,
      updated_at timestamptz not null default now(),
      constraint tenant_plugins_pkey primary key (tenant_id, plugin_id)
    )`);
    this.addSql(`create table if not exists kernel.users (
      id text collate "C" constraint users_pkey primary key,
      email text not null,
      password_hash text not null,
      platform_admin boolean not null default false,
      created_at timestamptz not null default now()
    )`);
    this.addSql('create unique index if not exists users_email_lower_key on kernel.users (lower(email))');
    this.addSql(`create table if not exists kernel.memberships (
      user_id text collate "C" not null
        constraint memberships_user_fkey references kernel.users (id) on delete cascade,
      tenant_id text collate "C" not null
        constraint memberships_tenant_fkey references kernel.tenants (id) on delete cascade,
      role text not null constraint memberships_role_check check (role in (${roleList})),
      constraint memberships_pkey primary key (user_id, tenant_id)
    )`);
    this.addSql('create index if not exists memberships_tenant_idx on kernel.memberships (tenant_id)');
    // One sequence for all tenants: a version is never reused, even when a tenant is deleted and re-created, so a
    // cache holding (tenant, version) can never mistake a new plugin set for the one it cached.
    this.addSql('create sequence if not exists kernel.plugin_set_version_seq');
    this.addSql(`create table if not exists kernel.plugin_set_versions (
      tenant_id text collate "C" constraint plugin_set_versions_pkey primary key
        constraint plugin_set_versions_tenant_fkey references kernel.tenants (id) on delete cascade,
      version bigint not null
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists kernel.plugin_set_versions');
    this.addSql('drop sequence if exists kernel.plugin_set_version_seq');
    this.addSql('drop table if exists kernel.memberships');
    this.addSql('drop table if exists kernel.users');
    this.addSql('drop table if exists kernel.tenant_plugins');
    this.addSql('drop table if exists kernel.tenants');
  }
}

/** Identity (refresh tokens, API keys, second factors) and the append-only audit log. */
export class KernelIdentityMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists kernel.refresh_tokens (
      id text collate "C" constraint refresh_tokens_pkey primary key,
      family_id text not null,
      user_id text not null constraint refresh_tokens_user_fkey references kernel.users (id) on delete cascade,
      tenant_id text not null,
      token_hash text not null constraint refresh_tokens_hash_key unique,
      expires_at timestamptz not null,
      used_at timestamptz,
      revoked_at timestamptz
    )`);
    this.addSql('create index if not exists refresh_tokens_family_idx on kernel.refresh_tokens (family_id)');
    this.addSql(`create table if not exists kernel.api_keys (
      id text collate "C" constraint api_keys_pkey primary key,
      tenant_id text collate "C" not null constraint api_keys_tenant_fkey references kernel.tenants (id) on delete cascade,
      name text not null,
      role text not null constraint api_keys_role_check check (role in (${roleList})),
      prefix text not null,
      key_hash text not null constraint api_keys_hash_key unique,
      created_by text not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    )`);
    this.addSql('create index if not exists api_keys_tenant_idx on kernel.api_keys (tenant_id, created_at desc)');
    this.addSql(`create table if not exists kernel.user_totp (
      user_id text collate "C" constraint user_totp_pkey primary key
        constraint user_totp_user_fkey references kernel.users (id) on delete cascade,
      sealed_secret text not null,
      enabled boolean not null default false,
      last_step bigint not null default 0
    )`);
    this.addSql(`create table if not exists kernel.audit_log (
      id bigint generated always as identity constraint audit_log_pkey primary key,
      at timestamptz not null default clock_timestamp(),
      action text not null,
      actor text,
      tenant_id text,
      target text,
      before jsonb,
      after jsonb,
      request_id text,
      ip text
    )`);
    this.addSql('create index if not exists audit_log_tenant_idx on kernel.audit_log (tenant_id, id desc)');
    this.addSql('create index if not exists audit_log_action_idx on kernel.audit_log (action, id desc)');
    // Append-only for everyone, the owner included: no update, delete or truncate ever succeeds.
    this.addSql(`create or replace function kernel.audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'kernel.audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege'; end $$`);
    this.addSql('drop trigger if exists audit_log_append_only on kernel.audit_log');
    this.addSql('create trigger audit_log_append_only before update or delete on kernel.audit_log for each row execute function kernel.audit_log_append_only()');
    this.addSql('drop trigger if exists audit_log_no_truncate on kernel.audit_log');
    this.addSql('create trigger audit_log_no_truncate before truncate on kernel.audit_log for each statement execute function kernel.audit_log_append_only()');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists kernel.audit_log');
    this.addSql('drop function if exists kernel.audit_log_append_only()');
    this.addSql('drop table if exists kernel.user_totp');
    this.addSql('drop table if exists kernel.api_keys');
    this.addSql('drop table if exists kernel.refresh_tokens');
  }
}

/** `Idempotency-Key` records of plugin routes that declare `idempotency` (see kernel/src/idempotency). */
export class KernelIdempotencyMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists kernel.idempotency_keys (
      tenant_id text collate "C" not null constraint idempotency_keys_tenant_fkey references kernel.tenants (id) on delete cascade,
      principal text collate "C" not null,
      key text collate "C" not null,
      fingerprint text not null,
      locked_until timestamptz not null,
      expires_at timestamptz not null,
      status integer,
      headers jsonb,
      body_kind text constraint idempotency_keys_body_kind_check check (body_kind in ('json', 'text', 'binary', 'none')),
      body text,
      constraint idempotency_keys_pkey primary key (tenant_id, principal, key)
    )`);
    this.addSql('create index if not exists idempotency_keys_expires_idx on kernel.idempotency_keys (expires_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists kernel.idempotency_keys');
  }
}

/**
 * Which run of a request holds an `Idempotency-Key`: a failed run releases the key only if it still holds it, so a
 * release retried after a dropped connection never frees a later run's key (issue #10, finding 8).
 */
export class KernelIdempotencyAttemptMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table kernel.idempotency_keys add column if not exists attempt text');
  }

  override async down(): Promise<void> {
    this.addSql('alter table kernel.idempotency_keys drop column if exists attempt');
  }
}

/**
 * Session versions: a number per user that grows when the user's access shrinks (a role changed, a membership
 * removed, the account disabled). Access tokens carry the version they were issued under; older ones are refused
 * (see `SessionGuard`). `disabled_at` marks an account a platform admin disabled: it cannot sign in or refresh.
 */
export class KernelSessionVersionMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists kernel.session_versions (
      user_id text collate "C" constraint session_versions_pkey primary key
        constraint session_versions_user_fkey references kernel.users (id) on delete cascade,
      version bigint not null,
      disabled_at timestamptz
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists kernel.session_versions');
  }
}

/**
 * Many tenants (issue #14): the tenant list is searched by `lower(id || ' ' || name) like '%q%'`, which a trigram
 * index answers without reading every tenant. pg_trgm ships with PostgreSQL and is a trusted extension (a database
 * owner may create it), but a server built without contrib or the embedded PGlite (which loads extensions only when
 * asked) lacks it: there the search scans, which is fine for the few tenants an embedded deployment holds. The
 * expression must stay exactly the one `PostgresKernelStore.listTenants` filters on, or the index goes unused.
 * `tenant_plugins_enabled_plugin_idx` answers "which tenants have plugin X on" (per-tenant schedules) in one read.
 */
export class KernelTenantSearchMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`do $$
      declare trgm_schema text;
      begin
        begin
          create extension if not exists pg_trgm;
        exception when others then
          raise notice 'pg_trgm is not available (%): the tenant search scans', sqlerrm;
        end;
        select n.nspname into trgm_schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm';
        if trgm_schema is not null then
          execute format('create index if not exists tenants_search_trgm_idx on kernel.tenants using gin ((lower((id || '' '' || name) collate "default")) %I.gin_trgm_ops)', trgm_schema);
        end if;
      end $$`);
    this.addSql('create index if not exists tenant_plugins_enabled_plugin_idx on kernel.tenant_plugins (plugin_id, tenant_id) where enabled');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists kernel.tenant_plugins_enabled_plugin_idx');
    // The extension stays: other schemas of the database may use it.
    this.addSql('drop index if exists kernel.tenants_search_trgm_idx');
  }
}

/**
 * Installs at run time (issue #15): the desired state every instance reconciles to (`installs`), the bytes of
 * uploaded packages so that every instance can read them (`install_packages`), what each instance made of it
 * (`install_instances`), and the publisher keys the deployment trusts (`trusted_keys`). Uninstalled rows stay until
 * `purge_after`, when the purge job drops the plugin's schema.
 */
export class KernelInstallsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists kernel.installs (
      plugin_id text collate "C" constraint installs_pkey primary key,
      version text not null,
      previous_version text,
      integrity text not null,
      signer_key_id text,
      trust text not null constraint installs_trust_check check (trust in ('in-process', 'sandboxed', 'unsigned')),
      source text not null constraint installs_source_check check (source in ('registry', 'upload')),
      approved_permissions jsonb not null default '[]'::jsonb,
      approved_by text,
      state text not null constraint installs_state_check check (state in ('installed', 'uninstalled')),
      requested_by text not null,
      requested_at timestamptz not null,
      purge_after timestamptz
    )`);
    this.addSql(`create table if not exists kernel.install_packages (
      plugin_id text collate "C" not null,
      version text not null,
      integrity text not null,
      source text not null constraint install_packages_source_check check (source in ('registry', 'upload')),
      bytes bytea not null,
      created_at timestamptz not null default now(),
      constraint install_packages_pkey primary key (plugin_id, version)
    )`);
    this.addSql(`create table if not exists kernel.install_instances (
      plugin_id text collate "C" not null,
      instance_id text collate "C" not null,
      version text,
      state text not null constraint install_instances_state_check check (state in ('running', 'failed', 'removed')),
      error jsonb,
      updated_at timestamptz not null default now(),
      constraint install_instances_pkey primary key (plugin_id, instance_id)
    )`);
    this.addSql(`create table if not exists kernel.trusted_keys (
      key_id text collate "C" constraint trusted_keys_pkey primary key,
      public_key_pem text not null,
      name text not null,
      trust text not null constraint trusted_keys_trust_check check (trust in ('in-process', 'sandboxed')),
      added_by text not null,
      added_at timestamptz not null default now()
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists kernel.trusted_keys');
    this.addSql('drop table if exists kernel.install_instances');
    this.addSql('drop table if exists kernel.install_packages');
    this.addSql('drop table if exists kernel.installs');
  }
}

/** TOTP recovery codes: the SHA-256 of each unused code, spent one at a time (issue 19). */
export class KernelTotpRecoveryMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table kernel.user_totp add column if not exists recovery_codes text[] not null default '{}'");
  }

  override async down(): Promise<void> {
    this.addSql('alter table kernel.user_totp drop column if exists recovery_codes');
  }
}

/**
 * What people say about themselves, for messages addressed to them (issue 18): a display name, a BCP 47 locale and
 * an IANA time zone, each null until set (`PUT /api/v1/me/profile` checks them).
 */
export class KernelUserProfileMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table kernel.users add column if not exists display_name text, add column if not exists locale text, add column if not exists time_zone text');
  }

  override async down(): Promise<void> {
    this.addSql('alter table kernel.users drop column if exists display_name, drop column if exists locale, drop column if exists time_zone');
  }
}

/** The kernel's migrations, oldest first. */
export const kernelMigrations: readonly MigrationObject[] = [
  { name: 'kernel_0001_init', class: KernelInitMigration },
  { name: 'kernel_0002_identity_audit', class: KernelIdentityMigration },
  { name: 'kernel_0003_idempotency', class: KernelIdempotencyMigration },
  { name: 'kernel_0004_idempotency_attempt', class: KernelIdempotencyAttemptMigration },
  { name: 'kernel_0005_session_versions', class: KernelSessionVersionMigration },
  { name: 'kernel_0006_invitations', class: KernelInvitationsMigration },
  { name: 'kernel_0007_tenant_search', class: KernelTenantSearchMigration },
  { name: 'kernel_0008_installs', class: KernelInstallsMigration },
  { name: 'kernel_0009_data_lifecycle', class: KernelDataLifecycleMigration },
  { name: 'kernel_0010_totp_recovery_codes', class: KernelTotpRecoveryMigration },
  { name: 'kernel_0011_tenant_logos', class: KernelTenantLogosMigration },
  { name: 'kernel_0012_user_profile', class: KernelUserProfileMigration },
];
