import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import Koa, { type Context, type Next } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { Router } from '@koa/router';
import {
  VvError,
  coreServices,
  isVvError,
  type PluginManifest,
  type VvPlugin,
} from '@valueverse/plugin-sdk';
import { adminRoutes } from './admin/admin-routes';
import { jobRoutes } from './admin/job-routes';
import { MemoryAuditStore, type AuditStore } from './audit/audit-store';
import { Auditor } from './audit/auditor';
import { MemoryIdentityStore, type IdentityStore } from './identity/identity-store';
import { IdentityService } from './identity/identity-service';
import { apiKeyCache } from './identity/api-key-cache';
import { DEFAULT_CACHE_SIZE } from './observability/cache-size';
import { rateLimit } from './limits/rate-limit-middleware';
import { defaultRateLimits, type RateLimiter, type RateLimitPolicy } from './limits/rate-limiter';
import { identityRoutes } from './identity/identity-routes';
import { invitationRoutes } from './identity/invitation-routes';
import { INVITATION_ACCEPT_PATH, InvitationService } from './identity/invitation-service';
import { MemoryInvitationStore, type InvitationStore } from './identity/invitation-store';
import { authRoutes } from './auth/auth-routes';
import { AccessChanges } from './auth/access-changes';
import type { AttemptStore } from './auth/attempt-store';
import { AttemptThrottle, PLATFORM_EVENT_TENANT, type AttemptPolicy } from './auth/attempt-throttle';
import { authenticate, authenticateHeaders } from './auth/authenticate';
import { SessionGuard } from './auth/session-guard';
import { PasswordHasher } from './auth/password-hasher';
import { TokenService } from './auth/token-service';
import { requestScope } from './context/request-scope';
import type { Database } from './data/database';
import { ServiceRegistry } from './di/service-registry';
import { InProcessEventBus } from './events/in-process-event-bus';
import { EVENT_STREAM_PATH, eventStreamRoutes } from './events/event-stream-routes';
import type { ReplayLimits } from './events/event-replay-buffer';
import { DEFAULT_IDEMPOTENCY_POLICY, IdempotencyGuard, type IdempotencyPolicy } from './idempotency/idempotency-guard';
import { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency/idempotency-store';
import type { EventTransport } from './events/event-transport';
import { PluginGraph } from './graph/plugin-graph';
import { kernelRoutesOf, type HttpRouteInfo } from './http/kernel-route-table';
import { openApiDocument } from './http/openapi-document';
import { pluginDispatcher, pluginOwnerLookup } from './http/plugin-dispatcher';
import { PluginRouter, type RegisteredRoute } from './http/plugin-router';
import { CorsPolicy } from './http/cors-policy';
import { guardRequestInput } from './http/input-guard';
import { bodyParserError, toVvError, writeProblem } from './http/problem-response';
import { KernelRequestState, type RequestState } from './http/request-state';
import { RouteOwnership } from './http/route-ownership';
import { SchemaValidator } from './http/schema-validator';
import { TrustedProxies } from './http/trusted-proxies';
import { InProcessJobQueue } from './jobs/in-process-job-queue';
import type { KernelJobQueue } from './jobs/kernel-job-queue';
import { installPluginDataModel, pluginDatabase } from './data/plugin-database';
import { PluginLifecycle, type LifecycleTimeouts } from './lifecycle/plugin-lifecycle';
import type { PluginRecord } from './lifecycle/plugin-state';
import { discoverPlugins, loadPluginModule } from './manifest/plugin-discovery';
import { validateManifest } from './manifest/manifest-validator';
import { createKernelLogger, type KernelLogger } from './observability/kernel-logger';
import { OutboundService, type OutboundOptions } from './outbound/outbound-service';
import { KernelMetrics } from './observability/kernel-metrics';
import { systemRoutes } from './observability/system-routes';
import { Readiness, type ReadinessCheck } from './observability/readiness';
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
  /**
   * Entries each per-instance cache keyed by tenant, user, token or API key holds at most (plugin sets, verified
   * tokens, session versions, API keys); the least recently used are forgotten and read again. Default 10,000.
   */
  readonly cacheSize?: number;
  readonly passwordHasher?: PasswordHasher;
  /** Broadcasts plugin-set changes to other instances (Redis); without it changes are seen by this instance only. */
  readonly changeFeed?: ChangeFeed;
  /** Refresh tokens, API keys, second factors (default: in memory). */
  readonly identityStore?: IdentityStore;
  /** The append-only audit log (default: in memory). */
  readonly auditStore?: AuditStore;
  /** Token buckets per tenant and per API key (Redis across instances); none: no rate limits. */
  readonly rateLimiter?: RateLimiter;
  /** Default limits; a tenant's `settings.rateLimits` overrides them. */
  readonly rateLimits?: RateLimitPolicy;
  /** Carries events to and from other instances (Redis pub/sub); without it events stay on this instance. */
  readonly eventTransport?: EventTransport;
  /** The job queue (BullMQ on Redis); default: in process. */
  readonly jobQueue?: KernelJobQueue;
  /** Interval of the event stream's heartbeat comment, default 15 s. */
  readonly eventStreamHeartbeatMs?: number;
  /**
   * What the event stream keeps for clients that reconnect with `Last-Event-ID` (defaults: 1,000 events and 1 MB per
   * tenant, 5 minutes, 32 MB in all). A client that fell further behind gets `stream.reset` and reloads.
   */
  readonly eventStreamReplay?: Partial<ReplayLimits>;
  /**
   * Browser origins allowed to call the API cross-origin (`VV_CORS_ORIGINS`): `scheme://host[:port]` entries, or
   * `["*"]` for any (then without credentials). Tenants may narrow it with their `corsOrigins` setting. Default none.
   */
  readonly corsOrigins?: readonly string[];
  /** Body size limit, default 1 MB. */
  readonly bodyLimit?: string;
  /** Where `Idempotency-Key` records live (PostgreSQL across instances; default: in memory). */
  readonly idempotencyStore?: IdempotencyStore;
  /** How long keys are locked while their request runs, and kept after (defaults 5 minutes and 24 hours). */
  readonly idempotency?: Partial<IdempotencyPolicy>;
  /**
   * Brute-force protection of sign-in and second-factor codes: where failure counts live (Redis across instances;
   * default in memory), the policy (default `DEFAULT_ATTEMPT_POLICY`) and the clock (tests).
   */
  readonly signInProtection?: { readonly store?: AttemptStore; readonly policy?: Partial<AttemptPolicy>; readonly now?: () => number };
  /** IP addresses and CIDR blocks of the proxies whose `X-Forwarded-For` is believed (default none: the socket's peer is the client). */
  readonly trustedProxies?: readonly string[];
  /** Open event streams per user or API key, per instance (default 10). */
  readonly maxStreamsPerPrincipal?: number;
  /** Outbound HTTP of plugins (`coreServices.outbound`): loopback/private destinations allowed, resolver. */
  readonly outbound?: OutboundOptions;
  /** Where tenant invitations live (PostgreSQL: `PostgresInvitationStore`; default: in memory). */
  readonly invitationStore?: InvitationStore;
  /** Dependencies `/health/ready` reports besides the database (which it checks itself), e.g. Redis. */
  readonly readinessChecks?: readonly ReadinessCheck[];
}

export interface Kernel {
  readonly version: string;
  readonly logger: KernelLogger;
  readonly store: KernelStore;
  readonly tokens: TokenService;
  readonly passwords: PasswordHasher;
  readonly pluginSets: PluginSetService;
  readonly events: InProcessEventBus;
  readonly jobs: KernelJobQueue;
  readonly metrics: KernelMetrics;
  /** Node request listener (for tests and custom servers). */
  callback(): ReturnType<Koa['callback']>;
  plugins(): readonly PluginRecord[];
  routes(): readonly RegisteredRoute[];
  /** The database behind `core.db` and the stores, when one was given. */
  readonly database?: Database;
  /** Every HTTP route, the kernel's and the plugins', with who may call it (the security suite walks these). */
  httpRoutes(): readonly HttpRouteInfo[];
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
  const cors = new CorsPolicy(options.corsOrigins);
  // Multi-provider refs pick a tenant's provider from its cached plugin set (`cache` is built below, used at call time).
  const registry = new ServiceRegistry({ enabledPlugins: async (tenantId) => (await cache.get(tenantId))?.enabled });
  const ownership = new RouteOwnership();
  const metrics = new KernelMetrics({ defaultMetrics: options.defaultMetrics });
  const events = new InProcessEventBus(logger, options.eventTransport);
  const jobs = options.jobQueue ?? new InProcessJobQueue(logger);
  const tokens = options.tokens ?? (await TokenService.create());
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  tokens.configureCache(cacheSize, metrics.cacheCounters('access-tokens', () => tokens.cachedCount));
  const passwords = options.passwordHasher ?? new PasswordHasher();
  const records = new Map<string, PluginRecord>();
  const identityStore = options.identityStore ?? new MemoryIdentityStore();
  const auditStore = options.auditStore ?? new MemoryAuditStore();
  const auditor = new Auditor(auditStore, logger);
  const idempotency = new IdempotencyGuard(options.idempotencyStore ?? new MemoryIdempotencyStore(), { ...DEFAULT_IDEMPOTENCY_POLICY, ...options.idempotency });
  // Expired keys are deleted hourly by every instance; the delete is cheap and the same on each.
  const idempotencySweep = setInterval(() => {
    idempotency.sweep().catch((error: unknown) => logger.warn({ err: error }, 'idempotency: sweeping expired keys failed; the next sweep retries'));
  }, 60 * 60_000);
  idempotencySweep.unref();
  const routers = new Map<string, PluginRouter>();
  // Kernel-owned routers, for `httpRoutes()`.
  const kernelRouters: Router<RequestState>[] = [];
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
    const router = new PluginRouter(m, validator, idempotency);
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
      const request = requestScope.getStore();
      await auditor.record({
        action: `${m.id}.${entry.action}`,
        actor: entry.actor ?? (request ? (request.user.kind === 'api-key' ? `apikey:${request.user.id}` : request.user.id) : `plugin:${m.id}`),
        tenantId: entry.tenantId ?? request?.tenant.id ?? null,
        target: entry.target ?? null,
        before: entry.before ?? null,
        after: entry.after ?? null,
        requestId: request?.requestId ?? null,
        ip: null,
      });
    },
  }));
  // Outbound calls read the tenant's config through the plugin-set cache (built below, used at call time).
  const outbound = new OutboundService(options.outbound ?? {}, async (pluginId, tenantId) => (await cache.get(tenantId))?.enabled.get(pluginId) ?? {}, logger);
  registry.registerCore(coreServices.outbound, (m) => outbound.forPlugin(m));
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
  const cache: PluginSetCache = new PluginSetCache(options.store, catalog, options.secrets, {
    maxEntries: cacheSize,
    counters: metrics.cacheCounters('plugin-sets', () => cache.size),
  });
  events.setEnablement(async (pluginId, tenantId) => (await cache.get(tenantId))?.enabled.has(pluginId) === true);
  const pluginSets = new PluginSetService(options.store, catalog, options.secrets, validator, async (plan) => {
    // Invalidated before the event goes out, so a client that reloads on it never reads the old set from here.
    cache.invalidate(plan.tenantId);
    await events.publishKernelEvent('plugin-set.changed', plan.tenantId, { changes: plan.changes });
  }, (manifest, config) => outbound.checkConfigDestinations(manifest, config));

  // Who may do what changes through one feed (the change feed: Redis across instances), applied here first.
  const access = new AccessChanges(options.changeFeed);
  const sessions: SessionGuard = new SessionGuard((userId) => identityStore.getSessionState(userId), {
    tokenTtlSeconds: tokens.expiresIn,
    maxCachedUsers: cacheSize,
    counters: metrics.cacheCounters('session-versions', () => sessions.cachedUsers),
  });
  access.on((change) => {
    if (change.kind === 'tenant' || change.kind === 'all') cache.invalidate(change.kind === 'tenant' ? change.id : undefined);
    if (change.kind === 'user' || change.kind === 'all') sessions.invalidateUser(change.kind === 'user' ? change.id : undefined);
    if (change.kind === 'session') sessions.signOut(change.id);
  });

  // 5. Lifecycle: setup → start in dependency order, each with a timeout.
  const feedSubscribed = access.start();
  // Other instances' `plugin-set.changed` may arrive before their change-feed message: invalidate on either, and
  // before the event stream (subscribed later, so called later) passes it on.
  events.subscribe('plugin-set.changed', (event) => cache.invalidate(event.tenantId), 'kernel', { kernelEvents: true });
  // Side by side: while Redis is unreachable each waits a moment for it and then lets the boot go on (issue #10, 6).
  await Promise.all([feedSubscribed, events.start()]);

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
  await jobs.start({
    runs: (id) => records.get(id)?.state === 'running',
    // Who gets a run of a plugin's `perTenant` schedule when it fires: the active tenants that have it enabled, in one
    // query (reading each tenant's plugin set would fill the bounded cache with tenants nobody is using).
    tenantsOf: (pluginId) => options.store.listTenantsWithPlugin(pluginId),
  });

  // 6. HTTP pipeline. Order matters: request id and metrics, then errors, then the drain gate, then routing.
  const app = new Koa<RequestState>();
  // Koa reports errors it meets while writing a response (a client that hung up mid-stream, say) on 'error' and
  // would print them to stderr; they go to the log instead, hang-ups at debug level.
  app.on('error', (error: NodeJS.ErrnoException) => {
    const hangUp = error?.code === 'ERR_STREAM_PREMATURE_CLOSE' || error?.code === 'ECONNRESET' || error?.code === 'EPIPE' || error?.code === 'ECONNABORTED';
    if (hangUp) logger.debug({ err: error }, 'client closed the connection before the response was written');
    else logger.error({ err: error }, 'error while writing a response');
  });
  // X-Forwarded-For is believed only from the configured proxies (VV_TRUSTED_PROXIES): anyone can write one.
  new TrustedProxies(options.trustedProxies ?? []).install(app as never);
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const pluginOwner = pluginOwnerLookup(ownership);
  const servePlugin = pluginDispatcher(records, routers);
  // One front middleware does the per-request work every request needs (request id, in-flight count, metrics,
  // problem+json, the drain gate, the body) and serves plugin routes directly; kernel routes continue down the
  // chain. Fewer middleware layers means fewer promises, which is most of the kernel's cost per request (each
  // promise also pays for the request scope's async hooks on Node 20).
  const onResponseClosed = () => {
    inFlight -= 1;
    if (draining && inFlight === 0) drained?.();
  };
  const front = async (ctx: Context, next: Next): Promise<void> => {
    const incoming = ctx.get('x-request-id');
    const requestId = incoming !== '' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    const state = new KernelRequestState(requestId, logger);
    ctx.state = state;
    ctx.set('X-Request-Id', requestId);
    const startedAt = performance.now();
    inFlight += 1;
    // In flight until the response is written out, not until this middleware returns: Koa writes the body after
    // the chain resolves, and close() must not cut connections (closeAllConnections) before that.
    ctx.res.once('close', onResponseClosed);
    try {
      if (draining) {
        ctx.set('Connection', 'close');
        throw new VvError('VV_SHUTTING_DOWN', { headers: { 'Retry-After': '1' } });
      }
      const method = ctx.method;
      if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') await parseBody(ctx as never, noop);
      guardRequestInput(ctx as never);
      const pluginId = pluginOwner(ctx.path);
      if (pluginId !== undefined) {
        const authenticating = requireAuth(ctx as never);
        if (authenticating) await authenticating;
        if (limiter) await limiter(ctx as never);
        const serving = servePlugin(ctx as never, pluginId);
        if (serving) await serving;
      } else {
        await next();
        if (ctx.status === 404 && ctx.body === undefined) throw new VvError('VV_NOT_FOUND', { detail: `No route ${ctx.method} ${ctx.path}` });
        if (ctx.status === 405 && ctx.body === undefined) throw new VvError('VV_NOT_FOUND', { detail: `Method ${ctx.method} is not allowed on ${ctx.path}` });
      }
    } catch (error) {
      const vv = toVvError(error, requestId);
      if (vv.status >= 500) logger.error({ err: error, requestId, code: vv.code, path: ctx.path, plugin: state.plugin }, vv.message);
      writeProblem(ctx, vv, requestId);
    } finally {
      metrics.observeRequest(state.plugin ?? 'kernel', state.route ?? (ctx._matchedRoute as string | undefined) ?? 'unmatched', ctx.method, String(ctx.status), (performance.now() - startedAt) / 1000);
    }
  };
  if (cors.enabled) app.use(cors.middleware());
  app.use(front);
  // JSON everywhere; CSV (text/csv) for imports, handed to the route as a string.
  const parseBody = bodyParser({ jsonLimit: options.bodyLimit ?? '1mb', textLimit: options.bodyLimit ?? '1mb', enableTypes: ['json', 'text'], extendTypes: { text: ['text/csv'] }, onError: (error) => {
    throw bodyParserError(error, options.bodyLimit ?? '1mb');
  } });
  // Kernel routers only see the paths they serve, so plugin requests do not pay for matching them.
  const onlyFor = (test: (path: string) => boolean, middleware: (ctx: never, next: Next) => Promise<unknown>) => async (ctx: Context, next: Next) =>
    test(ctx.path) ? middleware(ctx as never, next) : next();
  // The database is required (503 while it does not answer); the host adds Redis, which is not.
  const databaseCheck: ReadinessCheck[] = options.database ? [{ name: 'database', required: true, probe: async () => (await options.database!.execute('select 1'), true) }] : [];
  const readiness = new Readiness([...databaseCheck, ...(options.readinessChecks ?? [])]);
  const system = systemRoutes({ records: () => catalog.all(), metrics, draining: () => draining, version, readiness, openapi: () => openApiDocument(allRoutes(), version, kernelRoutesOf(kernelRouters as never[])) });
  app.use(onlyFor((p) => p.startsWith('/health/') || p === '/metrics' || p === '/api/openapi.json', system.routes()));
  const identity = new IdentityService(options.store, identityStore, tokens, options.secrets, auditor, { onAccessChanged: (change) => access.publish(change) });
  const throttle = new AttemptThrottle({
    ...options.signInProtection,
    auditor,
    notify: (notice) => events.publishKernelEvent('auth.lockout', PLATFORM_EVENT_TENANT, notice),
  });
  // Invitations (tenant admins adding someone by email): accepted at a public route whose token is the credential,
  // mounted before the auth router so that it is not taken for an authenticated /api route.
  const invitationStore = options.invitationStore ?? new MemoryInvitationStore();
  const invitationService = new InvitationService({ store: options.store, invitations: invitationStore, events, passwords, throttle });
  const invitations = invitationRoutes({ store: options.store, invitations: invitationStore, service: invitationService, auditor, validator });
  app.use(onlyFor((p) => p === INVITATION_ACCEPT_PATH, invitations.accept.routes()));
  const auth = authRoutes({ store: options.store, hasher: passwords, tokens, identity, auditor, validator, throttle });
  app.use(onlyFor((p) => p.startsWith('/api/v1/auth/') || p.startsWith('/.well-known/'), auth.routes()));
  const apiKeys: ReturnType<typeof apiKeyCache> = apiKeyCache(identity, undefined, cacheSize, metrics.cacheCounters('api-keys', () => apiKeys.size));
  const limiter = options.rateLimiter ? rateLimit(options.rateLimiter, options.rateLimits ?? defaultRateLimits) : undefined;
  const requireAuth = cors.forTenants(authenticate(tokens, cache, apiKeys, sessions));
  access.on((change) => {
    if (change.kind === 'api-key' || change.kind === 'all') apiKeys.forget();
  });
  const admin = adminRoutes({
    store: options.store,
    catalog,
    pluginSets,
    validator,
    auditor,
    cors,
    onTenantChanged: (tenantId) => access.publish({ kind: 'tenant', id: tenantId }),
  });
  const adminOnly = admin.routes();
  const identityRouter = identityRoutes({ store: options.store, identityStore, identity, auditor, audit: auditStore, validator, hashPassword: (password) => passwords.hash(password), throttle, onAccessChanged: (change) => access.publish(change), invitations: invitationService });
  const identityOnly = identityRouter.routes();
  const invitationAdminOnly = invitations.admin.routes();
  kernelRouters.push(system, auth, admin, identityRouter, invitations.admin, invitations.accept);
  const adminMiddleware = (ctx: never, next: Next) => adminOnly(ctx, () => identityOnly(ctx, () => invitationAdminOnly(ctx, next)));
  const jobAdmin = jobRoutes({ jobs, validator, auditor });
  const jobAdminOnly = jobAdmin.routes();
  const stream = eventStreamRoutes({
    events, tokens, logger, registry: metrics.registry, heartbeatMs: options.eventStreamHeartbeatMs, replay: options.eventStreamReplay,
    reauthenticate: (headers) => authenticateHeaders(requireAuth, headers),
    maxPerPrincipal: options.maxStreamsPerPrincipal,
  });
  // After the caches above dropped what changed, so the streams' checks read the new state.
  access.on((change) => void stream.revoke(change));
  const streamOnly = stream.router.routes();
  kernelRouters.push(jobAdmin, stream.router);
  app.use(onlyFor((p) => p === EVENT_STREAM_PATH, stream.acceptQueryToken));
  app.use(async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith('/api/')) return next();
    await requireAuth(ctx as never);
    if (limiter) await limiter(ctx as never);
    if (ctx.path.startsWith('/api/v1/admin/jobs/')) return jobAdminOnly(ctx as never, next);
    if (ctx.path === EVENT_STREAM_PATH) return streamOnly(ctx as never, next);
    if (ctx.path.startsWith('/api/v1/admin/') || ctx.path === '/api/v1/me' || ctx.path.startsWith('/api/v1/me/')) return adminMiddleware(ctx as never, next);
    // Under /api but owned by nobody.
    throw new VvError('VV_NOT_FOUND', { detail: `No route ${ctx.method} ${ctx.path}` });
  });

  const allRoutes = () => [...routers.values()].flatMap((r) => r.routes);
  const httpRoutes = (): HttpRouteInfo[] => [
    ...kernelRoutesOf(kernelRouters as never[]),
    ...allRoutes().map((r) => ({ method: r.method, path: `/api/v1${r.path}`, owner: r.pluginId, access: r.minRole })),
  ];
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
    httpRoutes,
    database: options.database,
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
      clearInterval(idempotencySweep);
      // Event streams never end by themselves: end them, or the drain below would wait for them.
      stream.closeAll();
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
      await jobs.close();
      await lifecycle.stopAll();
      await options.changeFeed?.close();
      await options.rateLimiter?.close?.();
      await throttle.close();
      await events.close();
      registry.dispose();
    },
  };
}

const requestIdPattern = /^[A-Za-z0-9._-]{8,128}$/;
const noop = async (): Promise<void> => {};

function asVvError(error: unknown, plugin: string): VvError {
  return isVvError(error)
    ? error
    : new VvError('VV_PLUGIN_FAILED', { params: { plugin, state: 'failed', reason: (error as Error)?.message ?? String(error) }, cause: error });
}
