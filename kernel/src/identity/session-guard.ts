import { VvError } from '@valueverse/plugin-sdk';
import type { SessionState } from './identity-store';
import { DEFAULT_CACHE_SIZE } from '../observability/cache-size';
import { LruCache, type CacheCounters } from '../observability/lru-cache';
import type { AccessClaims } from './token-service';

/** Where the current session state of a user is read on a cache miss (the identity store). */
export type SessionStateSource = (userId: string) => Promise<SessionState>;

export interface SessionGuardOptions {
  /** How long an access token lives: a sign-out is remembered that long (default 900 s). */
  readonly tokenTtlSeconds?: number;
  /** Signed-out sessions remembered at most (default 100,000; the oldest goes first). */
  readonly maxEntries?: number;
  /** Users whose version is cached at most (default 10,000; the least recently used goes first and is read again). */
  readonly maxCachedUsers?: number;
  /** Counts hits, misses and evictions of the version cache. */
  readonly counters?: CacheCounters;
  readonly now?: () => number;
}

/**
 * Decides on every request whether an access token's session still stands, without a database round trip: the
 * user's current session version is read once per instance and kept until the change feed says it changed
 * (`invalidateUser`), and sign-outs heard on the change feed are remembered until the tokens they ended expire.
 *
 * A token carries the version it was issued under (`sv`, absent = 0). Versions only grow, so a token older than
 * the cached version is refused (401: the client refreshes and gets a token with its current role), and one newer
 * than the cache means the cache missed a change: it is dropped and read again.
 */
export class SessionGuard {
  private readonly versions: LruCache<string, SessionState>;
  private readonly loading = new Map<string, Promise<SessionState>>();
  /** Signed-out sessions (refresh families) → when their last access token expires (ms). */
  private readonly signedOut = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly source: SessionStateSource,
    options: SessionGuardOptions = {},
  ) {
    this.ttlMs = (options.tokenTtlSeconds ?? 900) * 1000;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.versions = new LruCache(options.maxCachedUsers ?? DEFAULT_CACHE_SIZE, options.counters);
    this.now = options.now ?? Date.now;
  }

  /**
   * Undefined when the token's session stands and that was known at once (the common case); a promise when the
   * user's version had to be read first. Throws (or rejects with) 401 `VV_UNAUTHENTICATED` when it does not stand.
   */
  check(claims: Pick<AccessClaims, 'sub' | 'sv' | 'sid'>): Promise<void> | undefined {
    if (claims.sid !== undefined && this.signedOut.size > 0) {
      const until = this.signedOut.get(claims.sid);
      if (until !== undefined) {
        if (until > this.now()) throw revoked('The session was signed out');
        this.signedOut.delete(claims.sid);
      }
    }
    const current = this.versions.get(claims.sub);
    if (current !== undefined) {
      this.compare(claims, current);
      return undefined;
    }
    return this.load(claims.sub).then((loaded) => this.compare(claims, loaded));
  }

  /** Users whose version this instance holds (for the cache-size metric). */
  get cachedUsers(): number {
    return this.versions.size;
  }

  /** Forgets a user's cached version (their access changed), or every user's (messages may have been missed). */
  invalidateUser(userId?: string): void {
    if (userId === undefined) {
      this.versions.clear();
      this.loading.clear();
      return;
    }
    this.versions.delete(userId);
    // A read under way may have started before the change: it must not be cached (see `load`).
    this.loading.delete(userId);
  }

  /** Ends a sign-in session (a refresh family) on this instance: its access tokens stop working at once. */
  signOut(sessionId: string): void {
    if (this.signedOut.size >= this.maxEntries) this.purgeExpiredSignOuts();
    if (this.signedOut.size >= this.maxEntries) this.signedOut.delete(this.signedOut.keys().next().value!);
    this.signedOut.set(sessionId, this.now() + this.ttlMs);
  }

  private compare(claims: Pick<AccessClaims, 'sub' | 'sv'>, current: SessionState): void {
    if (current.disabled) throw revoked('The account is disabled');
    const issuedUnder = claims.sv ?? 0;
    if (issuedUnder < current.version) throw revoked('Your access changed (role or membership); refresh the session or sign in again');
    if (issuedUnder > current.version) this.invalidateUser(claims.sub);
  }

  private load(userId: string): Promise<SessionState> {
    const pending = this.loading.get(userId);
    if (pending) return pending;
    const load = this.source(userId).then(
      (state) => {
        // Cached only if no invalidation came while reading: a stale read never outlives the change that made it so.
        if (this.loading.get(userId) === load) {
          this.loading.delete(userId);
          this.versions.set(userId, state);
        }
        return state;
      },
      (error: unknown) => {
        if (this.loading.get(userId) === load) this.loading.delete(userId);
        throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'database', reason: (error as Error).message }, cause: error });
      },
    );
    this.loading.set(userId, load);
    return load;
  }

  private purgeExpiredSignOuts(): void {
    const now = this.now();
    for (const [id, until] of this.signedOut) if (until <= now) this.signedOut.delete(id);
  }
}

function revoked(reason: string): VvError {
  return new VvError('VV_UNAUTHENTICATED', { params: { reason } });
}
