import { VvError } from '@valueverse/plugin-sdk';
import type { KernelStore, TenantRecord } from '../tenancy/kernel-store';
import type { ConfigSecrets, PluginCatalog } from './plugin-catalog';
import { DEFAULT_CACHE_SIZE } from '../observability/cache-size';
import { LruCache, type CacheCounters } from '../observability/lru-cache';

/** One tenant as the request path needs it: its record and its enabled plugins with decrypted config. */
export interface TenantView {
  readonly tenant: TenantRecord;
  /** Enabled plugins only, with their decrypted config. */
  readonly enabled: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/**
 * Per-instance cache of tenants' plugin sets (desired state lives in the store), bounded: at most `maxEntries`
 * tenants, the least recently used forgotten first and read again on their next request (issue #14). Every change
 * invalidates the tenant here and, through the kernel's change feed, on every other instance. A load that began
 * before an invalidation is not cached, so a stale read can never outlive the change that made it stale; an
 * eviction only costs a read.
 */
export class PluginSetCache {
  /** One entry per tenant: its load, and the view once that load finished (for `peek`). */
  private readonly entries: LruCache<string, { readonly load: Promise<TenantView | undefined>; view?: TenantView }>;

  constructor(
    private readonly store: KernelStore,
    private readonly catalog: PluginCatalog,
    private readonly secrets: ConfigSecrets,
    options: { maxEntries?: number; counters?: CacheCounters } = {},
  ) {
    this.entries = new LruCache(options.maxEntries ?? DEFAULT_CACHE_SIZE, options.counters);
  }

  get size(): number {
    return this.entries.size;
  }

  get(tenantId: string): Promise<TenantView | undefined> {
    const hit = this.entries.get(tenantId);
    if (hit) return hit.load;
    const load = this.load(tenantId).then(
      (view) => view,
      (error: unknown) => {
        if (this.entries.peek(tenantId) === entry) this.entries.delete(tenantId);
        throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'database', reason: (error as Error).message }, cause: error });
      },
    );
    const entry: { readonly load: Promise<TenantView | undefined>; view?: TenantView } = { load };
    this.entries.set(tenantId, entry);
    // Still the tenant's entry when it resolves (no invalidation or eviction since): `peek` may serve it.
    void load.then(
      (view) => {
        if (view && this.entries.peek(tenantId) === entry) entry.view = view;
      },
      () => {},
    );
    return load;
  }

  /** The tenant's view if a current one is loaded, synchronously (the request hot path); else undefined. */
  peek(tenantId: string): TenantView | undefined {
    const view = this.entries.peek(tenantId)?.view;
    // A use: keeps a busy tenant's entry from being the least recently used one.
    if (view) this.entries.get(tenantId);
    return view;
  }

  /** Forgets one tenant, or every tenant when called without an id (e.g. after missed change messages). */
  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.entries.clear();
    else this.entries.delete(tenantId);
  }

  private async load(tenantId: string): Promise<TenantView | undefined> {
    // Both at once: the cold path of a tenant's request waits for one round trip, not two.
    const [tenant, plugins] = await Promise.all([this.store.getTenant(tenantId), this.store.listTenantPlugins(tenantId)]);
    if (!tenant) return undefined;
    const enabled = new Map<string, Readonly<Record<string, unknown>>>();
    for (const record of plugins) {
      if (!record.enabled) continue;
      const schema = this.catalog.get(record.pluginId)?.manifest.config;
      enabled.set(record.pluginId, Object.freeze(this.secrets.openConfig(record.config, schema)));
    }
    return { tenant, enabled };
  }
}
