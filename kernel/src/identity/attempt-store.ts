/**
 * How failed credential checks on one key (an account or a client address) turn into a lockout: `free` failures
 * are allowed, then each further one locks the key for `baseLockMs`, doubling (exponential backoff) up to
 * `maxLockMs`. The count is forgotten `forgetAfterMs` after the last failure (or, for an account, on success).
 */
export interface AttemptRule {
  readonly free: number;
  readonly baseLockMs: number;
  readonly maxLockMs: number;
  readonly forgetAfterMs: number;
}

/** Failures counted on a key and until when it is locked (epoch ms; 0 or past: not locked). */
export interface AttemptState {
  readonly failures: number;
  readonly lockedUntil: number;
}

/** Where failure counts live: Redis across instances, memory when embedded. */
export interface AttemptStore {
  /** The states of several keys at once (a key never seen, or forgotten, is `{0, 0}`). */
  get(keys: readonly string[], now: number): Promise<AttemptState[]>;
  /** Counts one failure on the key, atomically, and locks it when the rule says so. */
  fail(key: string, rule: AttemptRule, now: number): Promise<AttemptState>;
  /** Forgets the key (a successful sign-in of the account). */
  reset(key: string): Promise<void>;
  close?(): Promise<void>;
}

/** The lock a key gets after its `failures`-th failure, in ms (0: none yet). */
export function lockMsAfter(failures: number, rule: AttemptRule): number {
  if (failures <= rule.free) return 0;
  // The exponent is capped so the arithmetic stays exact long after maxLockMs is reached.
  return Math.min(rule.baseLockMs * 2 ** Math.min(failures - rule.free - 1, 40), rule.maxLockMs);
}

const idle: AttemptState = { failures: 0, lockedUntil: 0 };

/** One process's counts: the embedded default, and the fallback of the Redis store while Redis is away. */
export class MemoryAttemptStore implements AttemptStore {
  private readonly entries = new Map<string, AttemptState & { forgetAt: number }>();

  constructor(private readonly maxEntries = 100_000) {}

  async get(keys: readonly string[], now: number): Promise<AttemptState[]> {
    return keys.map((key) => this.current(key, now));
  }

  async fail(key: string, rule: AttemptRule, now: number): Promise<AttemptState> {
    const before = this.current(key, now);
    const failures = before.failures + 1;
    const lock = lockMsAfter(failures, rule);
    const lockedUntil = lock > 0 ? now + lock : before.lockedUntil;
    this.entries.delete(key);
    // Oldest first: a flood of one-off keys (random emails) pushes out the stale ones, not the busy ones.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { failures, lockedUntil, forgetAt: Math.max(now, lockedUntil) + rule.forgetAfterMs });
    return { failures, lockedUntil };
  }

  async reset(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private current(key: string, now: number): AttemptState {
    const entry = this.entries.get(key);
    if (!entry) return idle;
    if (entry.forgetAt <= now) {
      this.entries.delete(key);
      return idle;
    }
    return { failures: entry.failures, lockedUntil: entry.lockedUntil };
  }
}
