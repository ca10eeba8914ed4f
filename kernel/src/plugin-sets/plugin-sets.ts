import type { CoreServices } from '../di/core-services';
import type { KernelOptions } from '../kernel-options';
import type { LoadedPlugins } from '../manifest/load-plugins';
import { DEFAULT_CACHE_SIZE } from '../observability/cache-size';
import type { KernelLogger } from '../observability/kernel-logger';
import type { KernelMetrics } from '../observability/kernel-metrics';
import { OutboundService } from '../outbound/outbound-service';
import type { PluginCatalog } from './plugin-catalog';
import { PluginSetCache } from './plugin-set-cache';
import { PluginSetService } from './plugin-set-service';

/** Which plugins each tenant runs, with what config: the catalog of installed plugins, the cache, the service. */
export interface PluginSets {
  readonly catalog: PluginCatalog;
  readonly cache: PluginSetCache;
  readonly pluginSets: PluginSetService;
  /** Plugins' outbound HTTP, which reads the tenant's config (allowed destinations) through the cache. */
  readonly outbound: OutboundService;
}

export function createPluginSets(options: KernelOptions, plugins: LoadedPlugins, core: CoreServices, logger: KernelLogger, metrics: KernelMetrics): PluginSets {
  const { records } = plugins;
  // The graph is read on each call: installs at run time replace it.
  const catalog: PluginCatalog = {
    get: (id) => records.get(id),
    all: () => [...records.values()].sort((a, b) => a.id.localeCompare(b.id)),
    requirementsOf: (id) => plugins.graph.requirementsOf(id),
    dependantsOf: (id) => plugins.graph.dependantsOf(id),
  };
  const cache: PluginSetCache = new PluginSetCache(options.store, catalog, options.secrets, {
    maxEntries: options.cacheSize ?? DEFAULT_CACHE_SIZE,
    counters: metrics.cacheCounters('plugin-sets', () => cache.size),
  });
  core.events.setEnablement(async (pluginId, tenantId) => (await cache.get(tenantId))?.enabled.has(pluginId) === true);
  const outbound = new OutboundService(options.outbound ?? {}, async (pluginId, tenantId) => (await cache.get(tenantId))?.enabled.get(pluginId) ?? {}, logger);
  const pluginSets = new PluginSetService(
    options.store,
    catalog,
    options.secrets,
    core.validator,
    async (plan) => {
      // Invalidated before the event goes out, so a client that reloads on it never reads the old set from here.
      cache.invalidate(plan.tenantId);
      await core.events.publishKernelEvent('plugin-set.changed', plan.tenantId, { changes: plan.changes });
    },
    (manifest, config) => outbound.checkConfigDestinations(manifest, config),
  );
  // Other instances' `plugin-set.changed` may arrive before their change-feed message: invalidate on either, and
  // before the event stream (subscribed later, so called later) passes it on.
  core.events.subscribe('plugin-set.changed', (event) => cache.invalidate(event.tenantId), 'kernel', { kernelEvents: true });
  return { catalog, cache, pluginSets, outbound };
}
