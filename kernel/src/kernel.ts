import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import Koa, { type Context, type Next } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import {
  VvError,
  coreServices,
  isVvError,
  type PluginManifest,
  type VvPlugin,
} from '@valueverse/plugin-sdk';
import { adminRoutes } from './admin/admin-routes';
import { authRoutes } from './auth/auth-routes';
import { authenticate } from './auth/authenticate';
import { PasswordHasher } from './auth/password-hasher';
import { TokenService } from './auth/token-service';
import { requestScope } from './context/request-scope';
import type { Database } from './data/database';
import { ServiceRegistry } from './di/service-registry';
import { InProcessEventBus } from './events/in-process-event-bus';
import { PluginGraph } from './graph/plugin-graph';
import { openApiDocument } from './http/openapi-document';
import { pluginDispatcher } from './http/plugin-dispatcher';
import { PluginRouter, type RegisteredRoute } from './http/plugin-router';
import { problemMiddleware } from './http/problem-response';
import type { RequestState } from './http/request-state';
import { RouteOwnership } from './http/route-ownership';
import { SchemaValidator } from './http/schema-validator';
import { InProcessJobQueue } from './jobs/in-process-job-queue';
import { installPluginDataModel, pluginDatabase } from './data/plugin-database';
import { PluginLifecycle, type LifecycleTimeouts } from './lifecycle/plugin-lifecycle';
import type { PluginRecord } from './lifecycle/plugin-state';
import { discoverPlugins, loadPluginModule } from './manifest/plugin-discovery';
import { validateManifest } from './manifest/manifest-validator';
import { createKernelLogger, type KernelLogger } from './observability/kernel-logger';
import { KernelMetrics } from './observability/kernel-metrics';
import { systemRoutes } from './observability/system-routes';
import type { ChangeFeed } from './tenancy/change-feed';
import type { KernelStore } from './tenancy/kernel-store';
import type { ConfigSecrets, PluginCatalog } from './tenancy/plugin-catalog';
import { PluginSetCache } from './tenancy/plugin-set-cache';
import { PluginSetService } from './tenancy/plugin-set-service';

/** The kernel API version plugins declare in their manifest `kernel` range. */
export const KERNEL_VERSION = '1.0.0';

/** A plugin handed to the kernel directly (tests, embedding) instead of discovered on disk. */
export interface InlinePlugin {
  readonly manifest: unknown;
  readonly plugin: VvPlugin;
  readonly dir?: string;
}

export interface KernelOptions {
  readonly store: KernelStore;
  readonly secrets: ConfigSecrets;
  /** Folders whose subfolders hold plugins (each with plugin.json). */
  readonly pluginDirs?: readonly string[];
  readonly plugins?: readonly InlinePlugin[];
  /** Load `src/index.ts` instead of the manifest's `main` when present (tests, ts runtimes). */
  readonly preferSource?: boolean;
  readonly tokens?: TokenService;
  readonly database?: Database;
  readonly logger?: KernelLogger;
  readonly timeouts?: Partial<LifecycleTimeouts>;
  readonly kernelVersion?: string;
  readonly defaultMetrics?: boolean;
  readonly passwordHasher?: PasswordHasher;
  /** Broadcasts plugin-set changes to other instances (Redis); without it changes are seen by this instance only. */
  readonly changeFeed?: ChangeFeed;
  /** Body size limit, default 1 MB. */
  readonly bodyLimit?: string;
}

export interface Kernel {
  readonly version: string;
  readonly logger: KernelLogger;
  readonly store: KernelStore;
  readonly tokens: TokenService;
  readonly passwords: PasswordHasher;
  readonly pluginSets: PluginSetService;
  readonly events: InProcessEventBus;
  readonly jobs: InProcessJobQueue;
  readonly metrics: KernelMetrics;
  /** Node request listener (for tests and custom servers). */
  callback(): ReturnType<Koa['callback']>;
  plugins(): readonly PluginRecord[];
  routes(): readonly RegisteredRoute[];
  /** Forgets the cached plugin set of one tenant (or all) on this instance. */
  invalidateTenant(tenantId?: string): void;
  /** Listens on host:port; resolves once bound. */
  listen(port: number, host?: string): Promise<Server>;
  /**
   * Graceful shutdown: stop accepting, answer new requests 503, wait for in-flight requests (up to `drainMs`),
   * then stop plugins in reverse start order.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

/** Builds a kernel, loads and starts every plugin it finds. Never throws because of one plugin. */
export async function createKernel(options: KernelOptions): Promise<Kernel> {
  const version = options.kernelVersion ?? KERNEL_VERSION;
  const logger = options.logger ?? createKernelLogger({ level: 'info' });
  const timeouts: LifecycleTimeouts = { setupMs: 10_000, startMs: 10_000, stopMs: 5_000, ...options.timeouts };
  const validator = new SchemaValidator();
  const registry = new ServiceRegistry();
  const ownership = new RouteOwnership();
  const metrics = new KernelMetrics({ defaultMetrics: options.defaultMetrics });
  const events = new InProcessEventBus(logger);
  const jobs = new InProcessJobQueue(logger);
  const tokens = options.tokens ?? (await TokenService.create());
  const passwords = options.passwordHasher ?? new PasswordHasher();
  const records = new Map<string, PluginRecord>();
  const routers = new Map<string, PluginRouter>();
  const now = () => new Date().toISOString();

  // 1. Discover and validate. Every problem becomes a failed record; nothing stops the boot.
  const invalid = new Map<string, VvError>();
  const manifests: PluginManifest[] = [];
  const accept = (manifest: PluginManifest, plugin: VvPlugin | undefined, dir: string | undefined, error?: VvError) => {
    if (records.has(manifest.id)) {
      logger.error({ plugin: manifest.id, dir }, `plugin id "${manifest.id}" is installed twice; keeping the first`);
      return;
    }
    records.set(manifest.id, { id: manifest.id, dir, manifest, plugin, state: error ? 'failed' : 'installed', error, since: now() });
    manifests.push(manifest);
    if (error) invalid.set(manifest.id, error);
  };
  for (const found of await discoverPlugins(options.pluginDirs ?? [], { preferSource: options.preferSource })) {
    if (!found.manifest) {
      const id = `invalid:${found.dir.split(/[\\/]/).pop()}`;
      records.set(id, { id, dir: found.dir, manifest: { id, version: '0.0.0', displayName: id, kernel: '*', main: '' }, state: 'failed', error: found.error, since: now() });
      continue;
    }
    try {
      accept(found.manifest, loadPluginModule(found.entry), found.dir);
    } catch (error) {
      accept(found.manifest, undefined, found.dir, asVvError(error, found.manifest.id));
    }
  }
  for (const inline of options.plugins ?? []) {
    try {
      accept(validateManifest(inline.manifest, inline.dir ?? 'inline'), inline.plugin, inline.dir);
    } catch (error) {
      const id = `invalid:${String((inline.manifest as { id?: unknown })?.id ?? 'inline')}`;
      records.set(id, { id, manifest: { id, version: '0.0.0', displayName: id, kernel: '*', main: '' }, state: 'failed', error: asVvError(error, id), since: now() });
    }
  }

  // 2. Route prefixes: a conflict fails the later plugin (by id), naming both.
  for (const manifest of [...manifests].sort((a, b) => a.id.localeCompare(b.id))) {
    if (invalid.has(manifest.id)) continue;
    try {
      ownership.claim(manifest.id, manifest.routes ?? []);
    } catch (error) {
      const record = records.get(manifest.id)!;
      record.state = 'failed';
      record.error = asVvError(error, manifest.id);
      invalid.set(manifest.id, record.error);
    }
  }

  // 3. Dependency graph: cycles, missing and incompatible dependencies, and what they block.
  const graph = PluginGraph.build(manifests, { kernelVersion: version, invalid });
  for (const entry of graph.entries) {
    const record = records.get(entry.id);
    if (!record || entry.status === 'ok' || record.state === 'failed') continue;
    record.state = entry.status === 'blocked' ? 'blocked' : 'failed';
    record.error = entry.error;
  }

  // 4. Core services, built per plugin from its manifest.
  registry.registerCore(coreServices.logger, (m) => logger.child({ plugin: m.id }));
  registry.registerCore(coreServices.metadata, (m) => ({ id: m.id, version: m.version }));
  registry.registerCore(coreServices.context, () => ({ current: () => requestScope.getStore() }));
  registry.registerCore(coreServices.http, (m) => {
    const router = new PluginRouter(m, validator);
    routers.set(m.id, router);
    return router;
  });
  registry.registerCore(coreServices.events, (m) => events.forPlugin(m, () => metrics.eventsPublished.inc({ plugin: m.id })));
  registry.registerCore(coreServices.jobs, (m) => jobs.forPlugin(m));
  registry.registerCore(coreServices.config, (m) => ({
    forTenant: async (tenantId: string) => {
      const view = await cache.get(tenantId);
      return view?.enabled.get(m.id) ?? {};
    },
  }));
  registry.registerCore(coreServices.audit, (m) => ({
    record: async (entry) => {
      logger.info({ audit: true, plugin: m.id, ...entry, actor: entry.actor ?? requestScope.getStore()?.user.id }, `audit: ${entry.action}`);
    },
  }));
  registry.registerCore(coreServices.db, (m) => {
    const database = options.database;
    if (!database) throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'database', reason: `no database is configured for plugin "${m.id}"` } });
    return pluginDatabase(database, m);
  });

  const catalog: PluginCatalog = {
    get: (id) => records.get(id),
    all: () => [...records.values()].sort((a, b) => a.id.localeCompare(b.id)),
    requirementsOf: (id) => graph.requirementsOf(id),
    dependantsOf: (id) => graph.dependantsOf(id),
  };
  const cache = new PluginSetCache(options.store, catalog, options.secrets);
  const pluginSets = new PluginSetService(options.store, catalog, options.secrets, validator);

  // 5. Lifecycle: setup → start in dependency order, each with a timeout.
  await options.changeFeed?.subscribe((tenantId) => cache.invalidate(tenantId));

  const lifecycle = new PluginLifecycle(records, registry, timeouts, logger, undefined, async (record) => {
    const model = record.plugin?.database;
    if (!model) return;
    if (!record.manifest.permissions?.includes('db')) {
      throw new VvError('VV_SERVICE_NOT_DECLARED', { params: { plugin: record.id, service: 'core.db', reason: 'it declares a database but its manifest lacks permission "db"' } });
    }
    if (!options.database) throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'database', reason: `no database is configured for plugin "${record.id}"` } });
    const applied = await installPluginDataModel(options.database, record.manifest, model);
    if (applied.length > 0) logger.info({ plugin: record.id, applied }, `plugin "${record.id}" migrated`);
  });
  await lifecycle.startAll(graph);
  for (const router of routers.values()) router.seal();

  // 6. HTTP pipeline. Order matters: request id and metrics, then errors, then the drain gate, then routing.
  const app = new Koa<RequestState>();
  app.proxy = true;
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  app.use(async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = /^[A-Za-z0-9._-]{8,128}$/.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    // The request logger is made on first use: most requests never log, and pino children cost an allocation each.
    let log: KernelLogger | undefined;
    Object.defineProperty(ctx.state, 'log', { get: () => (log ??= logger.child({ requestId })), set: (value: KernelLogger) => (log = value), enumerable: true, configurable: true });
    ctx.set('X-Request-Id', requestId);
    const startedAt = performance.now();
    inFlight += 1;
    // In flight until the response is written out, not until this middleware returns: Koa writes the body after
    // the chain resolves, and close() must not cut connections (closeAllConnections) before that.
    ctx.res.once('close', () => {
      inFlight -= 1;
      if (draining && inFlight === 0) drained?.();
    });
    try {
      await next();
    } finally {
      metrics.observeRequest(ctx.state.plugin ?? 'kernel', ctx.state.route ?? (ctx._matchedRoute as string | undefined) ?? 'unmatched', ctx.method, String(ctx.status), (performance.now() - startedAt) / 1000);
    }
  });
  app.use(problemMiddleware(logger));
  app.use(async (ctx: Context, next: Next) => {
    if (draining) {
      ctx.set('Connection', 'close');
      throw new VvError('VV_SHUTTING_DOWN', { headers: { 'Retry-After': '1' } });
    }
    await next();
  });
  const parseBody = bodyParser({ jsonLimit: options.bodyLimit ?? '1mb', enableTypes: ['json'], onError: (error) => {
    throw new VvError('VV_VALIDATION', { detail: `Request body is not valid JSON: ${error.message}`, errors: [{ pointer: '', message: 'invalid JSON' }] });
  } });
  app.use(async (ctx: Context, next: Next) => (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'DELETE' ? next() : parseBody(ctx as never, next)));
  // Kernel routers only see the paths they serve, so plugin requests do not pay for matching them.
  const onlyFor = (test: (path: string) => boolean, middleware: (ctx: never, next: Next) => Promise<unknown>) => async (ctx: Context, next: Next) =>
    test(ctx.path) ? middleware(ctx as never, next) : next();
  const system = systemRoutes({ records: () => catalog.all(), metrics, draining: () => draining, version, openapi: () => openApiDocument(allRoutes(), version) });
  app.use(onlyFor((p) => p.startsWith('/health/') || p === '/metrics' || p === '/api/openapi.json', system.routes()));
  const auth = authRoutes(options.store, passwords, tokens, validator);
  app.use(onlyFor((p) => p.startsWith('/api/v1/auth/') || p.startsWith('/.well-known/'), auth.routes()));
  const requireAuth = authenticate(tokens, cache);
  const admin = adminRoutes({
    store: options.store,
    catalog,
    pluginSets,
    validator,
    onTenantChanged: async (tenantId) => {
      cache.invalidate(tenantId);
      await options.changeFeed?.publish(tenantId);
    },
  });
  const adminMiddleware = admin.routes();
  const dispatch = pluginDispatcher(ownership, records, routers);
  app.use(async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith('/api/')) return next();
    await requireAuth(ctx as never, async () => {
      if (ctx.path.startsWith('/api/v1/admin/') || ctx.path === '/api/v1/me') return adminMiddleware(ctx as never, next);
      await dispatch(ctx as never, next);
    });
  });

  const allRoutes = () => [...routers.values()].flatMap((r) => r.routes);
  let server: Server | undefined;

  return {
    version,
    logger,
    store: options.store,
    tokens,
    passwords,
    pluginSets,
    events,
    jobs,
    metrics,
    callback: () => app.callback(),
    plugins: () => catalog.all(),
    routes: allRoutes,
    invalidateTenant: (tenantId) => cache.invalidate(tenantId),
    listen: (port, host = '127.0.0.1') =>
      new Promise<Server>((resolve, reject) => {
        const s = app.listen(port, host);
        s.once('listening', () => {
          server = s;
          resolve(s);
        });
        s.once('error', reject);
      }),
    close: async ({ drainMs = 10_000 } = {}) => {
      draining = true;
      if (server) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            drained = resolve;
            setTimeout(resolve, drainMs).unref();
          });
        }
        server.closeAllConnections();
        await closing;
      }
      jobs.close();
      await lifecycle.stopAll();
      await options.changeFeed?.close();
      events.clear();
      registry.dispose();
    },
  };
}

function asVvError(error: unknown, plugin: string): VvError {
  return isVvError(error)
    ? error
    : new VvError('VV_PLUGIN_FAILED', { params: { plugin, state: 'failed', reason: (error as Error)?.message ?? String(error) }, cause: error });
}
