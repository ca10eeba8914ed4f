import type { ConfigSecrets, PluginCatalog } from './plugin-catalog';
import { MemoryKernelStore } from '../tenancy/memory-kernel-store';
import { PluginSetCache } from './plugin-set-cache';

const catalog = { get: () => undefined } as unknown as PluginCatalog;
const secrets = { openConfig: (config: Record<string, unknown>) => ({ ...config }) } as unknown as ConfigSecrets;

async function storeWith(tenants: readonly string[]): Promise<MemoryKernelStore> {
  const store = new MemoryKernelStore();
  for (const id of tenants) {
    await store.createTenant({ id, name: id });
    await store.saveTenantPlugins(id, [{ tenantId: id, pluginId: 'greeter', enabled: true, version: null, config: { who: id }, permissions: [] }]);
  }
  return store;
}

describe('PluginSetCache', () => {
  it('holds at most maxEntries tenants, forgets the least recently used, and reads an evicted one again with the same answer', async () => {
    const store = await storeWith(['a', 'b', 'c']);
    const reads: string[] = [];
    const getTenant = store.getTenant.bind(store);
    store.getTenant = async (id) => (reads.push(id), getTenant(id));
    const cache = new PluginSetCache(store, catalog, secrets, { maxEntries: 2 });
    const first = await cache.get('a');
    await cache.get('b');
    expect(cache.peek('a')).toEqual(first); // a is now more recent than b
    await cache.get('c'); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.peek('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(first); // still cached: no read
    expect((await cache.get('b'))?.enabled.get('greeter')).toEqual({ who: 'b' });
    expect(reads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not keep a load that an invalidation overtook, so the next read sees the change', async () => {
    const store = await storeWith(['a']);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const listTenantPlugins = store.listTenantPlugins.bind(store);
    let calls = 0;
    store.listTenantPlugins = async (id) => {
      const before = await listTenantPlugins(id);
      if (calls++ === 0) await gate; // the first load read the old set and is slow to finish
      return before;
    };
    const cache = new PluginSetCache(store, catalog, secrets, { maxEntries: 10 });
    const stale = cache.get('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.saveTenantPlugins('a', [{ tenantId: 'a', pluginId: 'greeter', enabled: false, version: null, config: {}, permissions: [] }]);
    cache.invalidate('a');
    release();
    expect((await stale)?.enabled.has('greeter')).toBe(true); // the caller that asked before the change
    expect(cache.peek('a')).toBeUndefined();
    expect((await cache.get('a'))?.enabled.has('greeter')).toBe(false);
  });
});
