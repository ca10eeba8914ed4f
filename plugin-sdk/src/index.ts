export { errorCatalog, isErrorCode, type ErrorCode, type ErrorCatalogEntry } from './errors/error-catalog';
export { VvError, isVvError, type FieldProblem, type VvErrorOptions } from './errors/vv-error';
export { pluginManifestSchema, type PluginManifest, type PluginNavEntry, type PluginConfigSchema } from './manifest/plugin-manifest';
export { validateManifest } from './manifest/validate-manifest';
export {
  createServiceRef,
  optionalRef,
  isServiceRef,
  isMultiServiceRef,
  isOptionalServiceRef,
  type ServiceRef,
  type MultiServiceRef,
  type OptionalServiceRef,
} from './services/create-service-ref';
export type { ServiceProvider, ServiceProviders } from './services/service-providers';
export { aiChatRef, AI_USAGE_EVENT, type AiChatProvider, type AiStructuredOutput, type AiUsage } from './services/ai-chat';
export { sharedServiceRefs } from './services/shared-service-refs';
export { coreServices } from './services/core-services';
export type {
  Logger,
  PluginConfigReader,
  RequestContext,
  RequestContextService,
  EventEnvelope,
  EventBus,
  JobContext,
  JobOptions,
  JobSchedule,
  PeriodJobSchedule,
  CronJobSchedule,
  JobQueue,
  SqlTransaction,
  PluginDatabase,
  PluginDataModel,
  PluginMigration,
  AuditEntry,
  AuditLog,
  PluginMetadata,
  OutboundHttp,
  OutboundRequestInit,
  PluginMetrics,
  TenantPlugins,
  BusinessCounter,
  DirectoryMember,
  TenantDirectory,
  PluginSecrets,
  TenantBrandingService,
} from './services/core-service-types';
export {
  roles,
  respond,
  isHttpResponse,
  type Role,
  type HttpMethod,
  type JsonSchema,
  type TenantContext,
  type TenantBranding,
  type TenantLogo,
  type UserContext,
  type PluginRequest,
  type PublicPluginRequest,
  type HttpResponse,
  type RouteDefinition,
  type AuthenticatedRouteDefinition,
  type PublicRouteDefinition,
  type HttpRouter,
} from './http/http-router';
export {
  definePlugin,
  isVvPlugin,
  type DependencyRefs,
  type ResolvedDependency,
  type ResolvedDependencies,
  type PluginRegistrar,
  type PluginDefinition,
  type VvPlugin,
} from './plugin/define-plugin';
export { encodeCursor, decodeCursor, type CursorElement, type Page } from './http/page-cursor';
export type { PluginPrivacy, PrivacySubject, PrivacyTables, PrivacyReport } from './privacy/plugin-privacy';
export { tablePrivacy, type PrivacyTable } from './privacy/table-privacy';
export { servePresence, type Presence, type PresenceDeps, type PresenceOptions } from './presence/serve-presence';
export type { PresenceActivity, PresenceEntry, PresenceAnnouncement, PresenceLimits } from './presence/presence-board';
