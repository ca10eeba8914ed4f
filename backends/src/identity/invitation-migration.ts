import { Migration } from '@mikro-orm/migrations';

/**
 * `kernel.invitations`: a tenant's invitation of an email address to a role, accepted by whoever holds its token
 * (issue #10, finding 8). Only the token's SHA-256 is stored. At most one pending invitation per tenant and email
 * (a partial unique index): inviting again replaces its token, role and expiry instead of piling up live tokens.
 */
export class KernelInvitationsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists kernel.invitations (
      id text collate "C" constraint invitations_pkey primary key,
      tenant_id text collate "C" not null constraint invitations_tenant_fkey references kernel.tenants (id) on delete cascade,
      email text not null,
      role text not null,
      token_hash text not null constraint invitations_token_hash_key unique,
      invited_by text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      accepted_at timestamptz,
      accepted_by text,
      revoked_at timestamptz
    )`);
    this.addSql('create unique index if not exists invitations_pending_key on kernel.invitations (tenant_id, lower(email)) where accepted_at is null and revoked_at is null');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists kernel.invitations');
  }
}
