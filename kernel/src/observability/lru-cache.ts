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
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(
    readonly maxEntries: number,
    private readonly counters?: CacheCounters,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError(`an LRU cache needs a positive integer size, got ${maxEntries}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The entry, now the most recently used; counts a hit or a miss. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) {
      this.counters?.miss();
      return undefined;
    }
    this.counters?.hit();
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** The entry without counting or reordering (checks that are not uses). */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
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
