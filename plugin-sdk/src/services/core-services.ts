import type { HttpRouter } from '../http/http-router';
import { createServiceRef } from './create-service-ref';
import type {
  AuditLog,
  EventBus,
  JobQueue,
  Logger,
  OutboundHttp,
  PluginConfigReader,
  PluginDatabase,
  PluginMetadata,
  PluginMetrics,
  RequestContextService,
  TenantDirectory,
  PluginSecrets,
  TenantPlugins,
  TenantBrandingService,
} from './core-service-types';

/**
 * The services the kernel provides to every plugin. The kernel builds each per plugin: a plugin's logger
 * is named after it, its router only accepts its own prefixes, its database is its own schema.
 * Which ones a plugin may ask for is decided by its manifest: `db` needs permission `db`, `jobs` needs `jobs`,
 * `audit` needs `audit`, `events` needs an `events.*` permission, `http` needs `routes`, `outbound` needs
 * `http.outbound` (and the manifest's `outbound` allowlist says where it may call), `directory` needs `directory`.
 */
export const coreServices = Object.freeze({
  logger: createServiceRef<Logger>({ id: 'core.logger' }),
  config: createServiceRef<PluginConfigReader>({ id: 'core.config' }),
  http: createServiceRef<HttpRouter>({ id: 'core.http' }),
  db: createServiceRef<PluginDatabase>({ id: 'core.db' }),
  events: createServiceRef<EventBus>({ id: 'core.events' }),
  jobs: createServiceRef<JobQueue>({ id: 'core.jobs' }),
  context: createServiceRef<RequestContextService>({ id: 'core.context' }),
  audit: createServiceRef<AuditLog>({ id: 'core.audit' }),
  metadata: createServiceRef<PluginMetadata>({ id: 'core.metadata' }),
  outbound: createServiceRef<OutboundHttp>({ id: 'core.outbound' }),
  metrics: createServiceRef<PluginMetrics>({ id: 'core.metrics' }),
  directory: createServiceRef<TenantDirectory>({ id: 'core.directory' }),
  secrets: createServiceRef<PluginSecrets>({ id: 'core.secrets' }),
  plugins: createServiceRef<TenantPlugins>({ id: 'core.plugins' }),
  branding: createServiceRef<TenantBrandingService>({ id: 'core.branding' }),
});
