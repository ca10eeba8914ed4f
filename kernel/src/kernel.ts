import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCoreServices, registerCoreServices } from './di/core-services';
import { ServiceRegistry } from './di/service-registry';
import { EVENT_STREAM_PATH, eventStreamRoutes } from './events/event-stream-routes';
import { authenticateHeaders } from './identity/authenticate';
import { createIdentity } from './identity/identity';
import { PlatformEvents } from './events/platform-events';
import { CorsPolicy } from './http/cors-policy';
import { createKernelHttp } from './http/kernel-http';
import { kernelRoutes } from './http/kernel-routes';
import { openApiDocument } from './http/openapi-document';
import { installDataModelOnSetup } from './data/plugin-database';
import { KERNEL_VERSION, type Kernel, type KernelOptions } from './kernel-options';
import { PluginLifecycle, type LifecycleTimeouts } from './lifecycle/plugin-lifecycle';
import { rateLimit, rateLimitPublic } from './limits/rate-limit-middleware';
import { defaultRateLimits, MemoryRateLimiter } from './limits/rate-limiter';
import { loadPlugins } from './manifest/load-plugins';
import { AI_USAGE_EVENT, CALCULATION_TRIALS_EVENT, PlatformMeter } from './metering/platform-meter';
import { createKernelLogger } from './observability/kernel-logger';
import { KernelMetrics } from './observability/kernel-metrics';
import { Readiness, type ReadinessCheck } from './observability/readiness';
import { createPluginSets } from './plugin-sets/plugin-sets';
import { SharedChangeFeed } from './plugin-sets/shared-change-feed';
import { DEFAULT_INSTALL_RETENTION_MS, INSTALLS_CHANGED, InstallService } from './installs/install-service';
import { LivePlugins } from './installs/live-plugins';
import { MemoryInstallStore } from './installs/memory-install-store';
import { sdkPackageCodec } from './installs/sdk-package-codec';
import type { PluginStaging } from './installs/plugin-staging';
import { DataLifecycle } from './privacy/data-lifecycle';
import { isRotatingSecrets, KeyRotation } from './keys/key-rotation';

export { KERNEL_VERSION, type InlinePlugin, type Kernel, type KernelOptions } from './kernel-options';

/** The queue owner of the kernel's own jobs (`kernel.installs-purge`). */
const KERNEL_JOBS = 'kernel';

/**
 * Builds a kernel, loads and starts every plugin it finds. Never throws because of one plugin.
 *
 * The parts, in the order they are built: observability; the core services behind `coreServices`; the plugins
 * (discovered, validated, ordered); plugin sets (which tenant runs what); identity (who is calling); the service
 * registry; the plugins' lifecycle; HTTP (the kernel's routes, then plugin dispatch).
 */
export async function createKernel(given: KernelOptions): Promise<Kernel> {
  // Access changes and installs both listen to the change feed: one subscription, shared.
  const changeFeed = given.changeFeed ? new SharedChangeFeed(given.changeFeed) : undefined;
  const options: KernelOptions = { ...given, changeFeed };
  const version = options.kernelVersion ?? KERNEL_VERSION;
  const logger = options.logger ?? createKernelLogger({ level: 'info' });
  const timeouts: LifecycleTimeouts = { setupMs: 10_000, startMs: 10_000, stopMs: 5_000, ...options.timeouts };
  const metrics = new KernelMetrics({ defaultMetrics: options.defaultMetrics, tenantLabel: options.metricsTenantLabel });
  const cors = new CorsPolicy(options.corsOrigins);
  const core = createCoreServices(options, logger);
  const plugins = await loadPlugins(options, version, logger);
  const pluginSets = createPluginSets(options, plugins, core, logger, metrics);
  const platformEvents = new PlatformEvents({ events: core.events, store: options.store, logger });
  const identity = await createIdentity(options, { core, cache: pluginSets.cache, cors, metrics, platformEvents });

  // Multi-provider refs pick a tenant's provider from its cached plugin set.
  const registry = new ServiceRegistry({ enabledPlugins: async (tenantId) => (await pluginSets.cache.get(tenantId))?.enabled });
  const grants = new Map<string, readonly string[]>();
  const staging: PluginStaging & { grants: Map<string, readonly string[]> } = { ids: new Set(), routers: new Map(), grants, publishPatterns: (m) => grants.get(m.id) };
  const routers = registerCoreServices(registry, {
    core,
    logger,
    metrics,
    cache: pluginSets.cache,
    outbound: pluginSets.outbound,
    members: options.store,
    logos: options.store,
    secrets: options.secrets,
    database: options.database,
    staging,
    platformMetering: options.platformMetering !== undefined,
  });

  // Side by side: while Redis is unreachable each waits a moment for it and then lets the boot go on (issue #10, 6).
  await Promise.all([identity.access.start(), core.events.start()]);
  const lifecycle = new PluginLifecycle(plugins.records, registry, timeouts, logger, installDataModelOnSetup(options.database, logger));
  // A plugin that fails or is blocked is told to the tenants that have it enabled (`plugin.failed`): those of the
  // boot once every plugin has set up (so subscribers such as notifications are there), later ones as they happen.
  let booted = false;
  const reportFailure = (pluginId: string) => {
    const record = plugins.records.get(pluginId);
    if (!record || (record.state !== 'failed' && record.state !== 'blocked')) return;
    platformEvents
      .pluginFailed({ pluginId, version: record.manifest?.version ?? '', state: record.state, code: record.error?.code ?? 'VV_PLUGIN_FAILED', reason: record.error?.message ?? '' })
      .catch((error: unknown) => logger.warn({ err: error, plugin: pluginId }, 'publishing plugin.failed failed'));
  };
  lifecycle.onTransition = (pluginId, state) => {
    metrics.pluginTransitions.inc({ plugin: pluginId, state });
    if (booted && (state === 'failed' || state === 'blocked')) reportFailure(pluginId);
  };
  const jobStats = core.jobs.stats?.bind(core.jobs);
  if (jobStats) metrics.watchJobs(jobStats);
  await lifecycle.startAll(plugins.graph);
  booted = true;
  for (const pluginId of plugins.records.keys()) reportFailure(pluginId);
  for (const router of routers.values()) router.seal();

  // Installs at run time: this instance reconciles to the desired state now and whenever an instance announces a change.
  const installStore = options.installStore ?? new MemoryInstallStore();
  const codec = options.packageCodec ?? sdkPackageCodec;
  const live = new LivePlugins({
    plugins,
    routers,
    staging,
    registry,
    lifecycle,
    database: options.database,
    kernelVersion: version,
    installDir: options.installDir ?? join(tmpdir(), `vv-installs-${process.pid}-${randomBytes(4).toString('hex')}`),
    pluginDirs: options.pluginDirs ?? [],
    codec,
    logger,
    drainMs: timeouts.stopMs,
    sandboxBudgets: (pluginId) => ({ ...options.sandbox?.budgets, ...options.sandbox?.plugins?.[pluginId] }),
    onChanged: (pluginId) => {
      pluginSets.pluginSets.forgetPlugin(pluginId);
      pluginSets.cache.invalidate();
    },
  });
  const installs = new InstallService({
    store: installStore,
    live,
    source: options.packageSource,
    kernelStore: options.store,
    database: options.database,
    instanceId: options.instanceId ?? `instance-${randomBytes(6).toString('hex')}`,
    kernelVersion: version,
    allowUnsigned: options.allowUnsignedPlugins === true,
    retentionMs: options.installRetentionMs ?? DEFAULT_INSTALL_RETENTION_MS,
    logger,
    broadcast: async () => changeFeed?.publish(INSTALLS_CHANGED),
    onTenantChanged: (tenantId) => identity.access.publish({ kind: 'tenant', id: tenantId }),
  });
  const reconcile = () => installs.reconcile().catch((error: unknown) => logger.error({ err: error }, 'reconciling installs failed; the next change or boot retries'));
  await changeFeed?.subscribe((message) => {
    if (message === undefined || message === INSTALLS_CHANGED) void reconcile();
  });
  await reconcile();
  const purgeJobs = core.jobs.forPlugin({ id: KERNEL_JOBS, version, displayName: 'Kernel', kernel: '*', main: '' });
  purgeJobs.define('installs-purge', async () => void (await installs.purgeDue()));
  purgeJobs.schedule('installs-purge', { everyMs: options.installPurgeEveryMs ?? 3_600_000 });
  const dataLifecycle = new DataLifecycle({
    database: options.database,
    store: options.store,
    secrets: options.secrets,
    plugins: () => new Map([...plugins.records.values()].filter((r) => r.privacy && r.state === 'running').map((r) => [r.id, r.privacy!])),
    auditor: core.auditor,
    logger,
    exportTtlMs: options.exportTtlMs,
    tenantRetentionMs: options.tenantRetentionMs,
    onTenantChanged: async (tenantId) => {
      pluginSets.cache.invalidate(tenantId);
      await identity.access.publish({ kind: 'tenant', id: tenantId });
    },
    onUserErased: (userId) => identity.access.publish({ kind: 'user', id: userId }),
  });
  dataLifecycle.attachJobs(purgeJobs, options.retentionEveryMs ?? 3_600_000);
  const keyRotation =
    options.keyRotation && options.database
      ? new KeyRotation({
          database: options.database,
          secrets: options.secrets,
          tokens: identity.tokens,
          logger,
          ...options.keyRotation,
          pluginHooks: () => new Map([...plugins.records.values()].filter((r) => r.reseal && r.state === 'running').map((r) => [r.id, r.reseal!])),
          // Suspended tenants too: their sealed values stay and must open once the old key is dropped.
          tenantsOf: (pluginId) => options.store.listTenantsWithPlugin(pluginId, { includeSuspended: true }),
        })
      : undefined;
  if (keyRotation) {
    await keyRotation.start().catch((error: unknown) => logger.error({ err: error }, 'loading the signing key ring failed; signing with the boot key'));
    purgeJobs.define('secrets-reseal', async () => void (await keyRotation.reseal()));
    purgeJobs.define('signing-key-rotate', async () => void (await keyRotation.rotateSigningKey()));
    if (options.keyRotation?.signingKeyRotationMs) purgeJobs.schedule('signing-key-rotate', { everyMs: options.keyRotation.signingKeyRotationMs });
  }

  const startReseal = async () => void (await purgeJobs.enqueue('secrets-reseal', '', {}));
  await core.jobs.start({
    runs: (id) => id === KERNEL_JOBS || plugins.records.get(id)?.state === 'running',
    // Who gets a run of a plugin's `perTenant` schedule when it fires: the active tenants that have it enabled, in one
    // query (reading each tenant's plugin set would fill the bounded cache with tenants nobody is using).
    tenantsOf: (pluginId) => options.store.listTenantsWithPlugin(pluginId),
  });
  // Several encryption keys listed: secrets sealed with an older one are re-sealed in the background.
  if (keyRotation && isRotatingSecrets(options.secrets) && options.secrets.keyCount > 1) {
    await startReseal().catch((error: unknown) => logger.error({ err: error }, 'could not start re-sealing secrets'));
  }

  // Platform metering: counted in memory, published periodically in the operator's tenant (metering/platform-meter.ts).
  const meter = options.platformMetering
    ? new PlatformMeter(options.platformMetering, (name, tenantId, payload) => core.events.publishKernelEvent(name, tenantId, payload), logger, options.instanceId)
    : undefined;
  if (meter) {
    for (const name of [AI_USAGE_EVENT, CALCULATION_TRIALS_EVENT]) core.events.subscribe(name, (event) => meter.observe(event), 'kernel');
    meter.start();
  }

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
    installs: { service: installs, store: installStore, codec },
    dataLifecycle,
    keys: { rotation: keyRotation, startReseal },
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
    // Public routes are limited per client address even without a shared limiter (this instance's buckets then).
    limitPublic: rateLimitPublic(options.rateLimiter ?? new MemoryRateLimiter(), options.rateLimits ?? defaultRateLimits),
    tenantView: (tenantId) => pluginSets.cache.peek(tenantId) ?? pluginSets.cache.get(tenantId),
    streamPath: EVENT_STREAM_PATH,
    acceptStreamToken: stream.acceptQueryToken,
    trustedProxies: options.trustedProxies,
    bodyLimit: options.bodyLimit,
    mounts: options.mounts,
    meter,
  });

  return {
    version,
    logger,
    store: options.store,
    tokens: identity.tokens,
    passwords: identity.passwords,
    pluginSets: pluginSets.pluginSets,
    events: core.events,
    platformMeter: meter,
    jobs: core.jobs,
    metrics,
    callback: () => http.callback(),
    plugins: () => pluginSets.catalog.all(),
    routes: pluginRoutes,
    httpRoutes: () => [
      ...routes.map((r) => ({ method: r.method, path: r.path, owner: 'kernel', access: r.access })),
      ...pluginRoutes().map((r) => ({ method: r.method, path: `/api/v1${r.path}`, owner: r.pluginId, access: r.public ? ('public' as const) : r.minRole })),
      ...(options.mounts ?? []).flatMap((m) => m.routes.map((r) => ({ ...r, owner: m.name }))),
    ],
    database: options.database,
    installs,
    dataLifecycle,
    invalidateTenant: (tenantId) => pluginSets.cache.invalidate(tenantId),
    listen: (port, host) => http.listen(port, host),
    close: async ({ drainMs = 10_000 } = {}) => {
      core.stopSweeping();
      keyRotation?.stop();
      // Event streams never end by themselves: end them, or the drain below would wait for them.
      stream.closeAll();
      await http.drain(drainMs);
      await meter?.stop();
      await core.jobs.close();
      await lifecycle.stopAll();
      // A sandboxed plugin's process starts when it is loaded: one that failed before it ever started (a refused
      // dependency, say) is not stopped by the lifecycle, so its process ends here.
      for (const record of plugins.records.values()) {
        if (record.sandbox && record.sandbox.state !== 'stopped') await Promise.resolve(record.plugin?.stop?.()).catch(() => undefined);
      }
      await options.changeFeed?.close();
      await options.rateLimiter?.close?.();
      await identity.throttle.close();
      await core.events.close();
      registry.dispose();
    },
  };
}
