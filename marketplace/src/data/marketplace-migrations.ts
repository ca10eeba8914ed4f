import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

// The registry's tables, in schema `marketplace` (its own, beside the kernel's `kernel`), migrated through the
// kernel's `Database.migrate` (MikroORM's Migrator, recorded in marketplace.mikro_orm_migrations). Append new
// migrations; never edit or rename a released one. Statements are idempotent (`if not exists`) so a half-applied
// schema converges, and every migration has a `down`.
//
// Ids use collation "C": listings sort by code point on every server and in PGlite.

/** Publishers, their token hashes and keys; packages, versions and their bytes. */
export class MarketplaceInitMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('create schema if not exists marketplace');
    // The token itself is shown once and never stored: only its SHA-256 (hex), which is what a request is looked up by.
    this.addSql(`create table if not exists marketplace.publishers (
      id text collate "C" constraint publishers_pkey primary key,
      name text not null,
      token_hash text not null constraint publishers_token_hash_key unique,
      token_created_at timestamptz not null default now(),
      created_at timestamptz not null default now()
    )`);
    this.addSql('create unique index if not exists publishers_name_lower_key on marketplace.publishers (lower(name))');
    // A key id names one key in the whole registry: a key cannot sign for two publishers.
    this.addSql(`create table if not exists marketplace.publisher_keys (
      key_id text collate "C" constraint publisher_keys_pkey primary key,
      publisher_id text collate "C" not null
        constraint publisher_keys_publisher_fkey references marketplace.publishers (id) on delete cascade,
      public_key_pem text not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    )`);
    this.addSql('create index if not exists publisher_keys_publisher_idx on marketplace.publisher_keys (publisher_id)');
    // A package row is claimed by its first publish; its display fields follow its latest non-yanked version.
    this.addSql(`create table if not exists marketplace.packages (
      id text collate "C" constraint packages_pkey primary key,
      publisher_id text collate "C" not null
        constraint packages_publisher_fkey references marketplace.publishers (id),
      display_name text not null default '',
      description text not null default '',
      categories text[] not null default '{}',
      latest_version text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql('create index if not exists packages_category_idx on marketplace.packages using gin (categories)');
    this.addSql(`create table if not exists marketplace.package_versions (
      package_id text collate "C" not null
        constraint package_versions_package_fkey references marketplace.packages (id) on delete cascade,
      version text collate "C" not null,
      kernel_range text not null,
      manifest jsonb not null,
      display_name text not null,
      description text not null,
      categories text[] not null default '{}',
      readme text not null default '',
      icon_path text,
      permissions jsonb not null default '[]'::jsonb,
      size integer not null,
      integrity text not null,
      signer_key_id text collate "C" not null,
      published_by text collate "C" not null,
      published_at timestamptz not null default now(),
      yanked_at timestamptz,
      downloads bigint not null default 0,
      constraint package_versions_pkey primary key (package_id, version)
    )`);
    // The package file, apart from its metadata so listings never read it; bytea is TOASTed out of line.
    this.addSql(`create table if not exists marketplace.package_blobs (
      package_id text collate "C" not null,
      version text collate "C" not null,
      content bytea not null,
      icon bytea,
      constraint package_blobs_pkey primary key (package_id, version),
      constraint package_blobs_version_fkey foreign key (package_id, version)
        references marketplace.package_versions (package_id, version) on delete cascade
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists marketplace.package_blobs');
    this.addSql('drop table if exists marketplace.package_versions');
    this.addSql('drop table if exists marketplace.packages');
    this.addSql('drop table if exists marketplace.publisher_keys');
    this.addSql('drop table if exists marketplace.publishers');
  }
}

/** Oldest first: what `Database.migrate({ schema: 'marketplace', migrations })` applies. */
export const marketplaceMigrations: readonly MigrationObject[] = [{ name: 'marketplace_0001_init', class: MarketplaceInitMigration }];

/** The schema the registry owns. */
export const MARKETPLACE_SCHEMA = 'marketplace';
