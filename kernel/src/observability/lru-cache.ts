/** Where an `LruCache` reports its hits, misses and evictions (the kernel's metrics, by cache name). */
export interface CacheCounters {
  hit(): void;
  miss(): void;
  evict(): void;
}

/**
 * A map of at most `maxEntries` entries that forgets the least recently used one when full (a `Map` keeps insertion
 * order: each hit re-inserts the key at the end, so the first key is the least recently used). Every per-instance
 * cache keyed by tenant, user, token or key is one of these (issue #14: 1,800 tenants touched once cost a host
 * 63 MB that it never gave back). An evicted entry is read again from its source on the next use, so eviction
 * costs a read, never correctness.
 *
 * A hit re-inserts only an entry that has aged: one with fewer than `maxEntries / 2` insertions after it stays
 * where it is (it is in the newer half, so no eviction can reach it before it ages). The hot path's caches (the
 * caller's token, session and tenant) are hit by the same few keys request after request; each re-insertion is a
 * delete and an append in the Map, and this spares them. Eviction is then "least recently used, give or take half
 * the cache": an entry is never evicted within `maxEntries / 2` insertions of its last use.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; insertedAt: number }>();
  /** Insertions so far: an entry's age is `inserted - entry.insertedAt`. */
  private inserted = 0;
  private readonly agesAfter: number;

  constructor(
    readonly maxEntries: number,
    private readonly counters?: CacheCounters,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError(`an LRU cache needs a positive integer size, got ${maxEntries}`);
    this.agesAfter = Math.floor(maxEntries / 2);
  }

  get size(): number {
    return this.map.size;
  }

  /** The entry, now the most recently used; counts a hit or a miss. */
  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) {
      this.counters?.miss();
      return undefined;
    }
    this.counters?.hit();
    if (this.inserted - entry.insertedAt >= this.agesAfter) {
      this.map.delete(key);
      entry.insertedAt = ++this.inserted;
      this.map.set(key, entry);
    }
    return entry.value;
  }

  /** The entry without counting or reordering (checks that are not uses). */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, insertedAt: ++this.inserted });
    while (this.map.size > this.maxEntries) {
      this.map.delete(this.map.keys().next().value as K);
      this.counters?.evict();
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }
}
