import { createCoreServices, registerCoreServices } from './di/core-services';
import { ServiceRegistry } from './di/service-registry';
import { EVENT_STREAM_PATH, eventStreamRoutes } from './events/event-stream-routes';
import { authenticateHeaders } from './identity/authenticate';
import { createIdentity } from './identity/identity';
import { CorsPolicy } from './http/cors-policy';
import { createKernelHttp } from './http/kernel-http';
import { kernelRoutes } from './http/kernel-routes';
import { openApiDocument } from './http/openapi-document';
import { installDataModelOnSetup } from './data/plugin-database';
import { KERNEL_VERSION, type Kernel, type KernelOptions } from './kernel-options';
import { PluginLifecycle, type LifecycleTimeouts } from './lifecycle/plugin-lifecycle';
import { rateLimit } from './limits/rate-limit-middleware';
import { defaultRateLimits } from './limits/rate-limiter';
import { loadPlugins } from './manifest/load-plugins';
import { createKernelLogger } from './observability/kernel-logger';
import { KernelMetrics } from './observability/kernel-metrics';
import { Readiness, type ReadinessCheck } from './observability/readiness';
import { createPluginSets } from './plugin-sets/plugin-sets';

export { KERNEL_VERSION, type InlinePlugin, type Kernel, type KernelOptions } from './kernel-options';

/**
 * Builds a kernel, loads and starts every plugin it finds. Never throws because of one plugin.
 *
 * The parts, in the order they are built: observability; the core services behind `coreServices`; the plugins
 * (discovered, validated, ordered); plugin sets (which tenant runs what); identity (who is calling); the service
 * registry; the plugins' lifecycle; HTTP (the kernel's routes, then plugin dispatch).
 */
export async function createKernel(options: KernelOptions): Promise<Kernel> {
  const version = options.kernelVersion ?? KERNEL_VERSION;
  const logger = options.logger ?? createKernelLogger({ level: 'info' });
  const timeouts: LifecycleTimeouts = { setupMs: 10_000, startMs: 10_000, stopMs: 5_000, ...options.timeouts };
  const metrics = new KernelMetrics({ defaultMetrics: options.defaultMetrics });
  const cors = new CorsPolicy(options.corsOrigins);
  const core = createCoreServices(options, logger);
  const plugins = await loadPlugins(options, version, logger);
  const pluginSets = createPluginSets(options, plugins, core, logger, metrics);
  const identity = await createIdentity(options, { core, cache: pluginSets.cache, cors, metrics });

  // Multi-provider refs pick a tenant's provider from its cached plugin set.
  const registry = new ServiceRegistry({ enabledPlugins: async (tenantId) => (await pluginSets.cache.get(tenantId))?.enabled });
  const routers = registerCoreServices(registry, { core, logger, metrics, cache: pluginSets.cache, outbound: pluginSets.outbound, database: options.database });

  // Side by side: while Redis is unreachable each waits a moment for it and then lets the boot go on (issue #10, 6).
  await Promise.all([identity.access.start(), core.events.start()]);
  const lifecycle = new PluginLifecycle(plugins.records, registry, timeouts, logger, installDataModelOnSetup(options.database, logger));
  await lifecycle.startAll(plugins.graph);
  for (const router of routers.values()) router.seal();
  await core.jobs.start({
    runs: (id) => plugins.records.get(id)?.state === 'running',
    // Who gets a run of a plugin's `perTenant` schedule when it fires: the active tenants that have it enabled, in one
    // query (reading each tenant's plugin set would fill the bounded cache with tenants nobody is using).
    tenantsOf: (pluginId) => options.store.listTenantsWithPlugin(pluginId),
  });

  const stream = eventStreamRoutes({
    events: core.events,
    tokens: identity.tokens,
    logger,
    registry: metrics.registry,
    heartbeatMs: options.eventStreamHeartbeatMs,
    replay: options.eventStreamReplay,
    reauthenticate: (headers) => authenticateHeaders(identity.authenticate, headers),
    maxPerPrincipal: options.maxStreamsPerPrincipal,
  });
  // After the caches (identity.ts) dropped what changed, so the streams' checks read the new state.
  identity.access.on((change) => void stream.revoke(change));
  // The database is required (503 while it does not answer); the host adds Redis, which is not.
  const databaseCheck: ReadinessCheck[] = options.database ? [{ name: 'database', required: true, probe: async () => (await options.database!.execute('select 1'), true) }] : [];
  const readiness = new Readiness([...databaseCheck, ...(options.readinessChecks ?? [])]);
  const pluginRoutes = () => [...routers.values()].flatMap((r) => r.routes);
  const routes = kernelRoutes(options, {
    core,
    identity,
    plugins: pluginSets,
    cors,
    stream,
    system: {
      records: () => pluginSets.catalog.all(),
      metrics,
      draining: () => http.draining,
      version,
      readiness,
      openapi: () => openApiDocument(pluginRoutes(), version, routes),
    },
  });
  const http = createKernelHttp({
    logger,
    metrics,
    cors,
    validator: core.validator,
    records: plugins.records,
    ownership: plugins.ownership,
    routers,
    routes,
    authenticate: identity.authenticate,
    limit: options.rateLimiter ? rateLimit(options.rateLimiter, options.rateLimits ?? defaultRateLimits) : undefined,
    streamPath: EVENT_STREAM_PATH,
    acceptStreamToken: stream.acceptQueryToken,
    trustedProxies: options.trustedProxies,
    bodyLimit: options.bodyLimit,
    mounts: options.mounts,
  });

  return {
    version,
    logger,
    store: options.store,
    tokens: identity.tokens,
    passwords: identity.passwords,
    pluginSets: pluginSets.pluginSets,
    events: core.events,
    jobs: core.jobs,
    metrics,
    callback: () => http.callback(),
    plugins: () => pluginSets.catalog.all(),
    routes: pluginRoutes,
    httpRoutes: () => [
      ...routes.map((r) => ({ method: r.method, path: r.path, owner: 'kernel', access: r.access })),
      ...pluginRoutes().map((r) => ({ method: r.method, path: `/api/v1${r.path}`, owner: r.pluginId, access: r.minRole })),
      ...(options.mounts ?? []).flatMap((m) => m.routes.map((r) => ({ ...r, owner: m.name }))),
    ],
    database: options.database,
    invalidateTenant: (tenantId) => pluginSets.cache.invalidate(tenantId),
    listen: (port, host) => http.listen(port, host),
    close: async ({ drainMs = 10_000 } = {}) => {
      core.stopSweeping();
      // Event streams never end by themselves: end them, or the drain below would wait for them.
      stream.closeAll();
      await http.drain(drainMs);
      await core.jobs.close();
      await lifecycle.stopAll();
      await options.changeFeed?.close();
      await options.rateLimiter?.close?.();
      await identity.throttle.close();
      await core.events.close();
      registry.dispose();
    },
  };
}
