import { DestroyRef, Injectable, InjectionToken, computed, effect, inject, signal } from '@angular/core';
import { ApiClient } from '../api/api-client';
import { ProblemError, toProblem } from '../api/problem';
import { hasRole, parseSession, sessionFrom, type Role, type Session, type TokenResponse } from './session';

/** Where the session is kept: localStorage, so every tab of the browser shares one sign-in. Null disables persistence. */
export const SESSION_STORAGE = new InjectionToken<Storage | null>('SESSION_STORAGE', {
  providedIn: 'root',
  factory: () => (typeof localStorage === 'undefined' ? null : localStorage),
});

export const SESSION_KEY = 'vv.session';

/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;

export interface Credentials {
  readonly email: string;
  readonly password: string;
  readonly totp?: string;
  /** A TOTP recovery code, in place of `totp`. */
  readonly recoveryCode?: string;
  readonly tenantId?: string;
}

export type SignInResult = { readonly status: 'signed-in'; readonly session: Session } | { readonly status: 'mfa-required'; readonly message: string };

/**
 * The signed-in user and tenant, their tokens, and the refresh that keeps them valid.
 *
 * Tabs share the session through localStorage and its `storage` event. Refresh tokens rotate, so two tabs must not
 * both spend the same one: refreshes run under a Web Lock, and a tab that gets the lock re-reads storage first and
 * adopts the tokens another tab already obtained.
 */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private readonly api = inject(ApiClient);
  private readonly storage = inject(SESSION_STORAGE);
  private readonly state = signal<Session | undefined>(this.read());
  private inflight: Promise<Session> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  readonly session = this.state.asReadonly();
  readonly signedIn = computed(() => this.state() !== undefined);
  readonly user = computed(() => this.state()?.user);
  readonly tenant = computed(() => this.state()?.tenant);
  readonly tenants = computed(() => this.state()?.tenants ?? []);
  readonly platformAdmin = computed(() => this.state()?.user.platformAdmin === true);
  /** Why the last session ended without the user signing out (shown on the sign-in page). */
  readonly endedBecause = signal<string | undefined>(undefined);

  constructor() {
    const onStorage = (event: StorageEvent) => {
      if (event.key === SESSION_KEY || event.key === null) this.state.set(this.read());
    };
    if (typeof window !== 'undefined') window.addEventListener('storage', onStorage);
    inject(DestroyRef).onDestroy(() => {
      if (typeof window !== 'undefined') window.removeEventListener('storage', onStorage);
      clearTimeout(this.timer);
    });
    // Keep the access token fresh while the app is open.
    effect(() => this.schedule(this.state()));
  }

  accessToken(): string | undefined {
    return this.state()?.accessToken;
  }

  hasRole(minimum: Role): boolean {
    const s = this.state();
    return !!s && (s.user.platformAdmin || hasRole(s.tenant.role, minimum));
  }

  canRefresh(): boolean {
    return !!this.state()?.refreshToken;
  }

  /** True when the access token is expired or about to be (5 s margin). */
  expiresSoon(now = Date.now()): boolean {
    const s = this.state();
    return !!s && s.expiresAt - now < 5_000;
  }

  /** POST /auth/login. A 401 `VV_MFA_REQUIRED` becomes `{status: 'mfa-required'}`; other failures throw ProblemError. */
  async signIn(credentials: Credentials): Promise<SignInResult> {
    try {
      const body: Record<string, string> = { email: credentials.email, password: credentials.password };
      if (credentials.totp) body['totp'] = credentials.totp;
      if (credentials.recoveryCode) body['recoveryCode'] = credentials.recoveryCode;
      if (credentials.tenantId) body['tenantId'] = credentials.tenantId;
      const response = await this.api.post<TokenResponse>('/api/v1/auth/login', body);
      this.endedBecause.set(undefined);
      return { status: 'signed-in', session: this.adopt(response) };
    } catch (error) {
      const problem = toProblem(error);
      if (problem.code === 'VV_MFA_REQUIRED') return { status: 'mfa-required', message: credentials.totp ? problem.detail || 'That code is not valid.' : '' };
      throw error;
    }
  }

  /**
   * POST /auth/refresh with the current refresh token (rotated in the answer). With `tenantId`, switches the
   * session to that tenant. Concurrent refreshes without a tenant share one request.
   */
  refresh(tenantId?: string): Promise<Session> {
    if (!tenantId && this.inflight) return this.inflight;
    const run = this.withLock(async () => {
      const before = this.state();
      // Storage is the truth shared by the tabs; without storage (persistence off) memory is.
      const stored = this.storage ? this.read() : before;
      if (!stored) throw new ProblemError({ status: 401, code: 'VV_UNAUTHENTICATED', title: 'Signed out', detail: 'You were signed out.', errors: [], extensions: {} });
      // Another tab rotated the token while this one waited for the lock: use its result.
      if (!tenantId && before && stored.refreshToken !== before.refreshToken && stored.expiresAt - Date.now() > REFRESH_AHEAD_MS / 2) {
        this.state.set(stored);
        return stored;
      }
      if (!stored.refreshToken)
        throw new ProblemError({
          status: 401,
          code: 'VV_UNAUTHENTICATED',
          title: 'Session expired',
          detail: 'Your session has expired. Sign in again.',
          errors: [],
          extensions: {},
        });
      const response = await this.api.post<TokenResponse>('/api/v1/auth/refresh', { refreshToken: stored.refreshToken, ...(tenantId ? { tenantId } : {}) });
      return this.adopt(response);
    });
    if (!tenantId) {
      this.inflight = run;
      const clear = () => {
        if (this.inflight === run) this.inflight = undefined;
      };
      run.then(clear, clear);
    }
    return run;
  }

  /** Switches to another tenant of the user (a refresh naming the tenant). */
  switchTenant(tenantId: string): Promise<Session> {
    return this.refresh(tenantId);
  }

  /** POST /auth/logout (best effort: the local session ends even when the server cannot be reached). */
  async signOut(): Promise<void> {
    const refreshToken = this.state()?.refreshToken;
    this.clear();
    if (refreshToken) {
      try {
        await this.api.post('/api/v1/auth/logout', { refreshToken });
      } catch {
        // The token expires on its own; nothing more to do offline.
      }
    }
  }

  /** Ends the session because the server no longer accepts it. */
  expire(reason = 'Your session has expired. Sign in again.'): void {
    if (!this.state()) return;
    this.endedBecause.set(reason);
    this.clear();
  }

  private adopt(response: TokenResponse): Session {
    const session = sessionFrom(response);
    this.state.set(session);
    this.storage?.setItem(SESSION_KEY, JSON.stringify(session));
    return session;
  }

  private clear(): void {
    this.state.set(undefined);
    this.storage?.removeItem(SESSION_KEY);
  }

  private read(): Session | undefined {
    try {
      return parseSession(this.storage?.getItem(SESSION_KEY));
    } catch {
      return undefined;
    }
  }

  private withLock<T>(work: () => Promise<T>): Promise<T> {
    const locks = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManager }).locks;
    return locks ? (locks.request('vv.session.refresh', work) as Promise<T>) : work();
  }

  private schedule(session: Session | undefined): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!session?.refreshToken) return;
    const delay = Math.max(5_000, session.expiresAt - Date.now() - REFRESH_AHEAD_MS);
    this.timer = setTimeout(() => {
      this.refresh().catch((error: unknown) => {
        const problem = toProblem(error);
        // A network blip leaves the session; the next request retries. A refused token ends it.
        if (problem.status === 401 || problem.status === 400) this.expire();
      });
    }, delay);
  }
}
