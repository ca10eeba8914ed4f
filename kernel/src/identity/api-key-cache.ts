import type { ApiKeyLookup } from './authenticate';
import { DEFAULT_CACHE_SIZE } from '../observability/cache-size';
import { LruCache, type CacheCounters } from '../observability/lru-cache';
import type { ApiKeyRecord } from './identity-store';
import type { IdentityService } from './identity-service';

/**
 * API key lookups behind a short cache (default 5 s): a key costs a hash and one indexed query, and a busy
 * integration sends many requests a second. A revoked key stops working on every instance within `ttlMs`.
 */
export function apiKeyCache(
  identity: Pick<IdentityService, 'findApiKey'>,
  ttlMs = 5000,
  maxEntries = DEFAULT_CACHE_SIZE,
  counters?: CacheCounters,
): ApiKeyLookup & { forget(): void; readonly size: number } {
  const cache = new LruCache<string, { record: ApiKeyRecord | undefined; until: number }>(maxEntries, counters);
  const lookup = async (key: string) => {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.record;
    const record = await identity.findApiKey(key);
    cache.set(key, { record, until: now + ttlMs });
    return record;
  };
  const result = Object.assign(lookup, { forget: () => cache.clear() });
  return Object.defineProperty(result, 'size', { get: () => cache.size }) as typeof result & { readonly size: number };
}
