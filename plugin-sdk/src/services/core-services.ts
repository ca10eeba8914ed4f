import type { HttpRouter } from '../http/http-router';
import { createServiceRef, type ServiceRef } from './create-service-ref';
import type {
  AuditLog,
  EventBus,
  JobQueue,
  Logger,
  OutboundHttp,
  PluginConfigReader,
  PluginDatabase,
  PluginMetadata,
  RequestContextService,
} from './core-service-types';

/**
 * The services the kernel provides to every plugin. Each is built per plugin (scope `plugin`): a plugin's logger
 * is named after it, its router only accepts its own prefixes, its database is its own schema.
 * Which ones a plugin may ask for is decided by its manifest: `db` needs permission `db`, `jobs` needs `jobs`,
 * `audit` needs `audit`, `events` needs an `events.*` permission, `http` needs `routes`, `outbound` needs
 * `http.outbound` (and the manifest's `outbound` allowlist says where it may call).
 */
export const coreServices = Object.freeze({
  logger: createServiceRef<Logger>({ id: 'core.logger', scope: 'plugin' }) as ServiceRef<Logger, 'plugin'>,
  config: createServiceRef<PluginConfigReader>({ id: 'core.config', scope: 'plugin' }) as ServiceRef<PluginConfigReader, 'plugin'>,
  http: createServiceRef<HttpRouter>({ id: 'core.http', scope: 'plugin' }) as ServiceRef<HttpRouter, 'plugin'>,
  db: createServiceRef<PluginDatabase>({ id: 'core.db', scope: 'plugin' }) as ServiceRef<PluginDatabase, 'plugin'>,
  events: createServiceRef<EventBus>({ id: 'core.events', scope: 'plugin' }) as ServiceRef<EventBus, 'plugin'>,
  jobs: createServiceRef<JobQueue>({ id: 'core.jobs', scope: 'plugin' }) as ServiceRef<JobQueue, 'plugin'>,
  context: createServiceRef<RequestContextService>({ id: 'core.context', scope: 'plugin' }) as ServiceRef<RequestContextService, 'plugin'>,
  audit: createServiceRef<AuditLog>({ id: 'core.audit', scope: 'plugin' }) as ServiceRef<AuditLog, 'plugin'>,
  metadata: createServiceRef<PluginMetadata>({ id: 'core.metadata', scope: 'plugin' }) as ServiceRef<PluginMetadata, 'plugin'>,
  outbound: createServiceRef<OutboundHttp>({ id: 'core.outbound', scope: 'plugin' }) as ServiceRef<OutboundHttp, 'plugin'>,
});
