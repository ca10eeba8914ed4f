import type { ApiKeyLookup } from './authenticate';
import type { ApiKeyRecord } from './identity-store';
import type { IdentityService } from './identity-service';

/**
 * API key lookups behind a short cache (default 5 s): a key costs a hash and one indexed query, and a busy
 * integration sends many requests a second. A revoked key stops working on every instance within `ttlMs`.
 */
export function apiKeyCache(identity: Pick<IdentityService, 'findApiKey'>, ttlMs = 5000, maxEntries = 10_000): ApiKeyLookup & { forget(): void } {
  const cache = new Map<string, { record: ApiKeyRecord | undefined; until: number }>();
  const lookup = async (key: string) => {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.record;
    const record = await identity.findApiKey(key);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(key, { record, until: now + ttlMs });
    return record;
  };
  return Object.assign(lookup, { forget: () => cache.clear() });
}
