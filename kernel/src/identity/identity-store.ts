import type { Role } from '@valueverse/plugin-sdk';

/** One refresh token. Only its SHA-256 is stored; the token itself is shown to the client once. */
export interface RefreshTokenRecord {
  readonly id: string;
  /** Every rotation keeps the family: reuse of a spent token revokes the whole family (stolen-token detection). */
  readonly familyId: string;
  readonly userId: string;
  readonly tenantId: string;
  readonly tokenHash: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
  readonly revokedAt: string | null;
}

/** A per-tenant API key. Only its SHA-256 is stored; `prefix` lets people recognise it in listings. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly role: Role;
  readonly prefix: string;
  readonly keyHash: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** A user's TOTP second factor; the secret is sealed with the kernel's SecretBox. */
export interface TotpRecord {
  readonly userId: string;
  readonly sealedSecret: string;
  /** False between enrolment and the first verified code. */
  readonly enabled: boolean;
  /** Last accepted time step: a code is accepted once (RFC 6238 §5.2). */
  readonly lastStep: number;
}

/** What decides whether a user's access tokens still stand (see `SessionGuard`). */
export interface SessionState {
  readonly version: number;
  readonly disabled: boolean;
}

/** Where identity state lives beside the kernel store: refresh tokens, API keys, second factors. */
export interface IdentityStore {
  init(): Promise<void>;
  insertRefreshToken(record: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>): Promise<void>;
  /**
   * Marks the token used, atomically: of two concurrent calls with one token, one gets `fresh: true`.
   * Undefined when no token has this hash.
   */
  useRefreshToken(tokenHash: string): Promise<{ readonly record: RefreshTokenRecord; readonly fresh: boolean } | undefined>;
  /** The token with this hash as it is, without using it (refresh checks the request before spending it). */
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Revokes every token of the family; returns how many were still live. */
  revokeRefreshFamily(familyId: string): Promise<number>;
  /** Revokes every refresh token of the user, in every family (a password change); returns how many were live. */
  revokeRefreshTokensOf(userId: string): Promise<number>;

  /** The user's session version (0 until the first bump) and whether the account is disabled. */
  getSessionState(userId: string): Promise<SessionState>;
  /** Raises the user's session version by one and returns it (tokens issued before stop working). */
  bumpSessionVersion(userId: string): Promise<number>;
  /** Disables or enables the account, raising the session version too; returns the new state. */
  setUserDisabled(userId: string, disabled: boolean): Promise<SessionState>;

  insertApiKey(record: Omit<ApiKeyRecord, 'revokedAt'>): Promise<void>;
  /** Newest first, revoked ones included. */
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  /** False when the tenant has no such live key. */
  revokeApiKey(tenantId: string, id: string): Promise<boolean>;

  getTotp(userId: string): Promise<TotpRecord | undefined>;
  saveTotp(record: TotpRecord): Promise<void>;
  /** Sets `lastStep` only if it grows; false when the step was already used (replay). */
  advanceTotpStep(userId: string, step: number): Promise<boolean>;
  deleteTotp(userId: string): Promise<void>;
  /** Replaces the user's recovery codes (SHA-256 of each, normalised); every earlier code stops working. */
  setRecoveryCodes(userId: string, codeHashes: readonly string[]): Promise<void>;
  /** Spends one recovery code: the codes left, or undefined when the user has no such unused code. Atomic. */
  useRecoveryCode(userId: string, codeHash: string): Promise<number | undefined>;
  /** How many unused recovery codes the user has. */
  countRecoveryCodes(userId: string): Promise<number>;
}

const now = (): string => new Date().toISOString();

/** `IdentityStore` in memory: tests and the SDK harness. Same semantics as the PostgreSQL store. */
export class MemoryIdentityStore implements IdentityStore {
  private readonly refresh = new Map<string, RefreshTokenRecord>();
  private readonly keys = new Map<string, ApiKeyRecord>();
  private readonly totp = new Map<string, TotpRecord>();
  private readonly recovery = new Map<string, Set<string>>();
  private readonly sessions = new Map<string, SessionState>();

  async init(): Promise<void> {}

  async insertRefreshToken(record: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>): Promise<void> {
    this.refresh.set(record.tokenHash, { ...record, usedAt: null, revokedAt: null });
  }

  async useRefreshToken(tokenHash: string): Promise<{ record: RefreshTokenRecord; fresh: boolean } | undefined> {
    const record = this.refresh.get(tokenHash);
    if (!record) return undefined;
    if (record.usedAt) return { record, fresh: false };
    const used = { ...record, usedAt: now() };
    this.refresh.set(tokenHash, used);
    return { record: used, fresh: true };
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    return this.refresh.get(tokenHash);
  }

  async getSessionState(userId: string): Promise<SessionState> {
    return this.sessions.get(userId) ?? { version: 0, disabled: false };
  }

  async bumpSessionVersion(userId: string): Promise<number> {
    const current = await this.getSessionState(userId);
    this.sessions.set(userId, { ...current, version: current.version + 1 });
    return current.version + 1;
  }

  async setUserDisabled(userId: string, disabled: boolean): Promise<SessionState> {
    const next = { version: (await this.getSessionState(userId)).version + 1, disabled };
    this.sessions.set(userId, next);
    return next;
  }

  async revokeRefreshFamily(familyId: string): Promise<number> {
    return this.revokeWhere((r) => r.familyId === familyId);
  }

  async revokeRefreshTokensOf(userId: string): Promise<number> {
    return this.revokeWhere((r) => r.userId === userId);
  }

  private revokeWhere(match: (r: RefreshTokenRecord) => boolean): number {
    let live = 0;
    for (const [hash, r] of this.refresh) {
      if (!match(r) || r.revokedAt) continue;
      if (!r.usedAt) live += 1;
      this.refresh.set(hash, { ...r, revokedAt: now() });
    }
    return live;
  }

  async insertApiKey(record: Omit<ApiKeyRecord, 'revokedAt'>): Promise<void> {
    this.keys.set(record.id, { ...record, revokedAt: null });
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()].filter((k) => k.tenantId === tenantId).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return [...this.keys.values()].find((k) => k.keyHash === keyHash);
  }

  async revokeApiKey(tenantId: string, id: string): Promise<boolean> {
    const key = this.keys.get(id);
    if (!key || key.tenantId !== tenantId || key.revokedAt) return false;
    this.keys.set(id, { ...key, revokedAt: now() });
    return true;
  }

  async getTotp(userId: string): Promise<TotpRecord | undefined> {
    return this.totp.get(userId);
  }

  async saveTotp(record: TotpRecord): Promise<void> {
    this.totp.set(record.userId, record);
  }

  async advanceTotpStep(userId: string, step: number): Promise<boolean> {
    const record = this.totp.get(userId);
    if (!record || record.lastStep >= step) return false;
    this.totp.set(userId, { ...record, lastStep: step });
    return true;
  }

  async deleteTotp(userId: string): Promise<void> {
    this.totp.delete(userId);
    this.recovery.delete(userId);
  }

  async setRecoveryCodes(userId: string, codeHashes: readonly string[]): Promise<void> {
    this.recovery.set(userId, new Set(codeHashes));
  }

  async useRecoveryCode(userId: string, codeHash: string): Promise<number | undefined> {
    const codes = this.recovery.get(userId);
    if (!codes?.delete(codeHash)) return undefined;
    return codes.size;
  }

  async countRecoveryCodes(userId: string): Promise<number> {
    return this.recovery.get(userId)?.size ?? 0;
  }
}
