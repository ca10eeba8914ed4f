/** Whose key it is: keys are scoped to a tenant and the caller (user or API key), never shared between callers. */
export interface IdempotencyScope {
  readonly tenantId: string;
  /** The caller's id: a user id, or an API key id. */
  readonly principal: string;
  /** The client's `Idempotency-Key`. */
  readonly key: string;
}

/** A completed response, kept to be replayed byte for byte. */
export interface StoredResponse {
  readonly status: number;
  /** The response headers worth replaying (content type, location, …), lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** `json` bodies are stored as their JSON text, `text` as is, `binary` as base64; `none` has no body. */
  readonly bodyKind: 'json' | 'text' | 'binary' | 'none';
  readonly body: string | null;
}

/** What `begin` found. */
export type IdempotencyBegin =
  /** The key is new (or its earlier use expired or was abandoned): the caller runs the request, then completes or abandons. */
  | { readonly kind: 'new' }
  /** A request with this key and the same fingerprint completed: replay its response. */
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  /** A request with this key is still running (on this or another instance). */
  | { readonly kind: 'in-progress' }
  /** The key was used for a different request (method, path or body). */
  | { readonly kind: 'mismatch' };

export interface IdempotencyTimes {
  /** Now, in ms since the epoch. */
  readonly now: number;
  /** How long a running request holds its key before another may take it over (its instance may have died). */
  readonly lockMs: number;
  /** How long a completed response is kept for replays. */
  readonly retainMs: number;
}

/**
 * Where `Idempotency-Key` records live: PostgreSQL on every real deployment (shared by all instances), memory for
 * kernels without a database. Implementations must make `begin` atomic: of two concurrent begins with one key,
 * exactly one gets `new`.
 *
 * `attempt` is a value unique to one run of a request (a UUID): the record of a running request remembers it, and
 * `abandon` frees the key only for the attempt that holds it. The guard may therefore retry a release that failed
 * (the database dropped the connection with the request) without ever freeing a later attempt's key.
 */
export interface IdempotencyStore {
  begin(scope: IdempotencyScope, fingerprint: string, times: IdempotencyTimes, attempt: string): Promise<IdempotencyBegin>;
  /** Stores the response of a request that `begin` let run; kept until `now + retainMs`. */
  complete(scope: IdempotencyScope, response: StoredResponse, times: IdempotencyTimes): Promise<void>;
  /** Forgets a key whose request (this `attempt` of it) failed, so that the client may retry with it at once. */
  abandon(scope: IdempotencyScope, attempt: string): Promise<void>;
  /** Deletes records past their retention; returns how many. */
  sweep(now: number): Promise<number>;
}

interface MemoryRecord {
  fingerprint: string;
  attempt: string;
  response: StoredResponse | undefined;
  lockedUntil: number;
  expiresAt: number;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, MemoryRecord>();

  async begin(scope: IdempotencyScope, fingerprint: string, times: IdempotencyTimes, attempt: string): Promise<IdempotencyBegin> {
    const id = memoryKey(scope);
    const existing = this.records.get(id);
    if (existing && !isStale(existing, times.now)) {
      if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return existing.response ? { kind: 'replay', response: existing.response } : { kind: 'in-progress' };
    }
    this.records.set(id, { fingerprint, attempt, response: undefined, lockedUntil: times.now + times.lockMs, expiresAt: times.now + times.retainMs });
    return { kind: 'new' };
  }

  async complete(scope: IdempotencyScope, response: StoredResponse, times: IdempotencyTimes): Promise<void> {
    const record = this.records.get(memoryKey(scope));
    if (!record) return;
    record.response = response;
    record.expiresAt = times.now + times.retainMs;
  }

  async abandon(scope: IdempotencyScope, attempt: string): Promise<void> {
    const id = memoryKey(scope);
    const record = this.records.get(id);
    if (record !== undefined && record.response === undefined && record.attempt === attempt) this.records.delete(id);
  }

  async sweep(now: number): Promise<number> {
    let removed = 0;
    for (const [id, record] of this.records) {
      if (record.expiresAt <= now) {
        this.records.delete(id);
        removed += 1;
      }
    }
    return removed;
  }
}

function memoryKey(scope: IdempotencyScope): string {
  return `${scope.tenantId}\u0000${scope.principal}\u0000${scope.key}`;
}

/** Past retention, or still pending after its lock ran out (the request's instance stopped mid-way). */
function isStale(record: MemoryRecord, now: number): boolean {
  return record.expiresAt <= now || (record.response === undefined && record.lockedUntil <= now);
}
