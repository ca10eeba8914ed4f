import {
  VvError,
  coreServices,
  type AuditLog,
  type PluginConfigReader,
  type PluginManifest,
  type PluginSecrets,
  type TenantBrandingService,
  type TenantDirectory,
  type TenantPlugins,
} from '@valueverse/plugin-sdk';
import { hasRole } from '../identity/role-rank';
import { isRotatingSecrets } from '../keys/key-rotation';
import type { ConfigSecrets } from '../plugin-sets/plugin-catalog';
import type { KernelStore } from '../tenancy/kernel-store';
import { MemoryAuditStore, type AuditStore } from '../audit/audit-store';
import { Auditor } from '../audit/auditor';
import { requestScope } from '../context/request-scope';
import type { Database } from '../data/database-api';
import { pluginDatabase } from '../data/plugin-database';
import { InProcessEventBus } from '../events/in-process-event-bus';
import { PluginRouter } from '../http/plugin-router';
import { SchemaValidator } from '../http/schema-validator';
import { DEFAULT_IDEMPOTENCY_POLICY, IdempotencyGuard } from '../idempotency/idempotency-guard';
import { MemoryIdempotencyStore } from '../idempotency/idempotency-store';
import { InProcessJobQueue } from '../jobs/in-process-job-queue';
import type { KernelJobQueue } from '../jobs/kernel-job-queue';
import type { KernelLogger } from '../observability/kernel-logger';
import type { KernelMetrics } from '../observability/kernel-metrics';
import type { OutboundService } from '../outbound/outbound-service';
import type { PluginSetCache } from '../plugin-sets/plugin-set-cache';
import type { KernelOptions } from '../kernel-options';
import type { ServiceRegistry } from './service-registry';
import type { PluginStaging } from '../installs/plugin-staging';

/** The kernel-wide services behind `coreServices`: schemas, events, jobs, the audit log, idempotency. */
export interface CoreServices {
  readonly validator: SchemaValidator;
  readonly events: InProcessEventBus;
  readonly jobs: KernelJobQueue;
  readonly auditStore: AuditStore;
  readonly auditor: Auditor;
  readonly idempotency: IdempotencyGuard;
  /** Stops the hourly sweep of expired idempotency keys. */
  stopSweeping(): void;
}

export function createCoreServices(options: KernelOptions, logger: KernelLogger): CoreServices {
  const auditStore = options.auditStore ?? new MemoryAuditStore();
  const idempotency = new IdempotencyGuard(options.idempotencyStore ?? new MemoryIdempotencyStore(), { ...DEFAULT_IDEMPOTENCY_POLICY, ...options.idempotency });
  // Expired keys are deleted hourly by every instance; the delete is cheap and the same on each.
  const sweep = setInterval(() => {
    idempotency.sweep().catch((error: unknown) => logger.warn({ err: error }, 'idempotency: sweeping expired keys failed; the next sweep retries'));
  }, 60 * 60_000);
  sweep.unref();
  return {
    validator: new SchemaValidator(),
    events: new InProcessEventBus(logger, options.eventTransport),
    jobs: options.jobQueue ?? new InProcessJobQueue(logger),
    auditStore,
    auditor: new Auditor(auditStore, logger),
    idempotency,
    stopSweeping: () => clearInterval(sweep),
  };
}

/**
 * Binds every `coreServices` ref to the factory that makes it for one plugin (from its manifest). Returns the
 * plugins' routers, filled in as plugins set up.
 */
export function registerCoreServices(
  registry: ServiceRegistry,
  deps: {
    core: CoreServices;
    logger: KernelLogger;
    metrics: KernelMetrics;
    cache: PluginSetCache;
    outbound: OutboundService;
    /** The tenant members `core.directory` lists (the kernel store). */
    members?: Pick<KernelStore, 'listTenantMembers'>;
    /** Where `core.branding` reads tenants' logos (the kernel store). */
    logos?: Pick<KernelStore, 'getTenantLogo'>;
    /** The kernel's encryption of secrets at rest, behind `core.secrets`. */
    secrets?: ConfigSecrets;
    database?: Database;
    /** Whether platform metering is on (`KernelOptions.platformMetering`): plugins read it from their metadata. */
    platformMetering?: boolean;
    /**
     * Plugins being installed at run time beside a running version (or first): their routers go to this map, not
     * to the served one, until the installer swaps them in. Their event publishing follows `publishPatterns`.
     */
    staging?: PluginStaging;
  },
): Map<string, PluginRouter> {
  const { core, logger, metrics, cache, outbound } = deps;
  const routers = new Map<string, PluginRouter>();
  registry.registerCore(coreServices.logger, (m) => logger.child({ plugin: m.id }));
  registry.registerCore(coreServices.metadata, (m) => ({ id: m.id, version: m.version, platformMetering: deps.platformMetering === true }));
  registry.registerCore(coreServices.context, () => ({ current: () => requestScope.getStore() }));
  registry.registerCore(coreServices.http, (m) => {
    const router = new PluginRouter(m, core.validator, core.idempotency);
    if (deps.staging?.ids.has(m.id)) deps.staging.routers.set(m.id, router);
    else routers.set(m.id, router);
    return router;
  });
  registry.registerCore(coreServices.events, (m) => core.events.forPlugin(m, () => metrics.eventsPublished.inc({ plugin: m.id }), deps.staging?.publishPatterns(m)));
  registry.registerCore(coreServices.jobs, (m) => core.jobs.forPlugin(m));
  registry.registerCore(coreServices.config, (m) => pluginConfigReader(cache, m));
  registry.registerCore(coreServices.audit, (m) => pluginAuditService(core.auditor, m));
  registry.registerCore(coreServices.outbound, (m) => outbound.forPlugin(m));
  registry.registerCore(coreServices.metrics, (m) => metrics.forPlugin(m.id));
  registry.registerCore(coreServices.directory, (m) => tenantDirectory(cache, deps.members, m));
  registry.registerCore(coreServices.secrets, (m) => pluginSecrets(deps.secrets, m));
  registry.registerCore(coreServices.plugins, (m) => tenantPlugins(cache, m));
  registry.registerCore(coreServices.branding, (m) => tenantBranding(cache, deps.logos, m));
  registry.registerCore(coreServices.db, (m) => {
    if (!deps.database) throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'database', reason: `no database is configured for plugin "${m.id}"` } });
    return pluginDatabase(deps.database, m);
  });
  return routers;
}

/** `core.config`: the plugin's config for a tenant, from the tenant's cached plugin set (secrets decrypted). */
function pluginConfigReader(cache: PluginSetCache, manifest: PluginManifest): PluginConfigReader {
  return {
    forTenant: async (tenantId: string) => {
      const view = await cache.get(tenantId);
      return view?.enabled.get(manifest.id) ?? {};
    },
  };
}

/**
 * `core.directory`: a tenant's members (user id, email, role, display name, locale, time zone) for a plugin the tenant has enabled; within a request,
 * only the request's tenant (a handler cannot read another tenant by passing its id).
 */
function tenantDirectory(cache: PluginSetCache, members: Pick<KernelStore, 'listTenantMembers'> | undefined, manifest: PluginManifest): TenantDirectory {
  return {
    members: async (tenantId, query = {}) => {
      const request = requestScope.getStore();
      if (request && request.tenant.id !== tenantId) {
        throw new VvError('VV_FORBIDDEN', { params: { reason: `plugin "${manifest.id}" may only read the directory of the request's tenant` } });
      }
      const view = await cache.get(tenantId);
      if (!view?.enabled.has(manifest.id)) throw new VvError('VV_PLUGIN_NOT_ENABLED', { params: { plugin: manifest.id, tenant: tenantId } });
      if (!members) return [];
      const ids = query.userIds ? new Set(query.userIds) : undefined;
      return (await members.listTenantMembers(tenantId))
        .filter((m) => (!query.atLeast || hasRole(m.role, query.atLeast)) && (!ids || ids.has(m.userId)))
        .map((m) => ({ userId: m.userId, email: m.email, role: m.role, displayName: m.displayName, locale: m.locale, timeZone: m.timeZone }))
        .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    },
  };
}

/**
 * `core.branding`: a tenant's logo, for a plugin the tenant has enabled; within a request, only the request's tenant.
 * Read from the store on each call: only the documents that show the logo ask for it.
 */
function tenantBranding(cache: PluginSetCache, logos: Pick<KernelStore, 'getTenantLogo'> | undefined, manifest: PluginManifest): TenantBrandingService {
  return {
    logo: async (tenantId) => {
      const request = requestScope.getStore();
      if (request && request.tenant.id !== tenantId) {
        throw new VvError('VV_FORBIDDEN', { params: { reason: `plugin "${manifest.id}" may only read the branding of the request's tenant` } });
      }
      const view = await cache.get(tenantId);
      if (!view?.enabled.has(manifest.id)) throw new VvError('VV_PLUGIN_NOT_ENABLED', { params: { plugin: manifest.id, tenant: tenantId } });
      return logos?.getTenantLogo(tenantId);
    },
  };
}

/**
 * `core.secrets`: the kernel's sealing, each value bound to its plugin by a prefix inside the ciphertext (GCM
 * authenticates it): a plugin cannot open the kernel's config secrets or another plugin's values.
 */
function pluginSecrets(secrets: ConfigSecrets | undefined, manifest: PluginManifest): PluginSecrets {
  const prefix = `plugin:${manifest.id}\u0000`;
  const box = () => {
    if (!secrets) throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'encryption', reason: `no encryption key is configured for plugin "${manifest.id}"` } });
    return secrets;
  };
  return {
    seal: (plaintext) => box().seal(prefix + plaintext),
    open: (sealed) => {
      const plaintext = box().open(sealed);
      if (!plaintext.startsWith(prefix)) throw new VvError('VV_INTERNAL', { detail: `a sealed value that plugin "${manifest.id}" did not seal` });
      return plaintext.slice(prefix.length);
    },
    isCurrent: (sealed) => {
      const s = box();
      return isRotatingSecrets(s) ? s.sealedWithNewest(sealed) : true;
    },
  };
}

/** `core.plugins`: whether the tenant enabled a plugin the manifest names (itself, `requires`, `optional`). */
function tenantPlugins(cache: PluginSetCache, manifest: PluginManifest): TenantPlugins {
  const named = new Set([manifest.id, ...Object.keys(manifest.requires ?? {}), ...Object.keys(manifest.optional ?? {})]);
  return {
    isEnabled: async (tenantId: string, pluginId: string) => {
      if (!named.has(pluginId)) {
        throw new VvError('VV_SERVICE_NOT_DECLARED', {
          params: { plugin: manifest.id, service: 'core.plugins', reason: `it asks about "${pluginId}", which its manifest does not list under "requires" or "optional"` },
        });
      }
      return (await cache.get(tenantId))?.enabled.has(pluginId) ?? false;
    },
  };
}

/** `core.audit`: entries prefixed with the plugin id, the actor and tenant taken from the request when there is one. */
function pluginAuditService(auditor: Auditor, manifest: PluginManifest): AuditLog {
  return {
    record: async (entry) => {
      const request = requestScope.getStore();
      await auditor.record({
        action: `${manifest.id}.${entry.action}`,
        actor: entry.actor ?? (request?.user ? (request.user.kind === 'api-key' ? `apikey:${request.user.id}` : request.user.id) : `plugin:${manifest.id}`),
        tenantId: entry.tenantId ?? request?.tenant.id ?? null,
        target: entry.target ?? null,
        before: entry.before ?? null,
        after: entry.after ?? null,
        requestId: request?.requestId ?? null,
        ip: null,
      });
    },
  };
}
