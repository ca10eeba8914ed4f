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

  it('leaves a recently used entry in place and still never evicts it before older ones', () => {
    const cache = new LruCache<number, number>(10);
    for (let i = 0; i < 10; i++) cache.set(i, i);
    // 9 is the newest: a hit leaves the order alone. 0 is the oldest: a hit moves it to the end.
    cache.get(9);
    cache.get(0);
    expect([...cache.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
    // 5 insertions later 9 has aged to half the cache: its next hit moves it again, so 6-8 and 0 go before it.
    for (let i = 10; i < 15; i++) cache.set(i, i);
    expect(cache.get(9)).toBe(9);
    for (let i = 15; i < 19; i++) cache.set(i, i);
    expect([...cache.keys()]).toEqual([10, 11, 12, 13, 14, 9, 15, 16, 17, 18]);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new LruCache(0)).toThrow(TypeError);
    expect(() => new LruCache(1.5)).toThrow(TypeError);
  });
});
