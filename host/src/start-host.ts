import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { getCompileCacheDir } from 'node:module';
import { randomBytes } from 'node:crypto';
import {
  LocalDataKeyProvider,
  PasswordHasher,
  SecretBox,
  TokenService,
  createKernel,
  createKernelLogger,
  MemoryRateLimiter,
  type DataKeyProvider,
  type Kernel,
} from '@valueverse/kernel';
import {
  PostgresKernelStore,
  loadOrCreateSigningKey,
  openDatabase,
  PostgresAuditStore,
  PostgresIdempotencyStore,
  PostgresIdentityStore,
  PostgresInvitationStore,
  PostgresInstallStore,
  createRedisAttemptStore,
} from '@valueverse/backend-defaults';
import type { HostConfig } from './config/env-config';
import type { PackageSource } from '@valueverse/kernel';
import { checkPluginsDir } from './config/check-plugins-dir';
import { marketplaceMount } from './mount-marketplace';
import { registryPackageSource } from './registry-package-source';
import { createRedisBackends } from './redis-backends';
import { seedFirstBoot } from './seed-first-boot';
import { attachStaticUi } from './static-ui';

export interface RunningHost {
  readonly kernel: Kernel;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Boots the product: embedded PGlite in VV_DATA_DIR unless DATABASE_URL names a server, the kernel with every
 * plugin under VV_PLUGINS_DIR, first-boot seeding, and the HTTP listener.
 */
export async function startHost(
  config: HostConfig,
  options: {
    preferSource?: boolean;
    quiet?: boolean;
    /** `host worker` (see start-worker.ts): job workers on whatever VV_WORKERS says, no seeding, no HTTP listener. */
    workerOnly?: boolean;
    /** Where `POST /api/v1/admin/installs {pluginId, version}` downloads packages (the marketplace registry). */
    packageSource?: PackageSource;
    /** How often this instance reloads the signing key ring, and how long a new key waits before it signs (tests shorten them). */
    keyRefreshMs?: number;
    keyPropagationMs?: number;
    /** Where the keys sealing secrets come from (default: `VV_ENCRYPTION_KEY`, see `LocalDataKeyProvider`); a KMS or Vault transit provider plugs in here. */
    keyProvider?: DataKeyProvider;
  } = {},
): Promise<RunningHost> {
  await checkPluginsDir(config.pluginsDir);
  const logger = createKernelLogger({ level: config.logLevel });
  // Names the runtime that actually booted (issue #12): the repository pins Node 24 (docs/stack.md "Runtime"), and a
  // start that fell back to another Node shows here first.
  logger.info({ runtime: process.version, execPath: process.execPath, compileCache: getCompileCacheDir() ?? 'off' }, `runtime: node ${process.version}`);
  await mkdir(config.dataDir, { recursive: true });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, pgliteTemplate: config.pgliteTemplate, logger });
  const store = new PostgresKernelStore(database);
  await store.init();
  if (config.databaseUrl && !config.encryptionKey) {
    logger.warn('DATABASE_URL is set without VV_ENCRYPTION_KEY: every instance sharing this database needs the same key to read secrets and tokens');
  }
  const keyProvider: DataKeyProvider = options.keyProvider ?? new LocalDataKeyProvider(config.dataDir, config.encryptionKey, logger);
  const secrets = new SecretBox(await keyProvider.dataKeys());
  const tokens = await TokenService.create({ privateJwk: await loadOrCreateSigningKey(database, secrets) });
  // The local marketplace registry at /api/v1/marketplace (a worker serves no HTTP, so it has none).
  const marketplace = options.workerOnly ? undefined : await marketplaceMount(database);
  // Set once the host listens: installs download from the host's own registry unless VV_MARKETPLACE_URL names another.
  const own: { url?: string } = {};
  const kernel = await createKernel({
    store,
    secrets,
    tokens,
    database,
    identityStore: new PostgresIdentityStore(database),
    auditStore: new PostgresAuditStore(database),
    idempotencyStore: new PostgresIdempotencyStore(database),
    invitationStore: new PostgresInvitationStore(database),
    // Installs at run time: desired state in the database, packages unpacked below VV_DATA_DIR/plugins.
    installStore: new PostgresInstallStore(database),
    installDir: join(config.dataDir, 'plugins'),
    allowUnsignedPlugins: config.allowUnsignedPlugins,
    installRetentionMs: config.pluginRetentionDays * 86_400_000,
    installPurgeEveryMs: config.pluginPurgeIntervalSeconds * 1000,
    instanceId: `${options.workerOnly ? 'worker' : 'host'}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    packageSource: options.packageSource ?? (config.marketplaceUrl || !options.workerOnly ? registryPackageSource(config.marketplaceUrl, () => own.url) : undefined),
    logger,
    pluginDirs: [config.pluginsDir],
    preferSource: options.preferSource,
    passwordHasher: new PasswordHasher(),
    defaultMetrics: true,
    corsOrigins: config.corsOrigins,
    outbound: { allowPrivate: config.outboundAllowPrivate },
    // Failed sign-in counts shared by every instance (Redis), else in this process.
    signInProtection: { store: config.redisUrl ? createRedisAttemptStore(config.redisUrl, logger, config.redisPrefix) : undefined },
    trustedProxies: config.trustedProxies,
    platformMetering: config.platformMeteringTenant ? { tenantId: config.platformMeteringTenant } : undefined,
    cacheSize: config.cacheSize,
    metricsTenantLabel: config.metricsTenants,
    mounts: marketplace ? [marketplace] : [],
    keyRotation: {
      refreshMs: options.keyRefreshMs,
      propagationMs: options.keyPropagationMs,
      signingKeyRotationMs: config.signingKeyRotationDays === undefined ? undefined : config.signingKeyRotationDays * 86_400_000,
    },
    ...(config.redisUrl
      ? createRedisBackends({ ...config, redisUrl: config.redisUrl }, logger, { workers: options.workerOnly === true || config.workers })
      : { rateLimiter: new MemoryRateLimiter() }),
  });
  if (options.workerOnly) {
    return {
      kernel,
      url: '',
      stop: async () => {
        await kernel.close({ drainMs: 0 });
        await store.close();
        await database.close();
      },
    };
  }
  // The password is printed only when it was generated here: one the operator chose is a secret that does not
  // belong in a terminal scroll-back or a container log (issue #10, finding 8).
  const generatedPassword = config.adminPassword === undefined ? randomBytes(12).toString('base64url') : undefined;
  const seeded = await seedFirstBoot(kernel, { adminEmail: config.adminEmail, adminPassword: config.adminPassword ?? generatedPassword! });
  const server = await kernel.listen(config.port, config.host);
  attachStaticUi(server, { plugins: () => kernel.plugins(), logger });
  const address = server.address() as { port: number };
  const url = `http://${config.host}:${address.port}`;
  own.url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '[::1]' : config.host}:${address.port}`;
  const running = kernel.plugins().filter((p) => p.state === 'running').length;
  logger.info({ url, runtime: process.version, backend: database.kind, plugins: kernel.plugins().map((p) => ({ id: p.id, state: p.state })) }, `ValueVerse listening on ${url}`);
  const lines = [
    '',
    `  ValueVerse is running at ${url}  (${database.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL server'}; ${running}/${kernel.plugins().length} plugins running)`,
    `  Health: ${url}/health/ready    API: ${url}/api/openapi.json    runtime: node ${process.version}`,
    !seeded
      ? `  Sign in: POST ${url}/api/v1/auth/login {"email","password"}`
      : generatedPassword
        ? `  First boot: sign in as ${seeded.email} with password ${generatedPassword}  (generated, shown once; tenant "${seeded.tenantId}")`
        : `  First boot: sign in as ${seeded.email} with the password set in VV_ADMIN_PASSWORD  (tenant "${seeded.tenantId}")`,
    '',
  ];
  if (!options.quiet) process.stdout.write(`${lines.join('\n')}\n`);
  return {
    kernel,
    url,
    stop: async () => {
      await kernel.close({ drainMs: 10_000 });
      await store.close();
      await database.close();
    },
  };
}
