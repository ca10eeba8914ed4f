import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { VvError, isHttpResponse, respond, type HttpResponse, type Logger } from '@valueverse/plugin-sdk';
import type { IdempotencyScope, IdempotencyStore, IdempotencyTimes, StoredResponse } from './idempotency-store';

export interface IdempotencyPolicy {
  /** How long a running request holds its key (default 5 minutes); after that its instance is presumed gone. */
  readonly lockMs: number;
  /** How long a completed response is replayed for (default 24 hours). */
  readonly retainMs: number;
}

export const DEFAULT_IDEMPOTENCY_POLICY: IdempotencyPolicy = { lockMs: 5 * 60_000, retainMs: 24 * 60 * 60_000 };

/** Pauses before each try of a release, in ms: four tries within about 0.8 s before the failure is answered. */
const RELEASE_RETRIES_MS = [0, 50, 200, 500];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Visible ASCII, 1 to 255 characters: a UUID, a ULID, or a client's own operation id. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Response headers a replay repeats; the kernel's own (request id, rate limits) are set afresh on every request. */
const REPLAYED_HEADERS = new Set(['content-type', 'location', 'etag', 'last-modified', 'content-language', 'content-disposition']);

export interface IdempotentCall {
  readonly tenantId: string;
  readonly principal: string;
  /** The `Idempotency-Key` header, '' when absent. */
  readonly key: string;
  readonly required: boolean;
  /** Method, path and query: with the body, what a key is bound to. */
  readonly target: string;
  readonly body: unknown;
  readonly log: Logger;
}

/**
 * `Idempotency-Key` for plugin routes that declare `idempotency` (draft-ietf-httpapi-idempotency-key-header, as
 * Stripe does it): the first request with a key runs and its response is kept; a retry with the same key and the
 * same request gets that response again (`Idempotent-Replayed: true`) without running the handler; the same key on
 * a different request is refused with 422 `VV_IDEMPOTENCY_KEY_REUSED`, and a retry while the first is still running
 * with 409 and `Retry-After`. A request that fails (the handler throws, or answers 5xx) keeps nothing and gives its key
 * back before the failure is answered, so the client may retry with the same key at once.
 */
export class IdempotencyGuard {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly policy: IdempotencyPolicy = DEFAULT_IDEMPOTENCY_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `invoke` under the call's key, or directly when there is none and none is required. Resolves to what the
   * handler answered, or to the replayed answer.
   */
  async run(call: IdempotentCall, invoke: () => unknown): Promise<unknown> {
    if (call.key === '') {
      if (call.required)
        throw VvError.validation([{ pointer: '/idempotency-key', in: 'headers', message: 'is required on this route: send a value unique to this operation, e.g. a UUID' }]);
      return invoke();
    }
    if (!KEY_PATTERN.test(call.key)) throw VvError.validation([{ pointer: '/idempotency-key', in: 'headers', message: 'must be 1 to 255 visible ASCII characters' }]);
    const scope: IdempotencyScope = { tenantId: call.tenantId, principal: call.principal, key: call.key };
    const fingerprint = createHash('sha256').update(call.target).update('\n').update(canonicalJson(call.body)).digest('base64url');
    const attempt = randomUUID();
    const begun = await this.store.begin(scope, fingerprint, this.times(), attempt).catch(async (error: unknown) => {
      // The key may have been taken even so (the insert committed, the answer was lost): give it back, or every
      // retry would meet 409 until the lock ran out. The store's message stays in the log (it may quote the query).
      await this.release(scope, attempt, call.log);
      throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'the idempotency store', reason: 'it did not answer' }, cause: error });
    });
    switch (begun.kind) {
      case 'mismatch':
        throw new VvError('VV_IDEMPOTENCY_KEY_REUSED');
      case 'in-progress':
        throw new VvError('VV_CONFLICT', {
          params: { reason: 'A request with this Idempotency-Key is still being processed; retry once it has finished' },
          headers: { 'Retry-After': '1' },
        });
      case 'replay':
        return replay(begun.response);
      case 'new':
        break;
    }
    let result: unknown;
    try {
      result = await invoke();
    } catch (error) {
      await this.release(scope, attempt, call.log);
      throw error;
    }
    const stored = toStored(result);
    if (stored === undefined) await this.release(scope, attempt, call.log);
    else {
      // The work is done and committed: a failure to remember it must not turn the answer into an error.
      await this.store
        .complete(scope, stored, this.times())
        .catch((error: unknown) => call.log.error({ err: error }, 'idempotency: could not store the response; a retry with this key would run again'));
    }
    return result;
  }

  /** Deletes expired records; the kernel calls it periodically. */
  sweep(): Promise<number> {
    return this.store.sweep(this.now());
  }

  private times(): IdempotencyTimes {
    return { now: this.now(), lockMs: this.policy.lockMs, retainMs: this.policy.retainMs };
  }

  /**
   * Gives the key of a failed attempt back, so that the client's retry runs instead of meeting 409 for the length of
   * the lock (issue #10, finding 8: 4 of 13 retries did, when the failure and the release met the same database
   * trouble). Tried a few times before the failure is answered; then in the background, backing off, for as long as
   * the lock would have held it. Safe to repeat: the store frees the key only while this attempt holds it.
   */
  private async release(scope: IdempotencyScope, attempt: string, log: Logger): Promise<void> {
    let lastError: unknown;
    for (const waitMs of RELEASE_RETRIES_MS) {
      if (waitMs > 0) await sleep(waitMs);
      try {
        await this.store.abandon(scope, attempt);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    log.error({ err: lastError }, 'idempotency: could not release the key of a failed request; retrying in the background');
    const giveUpAt = this.now() + this.policy.lockMs;
    const retry = (delayMs: number): void => {
      setTimeout(() => {
        this.store.abandon(scope, attempt).then(
          () => log.info('idempotency: released the key of a failed request'),
          () => {
            if (this.now() + delayMs < giveUpAt) retry(Math.min(delayMs * 2, 30_000));
            else log.warn('idempotency: gave up releasing the key of a failed request; its lock has run out by now');
          },
        );
      }, delayMs).unref();
    };
    retry(1_000);
  }
}

/** The response to keep, or undefined when it must not be kept (5xx, or a streamed body). */
function toStored(result: unknown): StoredResponse | undefined {
  const response: HttpResponse = isHttpResponse(result) ? result : result === undefined ? respond(204) : respond(200, result);
  if (response.status >= 500 || response.body instanceof Readable) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) if (REPLAYED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  const { body } = response;
  if (body === undefined) return { status: response.status, headers, bodyKind: 'none', body: null };
  if (Buffer.isBuffer(body)) return { status: response.status, headers, bodyKind: 'binary', body: body.toString('base64') };
  if (typeof body === 'string') return { status: response.status, headers, bodyKind: 'text', body };
  return { status: response.status, headers, bodyKind: 'json', body: JSON.stringify(body) };
}

function replay(stored: StoredResponse): HttpResponse {
  const body =
    stored.bodyKind === 'json'
      ? JSON.parse(stored.body!)
      : stored.bodyKind === 'binary'
        ? Buffer.from(stored.body!, 'base64')
        : stored.bodyKind === 'text'
          ? stored.body!
          : undefined;
  return respond(stored.status, body, { ...stored.headers, 'Idempotent-Replayed': 'true' });
}

/** JSON with object keys sorted, so that `{a, b}` and `{b, a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
