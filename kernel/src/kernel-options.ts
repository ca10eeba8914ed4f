import type { Server } from 'node:http';
import type Koa from 'koa';
import type { AuditStore } from './audit/audit-store';
import type { Database } from './data/database-api';
import type { EventTransport } from './events/event-transport';
import type { InProcessEventBus } from './events/in-process-event-bus';
import type { ReplayLimits } from './events/event-replay-buffer';
import type { KernelMount } from './http/kernel-mount';
import type { HttpRouteInfo } from './http/kernel-route-table';
import type { RegisteredRoute } from './http/plugin-router';
import type { IdempotencyPolicy } from './idempotency/idempotency-guard';
import type { IdempotencyStore } from './idempotency/idempotency-store';
import type { AttemptStore } from './identity/attempt-store';
import type { AttemptPolicy } from './identity/attempt-throttle';
import type { IdentityStore } from './identity/identity-store';
import type { InvitationStore } from './identity/invitation-store';
import type { PasswordHasher } from './identity/password-hasher';
import type { TokenService } from './identity/token-service';
import type { KernelJobQueue } from './jobs/kernel-job-queue';
import type { LifecycleTimeouts } from './lifecycle/plugin-lifecycle';
import type { InlinePlugin } from './manifest/load-plugins';
import type { PluginRecord } from './lifecycle/plugin-state';
import type { RateLimiter, RateLimitPolicy } from './limits/rate-limiter';
import type { PlatformMeter, PlatformMeterOptions } from './metering/platform-meter';
import type { KernelLogger } from './observability/kernel-logger';
import type { KernelMetrics, TenantLabelPolicy } from './observability/kernel-metrics';
import type { ReadinessCheck } from './observability/readiness';
import type { OutboundOptions } from './outbound/outbound-service';
import type { ChangeFeed } from './plugin-sets/change-feed';
import type { ConfigSecrets } from './plugin-sets/plugin-catalog';
import type { PluginSetService } from './plugin-sets/plugin-set-service';
import type { KernelStore } from './tenancy/kernel-store';
import type { InstallService } from './installs/install-service';
import type { InstallStore } from './installs/install-store';
import type { SandboxBudgets } from './sandbox/plugin-sandbox';
import type { PackageCodec } from './installs/package-codec';
import type { PackageSource } from './installs/package-source';
import type { DataLifecycle } from './privacy/data-lifecycle';

// What `createKernel` (kernel.ts) takes and returns.

export type { InlinePlugin };

/** The kernel API version plugins declare in their manifest `kernel` range. */
export const KERNEL_VERSION = '1.0.0';

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
  /** Which tenants get a label of their own on the per-tenant request metrics (`VV_METRICS_TENANTS`); default none. */
  readonly metricsTenantLabel?: TenantLabelPolicy;
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
  /** Installs at run time, desired state shared by every instance (PostgreSQL: `PostgresInstallStore`; default: in memory). */
  readonly installStore?: InstallStore;
  /** The marketplace registry installs come from (`VV_MARKETPLACE_URL`); none: only uploaded packages install. */
  readonly packageSource?: PackageSource;
  /** Verifies and unpacks packages (default: `@valueverse/plugin-sdk/package`). */
  readonly packageCodec?: PackageCodec;
  /** Where packages unpack, `<id>/<version>` below it (`VV_DATA_DIR/plugins`; default: a folder in the OS temp dir). */
  readonly installDir?: string;
  /** `VV_ALLOW_UNSIGNED_PLUGINS`: unsigned packages install, marked `unsigned` (default false). */
  readonly allowUnsignedPlugins?: boolean;
  /** Budgets of sandboxed plugins: defaults for all, and per plugin id (see `SandboxBudgets`). */
  readonly sandbox?: { readonly budgets?: Partial<SandboxBudgets>; readonly plugins?: Readonly<Record<string, Partial<SandboxBudgets>>> };
  /** How long an uninstalled plugin's data is kept (`VV_PLUGIN_RETENTION_DAYS`, default 30 days). */
  readonly installRetentionMs?: number;
  /** How often the purge job drops the data of uninstalled plugins whose retention ended (`VV_PLUGIN_PURGE_INTERVAL_SECONDS`, default 1 hour). */
  readonly installPurgeEveryMs?: number;
  /** This instance's name in per-instance install states (default: a random id). */
  readonly instanceId?: string;
  /**
   * Platform metering: the kernel counts API requests, AI tokens and Monte Carlo trials per tenant in memory and
   * publishes them every `flushEveryMs` (default 60 s) as `platform.usage` events in the operator's tenant
   * `tenantId`, where the billing plugin meters them (`VV_PLATFORM_METERING_TENANT`). Default: off.
   */
  readonly platformMetering?: PlatformMeterOptions;
  /** How long a tenant export's archive can be downloaded (default 24 hours). */
  readonly exportTtlMs?: number;
  /** How long a deleted tenant's data is kept before every plugin's `purge` (`VV_TENANT_RETENTION_DAYS`, default 30 days). */
  readonly tenantRetentionMs?: number;
  /** How often the retention job enforces retention policies and purges deleted tenants (default 1 hour). */
  readonly retentionEveryMs?: number;
  /**
   * Key rotation on a shared database (the host turns it on): every instance reloads the signing key ring every
   * `refreshMs` (default 10 s); a new signing key signs `propagationMs` after it was added (default 3 reloads);
   * `signingKeyRotationMs` rotates on a schedule (default: on demand only). Several `VV_ENCRYPTION_KEY`s start the
   * re-seal job at boot.
   */
  readonly keyRotation?: { readonly refreshMs?: number; readonly propagationMs?: number; readonly signingKeyRotationMs?: number };
  /** Apps the host serves under a path prefix, e.g. the marketplace registry at `/api/v1/marketplace` (kernel-mount.ts). */
  readonly mounts?: readonly KernelMount[];
}

export interface Kernel {
  readonly version: string;
  readonly logger: KernelLogger;
  readonly store: KernelStore;
  readonly tokens: TokenService;
  readonly passwords: PasswordHasher;
  readonly pluginSets: PluginSetService;
  readonly events: InProcessEventBus;
  /** Platform metering (`KernelOptions.platformMetering`), when on: flush it to publish the counts now. */
  readonly platformMeter?: PlatformMeter;
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
  /** Installs at run time: install, upgrade, roll back, uninstall, reconcile, purge. */
  readonly installs: InstallService;
  /** Tenant exports and imports, erasure of people, retention policies, the purge of deleted tenants. */
  readonly dataLifecycle: DataLifecycle;
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
