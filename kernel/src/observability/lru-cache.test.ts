import { LruCache } from './lru-cache';

describe('LruCache', () => {
  it('forgets the least recently used entry when full, counting hits, misses and evictions', () => {
    const counts = { hit: 0, miss: 0, evict: 0 };
    const cache = new LruCache<string, number>(2, { hit: () => counts.hit++, miss: () => counts.miss++, evict: () => counts.evict++ });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent: b goes first
    cache.set('c', 3);
    expect([cache.peek('a'), cache.peek('b'), cache.peek('c')]).toEqual([1, undefined, 3]);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(counts).toEqual({ hit: 1, miss: 1, evict: 1 });
  });

  it('re-setting a key replaces it without evicting another', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    expect([...cache.keys()]).toEqual(['b', 'a']);
    expect(cache.get('a')).toBe(10);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new LruCache(0)).toThrow(TypeError);
    expect(() => new LruCache(1.5)).toThrow(TypeError);
  });
});
