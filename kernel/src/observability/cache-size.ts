/**
 * Entries each per-instance cache keyed by tenant, user, token or API key holds at most unless the kernel is given
 * `cacheSize` (the host reads `VV_CACHE_SIZE`). 10,000 active tenants fit; past that the least recently used are read
 * again from the database on their next request.
 */
export const DEFAULT_CACHE_SIZE = 10_000;
