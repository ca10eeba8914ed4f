import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { canonicalOrigin, parsePrivateAllowance, trustedProxyProblem, type PrivateAllowance, type TenantLabelPolicy } from '@valueverse/kernel';
import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';

/** pino's levels (plus `silent`), listed here so the host does not import pino just to validate a string. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevel = (typeof logLevels)[number];

/** The validated environment of a host process (ARCHITECTURE.md, "Configuration"). */
export interface HostConfig {
  /** `PORT`, 1-65535; default 3000. */
  readonly port: number;
  /**
   * `VV_WORKER_METRICS_PORT`, 1-65535: where `valueverse worker` serves `/metrics`, `/health/live` and
   * `/health/ready` (on `HOST`), so that the retries and job metrics of worker processes are scraped too; unset, a
   * worker listens on nothing. The web host ignores it.
   */
  readonly workerMetricsPort?: number;
  /** `HOST`, an IP address or host name; default 127.0.0.1. */
  readonly host: string;
  /** `DATABASE_URL` (postgres:// or postgresql://); undefined → embedded PGlite in `dataDir`. */
  readonly databaseUrl?: string;
  /** `REDIS_URL` (redis:// or rediss://); undefined → in-process bus and queue. */
  readonly redisUrl?: string;
  /** `VV_REDIS_PREFIX`: event channel `<prefix>:events` and job-queue keys, one per deployment; default `vv`. */
  readonly redisPrefix: string;
  /** `VV_WORKERS` (`on`|`off`): whether `start` also runs job workers when `REDIS_URL` is set; default on. */
  readonly workers: boolean;
  /** `VV_PGLITE_TEMPLATE` (`on`|`off`): whether a new embedded database is unpacked from the stored initdb template; default on. */
  readonly pgliteTemplate: boolean;
  /** `VV_DATA_DIR`, absolute; default `./data` of the working directory. */
  readonly dataDir: string;
  /** `VV_ENCRYPTION_KEY`, base64 of 32 bytes, or a comma-separated list of them newest first (rotation); undefined → generated into `dataDir` with a warning. */
  readonly encryptionKey?: string;
  /** `VV_ADMIN_EMAIL`; default admin@example.com. */
  readonly adminEmail: string;
  /** `VV_ADMIN_PASSWORD`, at least 12 characters; undefined → generated and printed once. */
  readonly adminPassword?: string;
  /** `VV_PLUGINS_DIR`, absolute; default the repository's `plugins/`. */
  readonly pluginsDir: string;
  /** `LOG_LEVEL`; default info. */
  readonly logLevel: LogLevel;
  /** `VV_CORS_ORIGINS`: browser origins allowed cross-origin (comma list of `scheme://host[:port]`, or `*`); default none. */
  readonly corsOrigins: readonly string[];
  /** `VV_TRUSTED_PROXIES`: IP addresses and CIDR blocks whose `X-Forwarded-For` is believed; default none. */
  readonly trustedProxies: readonly string[];
  /** `VV_OUTBOUND_ALLOW_PRIVATE`: loopback/private destinations plugins may call (`true` or a list); default none. */
  readonly outboundAllowPrivate: PrivateAllowance;
  /** `VV_CACHE_SIZE`: entries each per-tenant/per-user cache of an instance holds at most, 100-10,000,000; default 10,000. */
  readonly cacheSize: number;
  /** `VV_ALLOW_UNSIGNED_PLUGINS` (`true`|`false`): unsigned packages install, marked "unsigned"; default false. */
  readonly allowUnsignedPlugins: boolean;
  /** `VV_PLUGIN_RETENTION_DAYS`: days an uninstalled plugin's data is kept before it is purged, 0-3650; default 30. */
  readonly pluginRetentionDays: number;
  /** `VV_PLUGIN_PURGE_INTERVAL_SECONDS`: how often the purge job runs, 1-86400; default 3600. */
  readonly pluginPurgeIntervalSeconds: number;
  /** `VV_MARKETPLACE_URL`: the registry installs come from (`…/api/v1/marketplace`); default the host's own registry. */
  readonly marketplaceUrl?: string;
  /**
   * `VV_METRICS_TENANTS`: tenants with a label of their own on the per-tenant request metrics: `off` (default),
   * `first:<n>` (the first n tenants seen, 1-1000) or a comma list of tenant ids; every other tenant is "other".
   */
  readonly metricsTenants: TenantLabelPolicy;
  /**
   * `VV_SIGNING_KEY_ROTATION_DAYS`: rotate the JWT signing key every this many days (old keys keep verifying until
   * their last token expired); unset: on demand only (`POST /api/v1/admin/keys/signing/rotate`).
   */
  readonly signingKeyRotationDays?: number;
  /** `VV_PLATFORM_METERING_TENANT`: the operator's tenant that receives `platform.usage` events (docs/billing.md); default none (no metering). */
  readonly platformMeteringTenant?: string;
}

/** The repository root, from host/src/config (or host/dist/config once built): three levels up either way. */
const repoRoot = resolve(__dirname, '../../..');

const MIN_PASSWORD_LENGTH = 12;
const KEY_BYTES = 32;
// ajv-formats' "fast" email format: permissive enough for admin@localhost, strict enough to catch a typo.
const emailPattern = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const hostnamePattern = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function hasScheme(value: string, schemes: readonly string[]): boolean {
  try {
    return schemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * Reads and validates the host's environment variables, reporting every bad one at once.
 *
 * An empty variable counts as unset (compose files and `.env` templates often write `NAME=`). Values that may hold
 * secrets (URLs with passwords, the key, the admin password) are never echoed in the error.
 *
 * @returns a frozen config with defaults applied and paths made absolute
 * @throws VvError `VV_CONFIG_INVALID` naming each bad variable (`errors[].pointer` is `/NAME`, `in: 'env'`)
 */
export function loadEnvConfig(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const problems: FieldProblem[] = [];
  const problem = (name: string, message: string): void => {
    problems.push({ pointer: `/${name}`, in: 'env', message: `${name} ${message}` });
  };
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };

  let port = 3000;
  const rawPort = read('PORT');
  if (rawPort !== undefined) {
    port = /^\d{1,5}$/.test(rawPort.trim()) ? Number(rawPort.trim()) : NaN;
    if (!(port >= 1 && port <= 65535)) problem('PORT', `must be an integer from 1 to 65535 (got "${rawPort}")`);
  }

  const host = read('HOST') ?? '127.0.0.1';
  if (isIP(host) === 0 && !hostnamePattern.test(host)) problem('HOST', `must be an IP address or a host name (got "${host}")`);

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !hasScheme(databaseUrl, ['postgres:', 'postgresql:'])) {
    problem('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }

  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined && !hasScheme(redisUrl, ['redis:', 'rediss:'])) problem('REDIS_URL', 'must be a redis:// or rediss:// URL');

  const redisPrefix = read('VV_REDIS_PREFIX')?.trim() ?? 'vv';
  // No ":" (BullMQ separates its key parts with it) and nothing a Redis glob would read as a pattern.
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(redisPrefix)) problem('VV_REDIS_PREFIX', `must be 1-64 letters, digits, "_", "." or "-" (got "${redisPrefix}")`);

  const rawTemplate = read('VV_PGLITE_TEMPLATE');
  const templateSetting = (rawTemplate ?? 'on').trim().toLowerCase();
  if (templateSetting !== 'on' && templateSetting !== 'off') problem('VV_PGLITE_TEMPLATE', `must be "on" or "off" (got "${rawTemplate}")`);
  const rawWorkers = read('VV_WORKERS');
  const workersSetting = (rawWorkers ?? 'on').trim().toLowerCase();
  if (workersSetting !== 'on' && workersSetting !== 'off') problem('VV_WORKERS', `must be "on" or "off" (got "${rawWorkers}")`);

  const encryptionKey = read('VV_ENCRYPTION_KEY')?.trim();
  // A comma-separated list during a key rotation, newest first: each entry is checked (named by position past the first).
  const keyList = encryptionKey?.split(',').map((k) => k.trim()) ?? [];
  keyList.forEach((key, i) => {
    const bytes = base64Pattern.test(key) ? Buffer.from(key, 'base64').length : -1;
    const which = keyList.length > 1 ? ` (key ${i + 1})` : '';
    if (bytes !== KEY_BYTES) {
      problem(
        'VV_ENCRYPTION_KEY',
        bytes < 0 ? `must be base64 of exactly ${KEY_BYTES} bytes${which} (it is not base64)` : `must be base64 of exactly ${KEY_BYTES} bytes${which} (it decodes to ${bytes})`,
      );
    }
  });

  const adminEmail = read('VV_ADMIN_EMAIL') ?? 'admin@example.com';
  if (!emailPattern.test(adminEmail)) problem('VV_ADMIN_EMAIL', `must be an email address (got "${adminEmail}")`);

  const adminPassword = read('VV_ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < MIN_PASSWORD_LENGTH) {
    problem('VV_ADMIN_PASSWORD', `must be at least ${MIN_PASSWORD_LENGTH} characters (it has ${adminPassword.length})`);
  }

  const rawLevel = read('LOG_LEVEL');
  const logLevel = (rawLevel ?? 'info').trim().toLowerCase() as LogLevel;
  if (!logLevels.includes(logLevel)) problem('LOG_LEVEL', `must be one of ${logLevels.join(', ')} (got "${rawLevel}")`);

  const rawCors = read('VV_CORS_ORIGINS');
  const corsOrigins = (rawCors ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of corsOrigins) {
    if (entry !== '*' && canonicalOrigin(entry) !== entry) {
      const canonical = canonicalOrigin(entry);
      problem('VV_CORS_ORIGINS', `entries must be origins like https://app.example.com, or "*" (got "${entry}"${canonical ? `; did you mean "${canonical}"?` : ''})`);
    }
  }
  if (corsOrigins.includes('*') && corsOrigins.length > 1) problem('VV_CORS_ORIGINS', 'is "*" (any origin, without credentials) or a list of origins, not both');
  const trustedProxies = (read('VV_TRUSTED_PROXIES') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const proxyProblems = trustedProxies.map(trustedProxyProblem).filter((p): p is string => p !== undefined);
  if (proxyProblems.length > 0) problem('VV_TRUSTED_PROXIES', `must be a comma-separated list of IP addresses or CIDR blocks (${proxyProblems.join('; ')})`);
  let cacheSize = 10_000;
  const rawCacheSize = read('VV_CACHE_SIZE');
  if (rawCacheSize !== undefined) {
    cacheSize = /^\d{1,8}$/.test(rawCacheSize.trim()) ? Number(rawCacheSize.trim()) : NaN;
    if (!(cacheSize >= 100 && cacheSize <= 10_000_000)) problem('VV_CACHE_SIZE', `must be an integer from 100 to 10000000 (got "${rawCacheSize}")`);
  }
  const rawUnsigned = read('VV_ALLOW_UNSIGNED_PLUGINS')?.trim().toLowerCase();
  if (rawUnsigned !== undefined && rawUnsigned !== 'true' && rawUnsigned !== 'false') problem('VV_ALLOW_UNSIGNED_PLUGINS', `must be "true" or "false" (got "${rawUnsigned}")`);
  const rawRetention = read('VV_PLUGIN_RETENTION_DAYS');
  const pluginRetentionDays = rawRetention === undefined ? 30 : /^\d{1,4}(\.\d+)?$/.test(rawRetention.trim()) ? Number(rawRetention.trim()) : NaN;
  if (!(pluginRetentionDays >= 0 && pluginRetentionDays <= 3650)) problem('VV_PLUGIN_RETENTION_DAYS', `must be a number of days from 0 to 3650 (got "${rawRetention}")`);
  const rawPurgeInterval = read('VV_PLUGIN_PURGE_INTERVAL_SECONDS');
  const pluginPurgeIntervalSeconds = rawPurgeInterval === undefined ? 3600 : /^\d{1,5}$/.test(rawPurgeInterval.trim()) ? Number(rawPurgeInterval.trim()) : NaN;
  if (!(pluginPurgeIntervalSeconds >= 1 && pluginPurgeIntervalSeconds <= 86_400))
    problem('VV_PLUGIN_PURGE_INTERVAL_SECONDS', `must be an integer number of seconds from 1 to 86400 (got "${rawPurgeInterval}")`);
  const rawRotation = read('VV_SIGNING_KEY_ROTATION_DAYS')?.trim() || undefined;
  const signingKeyRotationDays = rawRotation === undefined ? undefined : /^\d{1,4}(\.\d+)?$/.test(rawRotation) ? Number(rawRotation) : NaN;
  if (signingKeyRotationDays !== undefined && !(signingKeyRotationDays >= 1 && signingKeyRotationDays <= 3650))
    problem('VV_SIGNING_KEY_ROTATION_DAYS', `must be a number of days from 1 to 3650 (got "${rawRotation}")`);
  const platformMeteringTenant = read('VV_PLATFORM_METERING_TENANT')?.trim() || undefined;
  if (platformMeteringTenant !== undefined && !/^[a-z0-9][a-z0-9-]{1,62}$/.test(platformMeteringTenant))
    problem('VV_PLATFORM_METERING_TENANT', `must be a tenant id (lower-case letters, digits and dashes; got "${platformMeteringTenant}")`);
  const marketplaceUrl = read('VV_MARKETPLACE_URL')?.trim() || undefined;
  if (marketplaceUrl !== undefined && !hasScheme(marketplaceUrl, ['http:', 'https:'])) problem('VV_MARKETPLACE_URL', `must be an http(s) URL (got "${marketplaceUrl}")`);
  const rawMetricsTenants = read('VV_METRICS_TENANTS')?.trim();
  let metricsTenants: TenantLabelPolicy = { mode: 'off' };
  if (rawMetricsTenants !== undefined && rawMetricsTenants !== '' && rawMetricsTenants !== 'off') {
    const first = /^first:(\d{1,4})$/.exec(rawMetricsTenants);
    const tenants = rawMetricsTenants.split(',').map((t) => t.trim());
    if (first && Number(first[1]) >= 1 && Number(first[1]) <= 1000) metricsTenants = { mode: 'first', max: Number(first[1]) };
    else if (!first && tenants.every((t) => /^[a-z0-9][a-z0-9-]{0,62}$/.test(t))) metricsTenants = { mode: 'list', tenants };
    else problem('VV_METRICS_TENANTS', `must be "off", "first:<1-1000>" or a comma-separated list of tenant ids (got "${rawMetricsTenants}")`);
  }
  const rawWorkerMetricsPort = read('VV_WORKER_METRICS_PORT')?.trim();
  let workerMetricsPort: number | undefined;
  if (rawWorkerMetricsPort !== undefined && rawWorkerMetricsPort !== '') {
    workerMetricsPort = /^\d{1,5}$/.test(rawWorkerMetricsPort) ? Number(rawWorkerMetricsPort) : NaN;
    if (!(workerMetricsPort >= 1 && workerMetricsPort <= 65535)) problem('VV_WORKER_METRICS_PORT', `must be an integer from 1 to 65535 (got "${rawWorkerMetricsPort}")`);
  }
  const outbound = parsePrivateAllowance(read('VV_OUTBOUND_ALLOW_PRIVATE'));
  for (const message of outbound.problems) problem('VV_OUTBOUND_ALLOW_PRIVATE', message);

  if (problems.length > 0) {
    throw new VvError('VV_CONFIG_INVALID', {
      params: { subject: 'environment', problems: problems.map((p) => p.message).join('; ') },
      errors: problems,
    });
  }

  return Object.freeze({
    port,
    ...(workerMetricsPort !== undefined ? { workerMetricsPort } : {}),
    host,
    databaseUrl,
    redisUrl,
    redisPrefix,
    workers: workersSetting !== 'off',
    pgliteTemplate: templateSetting !== 'off',
    // Relative paths mean "from where the host was started", as for any command-line tool.
    dataDir: resolve(read('VV_DATA_DIR') ?? './data'),
    encryptionKey,
    adminEmail,
    adminPassword,
    pluginsDir: resolve(read('VV_PLUGINS_DIR') ?? resolve(repoRoot, 'plugins')),
    logLevel,
    corsOrigins: Object.freeze([...new Set(corsOrigins)]),
    trustedProxies: Object.freeze(trustedProxies),
    outboundAllowPrivate: outbound.allowance,
    cacheSize,
    allowUnsignedPlugins: rawUnsigned === 'true',
    pluginRetentionDays,
    pluginPurgeIntervalSeconds,
    signingKeyRotationDays,
    marketplaceUrl,
    metricsTenants,
    platformMeteringTenant,
  });
}
