/**
 * The `Idempotency-Key` of one submission attempt (draft-ietf-httpapi-idempotency-key-header, which the kernel
 * implements for routes declaring `idempotency`). A key is made for a request and kept until that request succeeds:
 * pressing the button again after a network failure, with the same form content, sends the same key, so a first
 * attempt that did reach the server is answered again (`Idempotent-Replayed: true`) instead of recording twice.
 * Changed content gets a new key — the kernel refuses a key reused for a different request (422
 * `VV_IDEMPOTENCY_KEY_REUSED`) — and so does the next submission after a success.
 */
export class IdempotentSubmission {
  private current: { readonly fingerprint: string; readonly key: string } | undefined;

  constructor(private readonly newKey: () => string = () => crypto.randomUUID()) {}

  /** The key for this request: the pending one when the request is unchanged, else a new one. */
  keyFor(request: unknown): string {
    const fingerprint = JSON.stringify(request);
    if (this.current?.fingerprint !== fingerprint) this.current = { fingerprint, key: this.newKey() };
    return this.current.key;
  }

  /** The request got its answer: the next submission is a new operation, with a new key. */
  settle(): void {
    this.current = undefined;
  }
}
