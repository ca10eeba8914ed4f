import type { Role } from '@valueverse/plugin-sdk';
import type { Database, IdentityStore } from '@valueverse/kernel';
import type { ApiKeyRecord, RefreshTokenRecord, SessionState, TotpRecord } from '@valueverse/kernel/backend';

// Raw SQL on the kernel's tables (schema `kernel`, created by kernel_0002_identity_audit). The kernel store's
// `init()` runs the kernel migrations; this store only reads and writes.

const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string).toISOString());

interface RefreshRow {
  id: string;
  family_id: string;
  user_id: string;
  tenant_id: string;
  token_hash: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}
interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  role: Role;
  prefix: string;
  key_hash: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

const toRefresh = (r: RefreshRow): RefreshTokenRecord => ({
  id: r.id,
  familyId: r.family_id,
  userId: r.user_id,
  tenantId: r.tenant_id,
  tokenHash: r.token_hash,
  expiresAt: iso(r.expires_at)!,
  usedAt: iso(r.used_at),
  revokedAt: iso(r.revoked_at),
});
const toApiKey = (r: ApiKeyRow): ApiKeyRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  keyHash: r.key_hash,
  createdBy: r.created_by,
  createdAt: iso(r.created_at)!,
  revokedAt: iso(r.revoked_at),
});

export class PostgresIdentityStore implements IdentityStore {
  constructor(private readonly db: Database) {}

  async init(): Promise<void> {}

  async insertRefreshToken(r: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>): Promise<void> {
    await this.db.execute('insert into kernel.refresh_tokens (id, family_id, user_id, tenant_id, token_hash, expires_at) values ($1, $2, $3, $4, $5, $6)', [
      r.id,
      r.familyId,
      r.userId,
      r.tenantId,
      r.tokenHash,
      r.expiresAt,
    ]);
  }

  async useRefreshToken(tokenHash: string): Promise<{ record: RefreshTokenRecord; fresh: boolean } | undefined> {
    // One statement decides: only the caller whose update matched a null used_at gets the fresh token.
    const updated = await this.db.execute<RefreshRow>('update kernel.refresh_tokens set used_at = now() where token_hash = $1 and used_at is null returning *', [tokenHash]);
    if (updated[0]) return { record: toRefresh(updated[0]), fresh: true };
    const existing = await this.db.execute<RefreshRow>('select * from kernel.refresh_tokens where token_hash = $1', [tokenHash]);
    return existing[0] ? { record: toRefresh(existing[0]), fresh: false } : undefined;
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const rows = await this.db.execute<RefreshRow>('select * from kernel.refresh_tokens where token_hash = $1', [tokenHash]);
    return rows[0] ? toRefresh(rows[0]) : undefined;
  }

  async getSessionState(userId: string): Promise<SessionState> {
    const rows = await this.db.execute<{ version: string; disabled: boolean }>(
      'select version, disabled_at is not null as disabled from kernel.session_versions where user_id = $1',
      [userId],
    );
    return rows[0] ? { version: Number(rows[0].version), disabled: rows[0].disabled } : { version: 0, disabled: false };
  }

  async setUserDisabled(userId: string, disabled: boolean): Promise<SessionState> {
    const rows = await this.db.execute<{ version: string; disabled: boolean }>(
      `insert into kernel.session_versions (user_id, version, disabled_at) values ($1, 1, case when $2::boolean then now() end)
       on conflict (user_id) do update set version = kernel.session_versions.version + 1,
         disabled_at = case when $2::boolean then coalesce(kernel.session_versions.disabled_at, now()) end
       returning version, disabled_at is not null as disabled`,
      [userId, disabled],
    );
    return { version: Number(rows[0]!.version), disabled: rows[0]!.disabled };
  }

  async bumpSessionVersion(userId: string): Promise<number> {
    // One statement: two concurrent bumps give two different versions.
    const rows = await this.db.execute<{ version: string }>(
      `insert into kernel.session_versions (user_id, version) values ($1, 1)
       on conflict (user_id) do update set version = kernel.session_versions.version + 1 returning version`,
      [userId],
    );
    return Number(rows[0]!.version);
  }

  async revokeRefreshFamily(familyId: string): Promise<number> {
    const rows = await this.db.execute<{ used_at: string | null }>(
      'update kernel.refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null returning used_at',
      [familyId],
    );
    return rows.filter((r) => r.used_at === null).length;
  }

  async revokeRefreshTokensOf(userId: string): Promise<number> {
    const rows = await this.db.execute<{ used_at: string | null }>(
      'update kernel.refresh_tokens set revoked_at = now() where user_id = $1 and revoked_at is null returning used_at',
      [userId],
    );
    return rows.filter((r) => r.used_at === null).length;
  }

  async insertApiKey(k: Omit<ApiKeyRecord, 'revokedAt'>): Promise<void> {
    await this.db.execute('insert into kernel.api_keys (id, tenant_id, name, role, prefix, key_hash, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)', [
      k.id,
      k.tenantId,
      k.name,
      k.role,
      k.prefix,
      k.keyHash,
      k.createdBy,
      k.createdAt,
    ]);
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db.execute<ApiKeyRow>('select * from kernel.api_keys where tenant_id = $1 order by created_at desc, id desc', [tenantId]);
    return rows.map(toApiKey);
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.execute<ApiKeyRow>('select * from kernel.api_keys where key_hash = $1', [keyHash]);
    return rows[0] ? toApiKey(rows[0]) : undefined;
  }

  async revokeApiKey(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.db.execute('update kernel.api_keys set revoked_at = now() where tenant_id = $1 and id = $2 and revoked_at is null returning id', [tenantId, id]);
    return rows.length === 1;
  }

  async getTotp(userId: string): Promise<TotpRecord | undefined> {
    const rows = await this.db.execute<{ user_id: string; sealed_secret: string; enabled: boolean; last_step: string }>('select * from kernel.user_totp where user_id = $1', [
      userId,
    ]);
    const r = rows[0];
    return r ? { userId: r.user_id, sealedSecret: r.sealed_secret, enabled: r.enabled, lastStep: Number(r.last_step) } : undefined;
  }

  async saveTotp(t: TotpRecord): Promise<void> {
    await this.db.execute(
      `insert into kernel.user_totp (user_id, sealed_secret, enabled, last_step) values ($1, $2, $3, $4)
       on conflict (user_id) do update set sealed_secret = excluded.sealed_secret, enabled = excluded.enabled, last_step = excluded.last_step`,
      [t.userId, t.sealedSecret, t.enabled, t.lastStep],
    );
  }

  async advanceTotpStep(userId: string, step: number): Promise<boolean> {
    const rows = await this.db.execute('update kernel.user_totp set last_step = $2 where user_id = $1 and last_step < $2 returning user_id', [userId, step]);
    return rows.length === 1;
  }

  async deleteTotp(userId: string): Promise<void> {
    await this.db.execute('delete from kernel.user_totp where user_id = $1', [userId]);
  }

  async setRecoveryCodes(userId: string, codeHashes: readonly string[]): Promise<void> {
    await this.db.execute('update kernel.user_totp set recovery_codes = $2 where user_id = $1', [userId, [...codeHashes]]);
  }

  async useRecoveryCode(userId: string, codeHash: string): Promise<number | undefined> {
    // One statement: two sign-ins racing with the same code cannot both spend it.
    const rows = await this.db.execute<{ codes_left: number }>(
      `update kernel.user_totp set recovery_codes = array_remove(recovery_codes, $2)
       where user_id = $1 and $2 = any(recovery_codes) returning cardinality(recovery_codes) as codes_left`,
      [userId, codeHash],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].codes_left);
  }

  async countRecoveryCodes(userId: string): Promise<number> {
    const rows = await this.db.execute<{ n: number }>('select cardinality(recovery_codes) as n from kernel.user_totp where user_id = $1', [userId]);
    return rows[0] === undefined ? 0 : Number(rows[0].n);
  }
}
