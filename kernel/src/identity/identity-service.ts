import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { VvError, type Role } from '@valueverse/plugin-sdk';
import type { AccessChange } from './access-changes';
import type { Auditor } from '../audit/auditor';
import type { TokenService } from './token-service';
import type { KernelStore, UserRecord } from '../tenancy/kernel-store';
import type { ApiKeyRecord, IdentityStore } from './identity-store';
import { generateTotpSecret, otpauthUri, verifyTotp } from './totp';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** How many recovery codes a user gets: each signs in once in place of a TOTP code. */
export const RECOVERY_CODE_COUNT = 10;
// No 0/o, 1/l/i: codes are read off paper. 31 symbols × 10 ≈ 49.5 bits, and sign-in attempts are throttled.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A recovery code as shown: `xxxxx-xxxxx`. */
function recoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** What is hashed of a recovery code: case, spaces and dashes do not matter when it is typed. */
const recoveryHash = (code: string): string => sha256(code.toLowerCase().replace(/[^a-z0-9]/g, ''));
const disabledAccount = () => new VvError('VV_FORBIDDEN', { params: { reason: 'This account is disabled' } });
const token = (prefix: string, bytes: number): string => `${prefix}${randomBytes(bytes).toString('base64url')}`;

/** Seals short secrets (TOTP) at rest: the kernel's SecretBox. */
export interface Sealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** How many tenants beyond their memberships sign-in offers a platform admin (see `tenantsOf`). */
const PLATFORM_ADMIN_CHOICES = 100;

export interface TenantChoice {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
}

/** What sign-in and refresh answer (ARCHITECTURE "Core API"). */
export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
  readonly user: { readonly id: string; readonly email: string; readonly platformAdmin: boolean; readonly mfa: boolean };
  readonly tenant: TenantChoice;
  readonly tenants: readonly TenantChoice[];
}

export interface IdentityServiceOptions {
  /** Refresh token lifetime (default 30 days). */
  readonly refreshTtlSeconds?: number;
  /** Tells every instance that a sign-in session ended (sign-out, refresh-token reuse). */
  readonly onAccessChanged?: (change: AccessChange) => Promise<void>;
}

/**
 * Sessions (access + rotating refresh tokens with reuse detection), API keys and TOTP second factors.
 * Every security event goes to the audit log.
 */
export class IdentityService {
  private readonly refreshTtlMs: number;
  private readonly onAccessChanged: (change: AccessChange) => Promise<void>;

  constructor(
    private readonly store: KernelStore,
    private readonly identity: IdentityStore,
    private readonly tokens: TokenService,
    private readonly sealer: Sealer,
    private readonly auditor: Auditor,
    options: IdentityServiceOptions = {},
  ) {
    this.refreshTtlMs = (options.refreshTtlSeconds ?? 30 * 86_400) * 1000;
    this.onAccessChanged = options.onAccessChanged ?? (async () => {});
  }

  /**
   * The tenants a user may act in, as sign-in offers them. Platform admins may act in every tenant, but a deployment
   * can hold 100,000: they are offered their memberships and the first `PLATFORM_ADMIN_CHOICES` other tenants by id,
   * and reach any other by naming it (`choiceOf`); the console's tenant list pages and searches them all.
   */
  async tenantsOf(user: UserRecord): Promise<TenantChoice[]> {
    const memberships = await this.store.listMemberships(user.id);
    const choices: TenantChoice[] = [];
    for (const m of memberships) {
      const tenant = await this.store.getTenant(m.tenantId);
      if (tenant) choices.push({ id: tenant.id, name: tenant.name, role: user.platformAdmin ? 'platform-admin' : m.role });
    }
    if (user.platformAdmin) {
      const chosen = new Set(choices.map((c) => c.id));
      const { items } = await this.store.listTenants({ limit: PLATFORM_ADMIN_CHOICES });
      for (const t of items) if (!chosen.has(t.id)) choices.push({ id: t.id, name: t.name, role: 'platform-admin' });
    }
    return choices;
  }

  /** The tenant the user may act in by that id, or undefined: one of `choices`, or for a platform admin any tenant. */
  private async choiceOf(user: UserRecord, tenantId: string, choices: readonly TenantChoice[]): Promise<TenantChoice | undefined> {
    const listed = choices.find((t) => t.id === tenantId);
    if (listed || !user.platformAdmin) return listed;
    const tenant = await this.store.getTenant(tenantId);
    return tenant && { id: tenant.id, name: tenant.name, role: 'platform-admin' };
  }

  /** Issues an access token and a new refresh token (a new family unless `familyId` continues one). */
  async openSession(user: UserRecord, tenantId: string | undefined, familyId: string = randomUUID()): Promise<Session> {
    // The token carries the user's session version and its sign-in session, so a later demotion, removal,
    // disabling or sign-out ends it on every instance (SessionGuard).
    const { version: sv, disabled } = await this.identity.getSessionState(user.id);
    if (disabled) throw disabledAccount();
    const tenants = await this.tenantsOf(user);
    const tenant = tenantId === undefined ? tenants[0] : await this.choiceOf(user, tenantId, tenants);
    if (!tenant) {
      if (tenantId !== undefined) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
      throw new VvError('VV_FORBIDDEN', { params: { reason: 'This user belongs to no tenant' } });
    }
    const accessToken = await this.tokens.issue({ sub: user.id, tid: tenant.id, role: tenant.role, email: user.email, pa: user.platformAdmin, sv, sid: familyId });
    const refreshToken = token('vvr_', 32);
    await this.identity.insertRefreshToken({
      id: randomUUID(),
      familyId,
      userId: user.id,
      tenantId: tenant.id,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.refreshTtlMs).toISOString(),
    });
    const totp = await this.identity.getTotp(user.id);
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.tokens.expiresIn,
      user: { id: user.id, email: user.email, platformAdmin: user.platformAdmin, mfa: totp?.enabled === true },
      tenant,
      tenants,
    };
  }

  /**
   * Checks the second factor at sign-in. Users without TOTP pass; users with it need a fresh code
   * (`VV_MFA_REQUIRED` without one, `VV_UNAUTHENTICATED` for a wrong or replayed one).
   */
  async checkSecondFactor(user: UserRecord, code: string | undefined, recovery?: string): Promise<{ recoveryCodesLeft?: number }> {
    const record = await this.identity.getTotp(user.id);
    if (!record?.enabled) return {};
    if (recovery !== undefined) {
      const left = await this.identity.useRecoveryCode(user.id, recoveryHash(recovery));
      if (left === undefined) throw new VvError('VV_TOTP_RECOVERY_CODE_INVALID');
      return { recoveryCodesLeft: left };
    }
    if (!code) throw new VvError('VV_MFA_REQUIRED');
    const step = verifyTotp(this.sealer.open(record.sealedSecret), code);
    if (step === undefined || !(await this.identity.advanceTotpStep(user.id, step))) {
      throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'The one-time code is wrong or was already used' } });
    }
    return {};
  }

  /**
   * Rotates a refresh token: the presented one is spent and a new one of the same family issued. Presenting a
   * spent token again means it leaked: the whole family is revoked and the caller must sign in again.
   */
  async refresh(refreshToken: string, tenantId: string | undefined, meta: { requestId: string; ip: string }): Promise<Session> {
    await this.checkRefreshTenant(refreshToken, tenantId);
    const used = await this.identity.useRefreshToken(sha256(refreshToken));
    const reject = (reason: string) => new VvError('VV_UNAUTHENTICATED', { params: { reason } });
    if (!used) throw reject('The refresh token is not valid');
    const { record } = used;
    if (!used.fresh && !record.revokedAt) {
      const revoked = await this.identity.revokeRefreshFamily(record.familyId);
      await this.auditor.record({
        action: 'auth.refresh-reused',
        actor: record.userId,
        tenantId: record.tenantId,
        target: `refresh-family:${record.familyId}`,
        after: { revokedLiveTokens: revoked },
        ...meta,
      });
      await this.onAccessChanged({ kind: 'session', id: record.familyId });
      throw reject('The refresh token was already used; every session of this sign-in is revoked');
    }
    if (record.revokedAt) throw reject('The refresh token was revoked');
    if (Date.parse(record.expiresAt) <= Date.now()) throw reject('The refresh token expired');
    const user = await this.store.getUser(record.userId);
    if (!user) throw reject('The user no longer exists');
    return this.openSession(user, tenantId ?? record.tenantId, record.familyId);
  }

  /**
   * Refuses, before the refresh token is spent, a tenant the user may not act in (a foreign `tenantId`, or the
   * session's own tenant after the user was removed from it): spending it first would leave the client with no
   * token, and its retry with the spent one would revoke the whole sign-in as a reuse. A token that is not live is
   * left to `refresh`, which answers (and detects reuse) as before.
   */
  private async checkRefreshTenant(refreshToken: string, tenantId: string | undefined): Promise<void> {
    const record = await this.identity.findRefreshToken(sha256(refreshToken));
    if (!record || record.usedAt || record.revokedAt || Date.parse(record.expiresAt) <= Date.now()) return;
    const user = await this.store.getUser(record.userId);
    if (!user) return;
    if ((await this.identity.getSessionState(user.id)).disabled) throw disabledAccount();
    const wanted = tenantId ?? record.tenantId;
    if (!(await this.choiceOf(user, wanted, await this.tenantsOf(user)))) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: wanted } });
  }

  /** Sign-out: revokes the refresh token's family. Unknown tokens are ignored (sign-out is idempotent). */
  async logout(refreshToken: string): Promise<{ userId: string; tenantId: string } | undefined> {
    const used = await this.identity.useRefreshToken(sha256(refreshToken));
    if (!used) return undefined;
    await this.identity.revokeRefreshFamily(used.record.familyId);
    // The session's access tokens and event streams end too, on every instance.
    await this.onAccessChanged({ kind: 'session', id: used.record.familyId });
    return { userId: used.record.userId, tenantId: used.record.tenantId };
  }

  /** Starts TOTP enrolment (replacing a pending one); the factor is on after `confirmTotp`. */
  async enrolTotp(user: UserRecord): Promise<{ secret: string; otpauthUri: string }> {
    const existing = await this.identity.getTotp(user.id);
    if (existing?.enabled) throw new VvError('VV_CONFLICT', { detail: 'A second factor is already on; turn it off first' });
    const secret = generateTotpSecret();
    await this.identity.saveTotp({ userId: user.id, sealedSecret: this.sealer.seal(secret), enabled: false, lastStep: 0 });
    return { secret, otpauthUri: otpauthUri(secret, user.email) };
  }

  /**
   * Confirms enrolment (`enable`, answering the new recovery codes: the only time they are shown), turns the factor
   * off (`disable`, its recovery codes with it), or replaces the recovery codes (`recovery-codes`), with a current code.
   */
  async confirmTotp(userId: string, code: string, change: 'enable' | 'disable' | 'recovery-codes'): Promise<string[] | undefined> {
    const record = await this.identity.getTotp(userId);
    if (!record || (change === 'enable' && record.enabled) || (change !== 'enable' && !record.enabled)) {
      throw new VvError('VV_CONFLICT', { detail: change === 'enable' ? 'Start enrolment first (POST /api/v1/me/totp)' : 'No second factor is on' });
    }
    const step = verifyTotp(this.sealer.open(record.sealedSecret), code);
    if (step === undefined || !(await this.identity.advanceTotpStep(userId, step))) {
      throw VvError.validation([{ pointer: '/code', message: 'the one-time code is wrong or was already used' }]);
    }
    if (change === 'disable') {
      await this.identity.deleteTotp(userId);
      return undefined;
    }
    if (change === 'enable') await this.identity.saveTotp({ ...record, enabled: true, lastStep: step });
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
    await this.identity.setRecoveryCodes(userId, codes.map(recoveryHash));
    return codes;
  }

  /** Unused recovery codes of the user (0 without a second factor). */
  recoveryCodesLeft(userId: string): Promise<number> {
    return this.identity.countRecoveryCodes(userId);
  }

  /** Creates an API key; the key itself is in the result only. */
  async createApiKey(tenantId: string, name: string, role: Role, createdBy: string): Promise<{ record: ApiKeyRecord; key: string }> {
    const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
    const key = `vvk_${id}_${randomBytes(24).toString('base64url')}`;
    const record: Omit<ApiKeyRecord, 'revokedAt'> = { id, tenantId, name, role, prefix: `vvk_${id}`, keyHash: sha256(key), createdBy, createdAt: new Date().toISOString() };
    await this.identity.insertApiKey(record);
    return { record: { ...record, revokedAt: null }, key };
  }

  /** The live key for a presented secret, or undefined. */
  async findApiKey(key: string): Promise<ApiKeyRecord | undefined> {
    const record = await this.identity.findApiKeyByHash(sha256(key));
    return record && !record.revokedAt ? record : undefined;
  }
}
