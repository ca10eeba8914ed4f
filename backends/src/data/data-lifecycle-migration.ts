import { Migration } from '@mikro-orm/migrations';

/**
 * Data lifecycle (issue #22): tenant exports (`tenant_exports`, the archive kept until `expires_at`), retention
 * policies per tenant and data class (`retention_policies`), and deleted tenants awaiting the purge of their plugin
 * data (`tenant_purges`, filled by a trigger on `kernel.tenants`, so every way of deleting a tenant is covered).
 *
 * The audit log stays append-only with two narrow, explicit exceptions a transaction must ask for: an erasure
 * (`set local vv.audit_erasure = 'on'`) may rewrite who and what an entry names but never its id, time, action or
 * tenant, so counts and order stay; retention (`set local vv.audit_retention = 'on'`) may delete old entries.
 * Truncate is still refused.
 */
export class KernelDataLifecycleMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists kernel.tenant_exports (
      id text collate "C" constraint tenant_exports_pkey primary key,
      tenant_id text collate "C" not null constraint tenant_exports_tenant_fkey references kernel.tenants (id) on delete cascade,
      state text not null constraint tenant_exports_state_check check (state in ('pending', 'ready', 'failed')),
      requested_by text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      manifest jsonb,
      archive bytea,
      error text
    )`);
    this.addSql('create index if not exists tenant_exports_tenant_idx on kernel.tenant_exports (tenant_id, created_at desc)');
    this.addSql(`create table if not exists kernel.retention_policies (
      tenant_id text collate "C" not null constraint retention_policies_tenant_fkey references kernel.tenants (id) on delete cascade,
      data_class text collate "C" not null,
      days integer not null constraint retention_policies_days_check check (days between 1 and 36500),
      updated_at timestamptz not null default now(),
      constraint retention_policies_pkey primary key (tenant_id, data_class)
    )`);
    this.addSql(`create table if not exists kernel.tenant_purges (
      tenant_id text collate "C" constraint tenant_purges_pkey primary key,
      deleted_at timestamptz not null default now(),
      purged_at timestamptz,
      report jsonb
    )`);
    this.addSql(`create or replace function kernel.tenant_deleted() returns trigger language plpgsql as $$
      begin
        insert into kernel.tenant_purges (tenant_id) values (old.id)
          on conflict (tenant_id) do update set deleted_at = now(), purged_at = null, report = null;
        return old;
      end $$`);
    this.addSql('drop trigger if exists tenants_deleted on kernel.tenants');
    this.addSql('create trigger tenants_deleted after delete on kernel.tenants for each row execute function kernel.tenant_deleted()');
    // Signing key rotation: the table the host's first boot creates, with when each key starts signing and retires.
    this.addSql('create table if not exists kernel.signing_keys (id text primary key, sealed_jwk text not null, created_at timestamptz not null default now())');
    this.addSql('alter table kernel.signing_keys add column if not exists active_at timestamptz');
    this.addSql('alter table kernel.signing_keys add column if not exists retire_after timestamptz');
    this.addSql(`create or replace function kernel.audit_log_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and current_setting('vv.audit_erasure', true) = 'on'
           and new.id = old.id and new.at = old.at and new.action = old.action and new.tenant_id is not distinct from old.tenant_id then
          return new;
        end if;
        if tg_op = 'DELETE' and current_setting('vv.audit_retention', true) = 'on' then
          return old;
        end if;
        raise exception 'kernel.audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
      end $$`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function kernel.audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'kernel.audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege'; end $$`);
    this.addSql('alter table kernel.signing_keys drop column if exists retire_after');
    this.addSql('alter table kernel.signing_keys drop column if exists active_at');
    this.addSql('drop trigger if exists tenants_deleted on kernel.tenants');
    this.addSql('drop function if exists kernel.tenant_deleted()');
    this.addSql('drop table if exists kernel.tenant_purges');
    this.addSql('drop table if exists kernel.retention_policies');
    this.addSql('drop table if exists kernel.tenant_exports');
  }
}
