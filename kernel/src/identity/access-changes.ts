import type { ChangeFeed } from '../plugin-sets/change-feed';

/**
 * Something that may take access away, as every instance must hear it: a tenant changed (suspended, deleted, its
 * plugin set), a user's access shrank (role lowered, membership removed), a sign-in session ended, an API key was
 * revoked; or `all` when messages may have been missed (the feed reconnected) and everything must be checked again.
 */
export type AccessChange = { readonly kind: 'tenant' | 'user' | 'session' | 'api-key'; readonly id: string } | { readonly kind: 'all' };

export type AccessChangeListener = (change: AccessChange) => void;

const kinds = new Set(['user', 'session', 'api-key']);

/**
 * A change as a change-feed message. Tenant changes stay the bare tenant id (the feed's original message, so an
 * instance of the previous release still understands them); the others are `<kind>:<id>`, which no tenant id can
 * be (tenant ids have no ":"), so an older instance only drops a cache entry that does not exist.
 */
export function encodeAccessChange(change: AccessChange): string {
  if (change.kind === 'all') return '';
  return change.kind === 'tenant' ? change.id : `${change.kind}:${change.id}`;
}

/** The change a feed message stands for; `undefined` (the feed's "reload everything") is `all`. */
export function decodeAccessChange(message: string | undefined): AccessChange {
  if (message === undefined || message === '') return { kind: 'all' };
  const colon = message.indexOf(':');
  if (colon > 0) {
    const kind = message.slice(0, colon);
    if (kinds.has(kind)) return { kind: kind as 'user' | 'session' | 'api-key', id: message.slice(colon + 1) };
  }
  return { kind: 'tenant', id: message };
}

/**
 * Access changes on this instance and, through the change feed (Redis pub/sub), on every other one: the same
 * mechanism that invalidates plugin sets. `publish` applies a change here at once, before the feed carries it, so
 * the instance that made a change never serves the old state; without a feed (embedded) this instance is all there is.
 */
export class AccessChanges {
  private readonly listeners: AccessChangeListener[] = [];

  constructor(private readonly feed?: ChangeFeed) {}

  /** Listeners run in the order added, synchronously: caches first, then whatever reads through them. */
  on(listener: AccessChangeListener): void {
    this.listeners.push(listener);
  }

  /** Starts hearing other instances' changes. */
  async start(): Promise<void> {
    await this.feed?.subscribe((message) => this.apply(decodeAccessChange(message)));
  }

  async publish(change: AccessChange): Promise<void> {
    this.apply(change);
    await this.feed?.publish(encodeAccessChange(change));
  }

  private apply(change: AccessChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
