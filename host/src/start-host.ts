import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  PasswordHasher,
  PostgresKernelStore,
  SecretBox,
  TokenService,
  createKernel,
  createKernelLogger,
  openDatabase,
  type Kernel,
} from '@valueverse/kernel';
import type { HostConfig } from './config/env-config';
import { seedFirstBoot } from './seed-first-boot';

export interface RunningHost {
  readonly kernel: Kernel;
  readonly url: string;
  stop(): Promise<void>;
}

/** Loads the JWT signing key from the data dir, creating it on first boot (mode 0600). */
async function loadSigningKey(dataDir: string): Promise<Record<string, unknown>> {
  const file = join(dataDir, 'jwt-signing-key.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    const jwk = await TokenService.generatePrivateJwk();
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600 });
    return jwk as Record<string, unknown>;
  }
}

/**
 * Boots the product: embedded PGlite in VV_DATA_DIR unless DATABASE_URL names a server, the kernel with every
 * plugin under VV_PLUGINS_DIR, first-boot seeding, and the HTTP listener.
 */
export async function startHost(config: HostConfig, options: { preferSource?: boolean } = {}): Promise<RunningHost> {
  const logger = createKernelLogger({ level: config.logLevel });
  await mkdir(config.dataDir, { recursive: true });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger });
  const store = new PostgresKernelStore(database);
  await store.init();
  const secrets = new SecretBox(await SecretBox.loadOrCreateKey(config.dataDir, config.encryptionKey, logger));
  const tokens = await TokenService.create({ privateJwk: await loadSigningKey(config.dataDir) });
  const kernel = await createKernel({
    store,
    secrets,
    tokens,
    database,
    logger,
    pluginDirs: [config.pluginsDir],
    preferSource: options.preferSource,
    passwordHasher: new PasswordHasher(),
    defaultMetrics: true,
  });
  const seeded = await seedFirstBoot(kernel, { adminEmail: config.adminEmail, adminPassword: config.adminPassword ?? randomBytes(12).toString('base64url') });
  const server = await kernel.listen(config.port, config.host);
  const address = server.address() as { port: number };
  const url = `http://${config.host}:${address.port}`;
  const running = kernel.plugins().filter((p) => p.state === 'running').length;
  logger.info({ url, backend: database.kind, plugins: kernel.plugins().map((p) => ({ id: p.id, state: p.state })) }, `ValueVerse listening on ${url}`);
  const lines = [
    '',
    `  ValueVerse is running at ${url}  (${database.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL server'}; ${running}/${kernel.plugins().length} plugins running)`,
    `  Health: ${url}/health/ready    API: ${url}/api/openapi.json`,
    seeded
      ? `  First boot: sign in as ${seeded.email} with password ${seeded.password}  (shown once; tenant "${seeded.tenantId}")`
      : `  Sign in: POST ${url}/api/v1/auth/login {"email","password"}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
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
