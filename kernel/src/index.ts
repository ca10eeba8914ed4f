export { createKernel, KERNEL_VERSION, type Kernel, type KernelOptions, type InlinePlugin } from './kernel';
export { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency/idempotency-store';
export type { IdempotencyPolicy } from './idempotency/idempotency-guard';
/** Re-exported for existing callers: the validator lives in the SDK so packaging tools and the kernel share it. */
export { validateManifest } from '@valueverse/plugin-sdk';
export type { PluginRecord, PluginState } from './lifecycle/plugin-state';
export type { RegisteredRoute } from './http/plugin-router';
export type { Database } from './data/database-api';
export type { KernelStore, TenantQuery, TenantRecord, TenantPluginRecord, UserRecord, UserProfile, MembershipRecord } from './tenancy/kernel-store';
export { MemoryKernelStore } from './tenancy/memory-kernel-store';
export { SecretBox } from './tenancy/secret-box';
export { LocalDataKeyProvider, type DataKeyProvider } from './keys/data-key-provider';
export { TokenService } from './identity/token-service';
export { PasswordHasher } from './identity/password-hasher';
export { createKernelLogger, type KernelLogger } from './observability/kernel-logger';
export type { ChangeFeed } from './plugin-sets/change-feed';
export type { EventTransport } from './events/event-transport';
export type { ReplayLimits } from './events/event-replay-buffer';
export type { KernelJobQueue, DeadJob, DeadJobPage, DeadJobQuery } from './jobs/kernel-job-queue';
export { MemoryIdentityStore, type IdentityStore } from './identity/identity-store';
export { MemoryAuditStore, type AuditStore, type AuditRecord } from './audit/audit-store';
export { hotp, verifyTotp, base32Decode } from './identity/totp';
export { pluginSchemaOf, pluginRoleOf, installPluginDataModel, revertPluginDataModel } from './data/plugin-database';
export { MemoryRateLimiter, type RateLimiter } from './limits/rate-limiter';
export type { HttpRouteInfo, KernelRouteAccess } from './http/kernel-route-table';
export type { KernelMount, MountCaller } from './http/kernel-mount';
export type { Principal } from './http/request-state';
export { toVvError, writeProblem, type ProblemBody } from './http/problem-response';
export { canonicalOrigin } from './http/cors-policy';
export { MemoryAttemptStore, type AttemptStore, type AttemptRule } from './identity/attempt-store';
export { DEFAULT_ATTEMPT_POLICY, type AttemptPolicy, type LockoutNotice } from './identity/attempt-throttle';
export { trustedProxyProblem } from './http/trusted-proxies';
export { parsePrivateAllowance, type PrivateAllowance, type PrivateAllowanceEntry } from './outbound/private-allowance';
export type { OutboundOptions } from './outbound/outbound-service';
export type { HostResolver } from './outbound/pinned-http-client';
export type { ReadinessCheck } from './observability/readiness';
export type { JobQueueStats, TenantLabelPolicy } from './observability/kernel-metrics';
export { isConnectionFailure } from './data/connection-failure';
export { MemoryInvitationStore, type InvitationStore, type InvitationRecord } from './identity/invitation-store';
export { INVITATION_EVENT, INVITATION_ACCEPT_PATH, type InvitationEventPayload, type PublicInvitation } from './identity/invitation-service';
export { MemoryInstallStore } from './installs/memory-install-store';
export type { InstallStore, InstallRecord, InstanceInstallState, StoredPackage, TrustedKeyRecord, TrustLevel, InstallTrust } from './installs/install-store';
export type { PackageSource, CatalogEntry, PackageDetails, PackageVersionInfo } from './installs/package-source';
export type { PackageCodec, VerifiedPackage, TrustedKey } from './installs/package-codec';
export { InstallService, INSTALLS_CHANGED, DEFAULT_INSTALL_RETENTION_MS, type InstallView, type InstallRequest } from './installs/install-service';
export {
  PLATFORM_USAGE_EVENT,
  CALCULATION_TRIALS_EVENT,
  type PlatformMeter,
  type PlatformMeterOptions,
  type PlatformUsage,
  type PlatformUsageEntry,
} from './metering/platform-meter';
export { loadSandboxedPlugin, defaultSandboxBudgets, type SandboxBudgets, type SandboxStatus, type SandboxState } from './sandbox/plugin-sandbox';
