import { VvError } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { MemoryAttemptStore, type AttemptRule, type AttemptStore } from './attempt-store';

/** Sign-in protection: one rule per account, one per client address. */
export interface AttemptPolicy {
  readonly account: AttemptRule;
  readonly address: AttemptRule;
}

/**
 * 5 failures per account, then locks of 1 s, 2 s, 4 s, … up to 15 minutes; 30 per client address (shared by
 * everyone behind one NAT, and what stops one client from trying a password on many accounts), then the same.
 * Counts are forgotten an hour after the last failure; a successful sign-in clears the account's.
 */
export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = {
  account: { free: 5, baseLockMs: 1000, maxLockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 },
  address: { free: 30, baseLockMs: 1000, maxLockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 },
};

/** The tenant id of kernel events about no tenant (`auth.lockout`): no tenant can have it, so no stream shows them. */
export const PLATFORM_EVENT_TENANT = '_platform';

/** Whose attempts these are: the account (`user:<id>`, or `email:<address>` when no user has it) and the client. */
export interface AttemptKeys {
  readonly account: string;
  readonly address: string;
}

/** The keys of an attempt on the account of `userId` (or, when no user has the email, on the email) from `address`. */
export function attemptKeys(userId: string | undefined, email: string, address: string): AttemptKeys {
  return { account: userId !== undefined ? `user:${userId}` : `email:${email.toLowerCase()}`, address: address || 'unknown' };
}

/** What failed, for the audit row and the lockout event. */
export interface FailedAttempt {
  /** `password`, `totp` or `recovery-code` (at sign-in) or `code` (a second-factor code of a signed-in user). */
  readonly factor: 'password' | 'totp' | 'recovery-code' | 'code';
  /** The audit action of the aggregated failure rows, e.g. `auth.sign-in-failed`. */
  readonly action: string;
  readonly userId: string | null;
  readonly email: string;
}

/** The `auth.lockout` event's payload: enough to notify the account holder or an operator. */
export interface LockoutNotice {
  readonly scope: 'account' | 'address';
  readonly userId: string | null;
  readonly email: string;
  readonly address: string;
  readonly factor: FailedAttempt['factor'];
  readonly failures: number;
  readonly lockedUntil: string;
  readonly retryAfterSeconds: number;
}

export interface AttemptThrottleOptions {
  readonly store?: AttemptStore;
  readonly policy?: Partial<AttemptPolicy>;
  /** The clock (tests inject one to pass a lockout without waiting). */
  readonly now?: () => number;
  /** Where the aggregated failure rows and the lockout rows go. */
  readonly auditor: Pick<Auditor, 'record'>;
  /** Publishes `auth.lockout` on the kernel event bus. */
  readonly notify: (notice: LockoutNotice) => Promise<void>;
}

/**
 * Brute-force protection for every credential check (password and TOTP at sign-in, second-factor codes of
 * signed-in users): per account and per client address, exponential backoff and temporary lockout, 429
 * `VV_TOO_MANY_ATTEMPTS` with `Retry-After` while locked, the right credential included.
 *
 * Failed attempts are audited in aggregate, so an anonymous client cannot grow the append-only log without bound:
 * a row is written when the failures counted on the client address reach 1, 2, 4, 8, … (and likewise on an
 * existing account), each with the counts so far; and one `auth.lockout` row per lockout.
 */
export class AttemptThrottle {
  private readonly store: AttemptStore;
  private readonly policy: AttemptPolicy;
  private readonly now: () => number;

  constructor(private readonly options: AttemptThrottleOptions) {
    this.store = options.store ?? new MemoryAttemptStore();
    this.policy = { ...DEFAULT_ATTEMPT_POLICY, ...options.policy };
    this.now = options.now ?? Date.now;
  }

  /** Throws 429 while the account or the address is locked; call before looking at the credential. */
  async check(keys: AttemptKeys): Promise<void> {
    const now = this.now();
    const states = await this.store.get([this.accountKey(keys), this.addressKey(keys)], now);
    const lockedUntil = Math.max(...states.map((s) => s.lockedUntil));
    if (lockedUntil > now) throw tooMany(lockedUntil, now);
  }

  /** Counts a failure on both keys; throws 429 when this failure started a lockout (else the caller answers 401). */
  async fail(keys: AttemptKeys, attempt: FailedAttempt, ctx?: RequestContext): Promise<void> {
    const now = this.now();
    const [account, address] = await Promise.all([
      this.store.fail(this.accountKey(keys), this.policy.account, now),
      this.store.fail(this.addressKey(keys), this.policy.address, now),
    ]);
    if (isPowerOfTwo(address.failures) || (attempt.userId !== null && isPowerOfTwo(account.failures))) {
      await this.options.auditor.record(
        {
          action: attempt.action,
          actor: attempt.userId,
          tenantId: null,
          target: attempt.factor === 'password' ? `email:${attempt.email}` : attempt.factor,
          after: { factor: attempt.factor, accountFailures: account.failures, addressFailures: address.failures },
        },
        ctx,
      );
    }
    // A lockout begins when this failure set a lock that was not there before it (one notice per lockout).
    const started = [
      { scope: 'account' as const, state: account, over: account.failures > this.policy.account.free },
      { scope: 'address' as const, state: address, over: address.failures > this.policy.address.free },
    ].filter((s) => s.over && s.state.lockedUntil > now);
    if (started.length === 0) return;
    const lockedUntil = Math.max(...started.map((s) => s.state.lockedUntil));
    for (const { scope, state } of started) {
      const notice: LockoutNotice = {
        scope,
        userId: attempt.userId,
        email: attempt.email,
        address: keys.address,
        factor: attempt.factor,
        failures: state.failures,
        lockedUntil: new Date(state.lockedUntil).toISOString(),
        retryAfterSeconds: retryAfter(state.lockedUntil, now),
      };
      await this.options.auditor.record(
        { action: 'auth.lockout', actor: attempt.userId, tenantId: null, target: scope === 'account' ? `email:${attempt.email}` : `address:${keys.address}`, after: notice },
        ctx,
      );
      await this.options.notify(notice);
    }
    throw tooMany(lockedUntil, now);
  }

  /** A right credential: the account's count starts again (the address's does not, or one account would reset it). */
  async succeed(keys: AttemptKeys): Promise<void> {
    await this.store.reset(this.accountKey(keys));
  }

  async close(): Promise<void> {
    await this.store.close?.();
  }

  private accountKey(keys: AttemptKeys): string {
    return `account:${keys.account}`;
  }

  private addressKey(keys: AttemptKeys): string {
    return `address:${keys.address}`;
  }
}

type RequestContext = Parameters<Auditor['record']>[1];

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

const retryAfter = (lockedUntil: number, now: number): number => Math.max(1, Math.ceil((lockedUntil - now) / 1000));

function tooMany(lockedUntil: number, now: number): VvError {
  const seconds = retryAfter(lockedUntil, now);
  return new VvError('VV_TOO_MANY_ATTEMPTS', { params: { retryAfter: seconds }, headers: { 'Retry-After': String(seconds) } });
}
