import type { MigrationObject } from '@mikro-orm/core';
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

/** The kernel's migrations, oldest first. */
export const kernelMigrations: readonly MigrationObject[] = [{ name: 'kernel_0001_init', class: KernelInitMigration }];
