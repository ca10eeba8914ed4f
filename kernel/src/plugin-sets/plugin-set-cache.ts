import { VvError } from '@valueverse/plugin-sdk';
import type { KernelStore, TenantRecord } from '../tenancy/kernel-store';
import type { ConfigSecrets, PluginCatalog } from './plugin-catalog';

/** One tenant as the request path needs it: its record and its enabled plugins with decrypted config. */
export interface TenantView {
  readonly tenant: TenantRecord;
  /** Enabled plugins only, with their decrypted config. */
  readonly enabled: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/**
 * Per-instance cache of tenants' plugin sets (desired state lives in the store). Every change invalidates the
 * tenant here and, through the kernel's change feed, on every other instance. A load that began before an
 * invalidation is not cached, so a stale read can never outlive the change that made it stale.
 */
export class PluginSetCache {
  private readonly entries = new Map<string, Promise<TenantView | undefined>>();
  /** Loads that finished and are still current, for `peek`. */
  private readonly settled = new Map<string, TenantView>();
  private readonly generations = new Map<string, number>();
  private globalGeneration = 0;

  constructor(
    private readonly store: KernelStore,
    private readonly catalog: PluginCatalog,
    private readonly secrets: ConfigSecrets,
  ) {}

  get(tenantId: string): Promise<TenantView | undefined> {
    const hit = this.entries.get(tenantId);
    if (hit) return hit;
    const generation = this.generationOf(tenantId);
    const load = this.load(tenantId).then(
      (view) => view,
      (error: unknown) => {
        this.entries.delete(tenantId);
        throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'database', reason: (error as Error).message }, cause: error });
      },
    );
    if (generation === this.generationOf(tenantId)) this.entries.set(tenantId, load);
    // If an invalidation lands while loading, drop the result once it resolves.
    void load.then(
      (view) => {
        if (generation !== this.generationOf(tenantId)) {
          if (this.entries.get(tenantId) === load) this.entries.delete(tenantId);
        } else if (view && this.entries.get(tenantId) === load) {
          this.settled.set(tenantId, view);
        }
      },
      () => {},
    );
    return load;
  }

  /** The tenant's view if a current one is loaded, synchronously (the request hot path); else undefined. */
  peek(tenantId: string): TenantView | undefined {
    return this.settled.get(tenantId);
  }

  /** Forgets one tenant, or every tenant when called without an id (e.g. after missed change messages). */
  invalidate(tenantId?: string): void {
    if (tenantId === undefined) {
      this.globalGeneration += 1;
      this.entries.clear();
      this.settled.clear();
      return;
    }
    this.generations.set(tenantId, (this.generations.get(tenantId) ?? 0) + 1);
    this.entries.delete(tenantId);
    this.settled.delete(tenantId);
  }

  private generationOf(tenantId: string): number {
    return this.globalGeneration * 1_000_000 + (this.generations.get(tenantId) ?? 0);
  }

  private async load(tenantId: string): Promise<TenantView | undefined> {
    const tenant = await this.store.getTenant(tenantId);
    if (!tenant) return undefined;
    const enabled = new Map<string, Readonly<Record<string, unknown>>>();
    for (const record of await this.store.listTenantPlugins(tenantId)) {
      if (!record.enabled) continue;
      const schema = this.catalog.get(record.pluginId)?.manifest.config;
      enabled.set(record.pluginId, Object.freeze(this.secrets.openConfig(record.config, schema)));
    }
    return { tenant, enabled };
  }
}
