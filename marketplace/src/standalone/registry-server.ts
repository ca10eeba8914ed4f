import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa, { type Context } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { VvError } from '@valueverse/plugin-sdk';
import { openDatabase } from '@valueverse/backend-defaults';
import { createKernelLogger, toVvError, writeProblem, type Database, type KernelLogger } from '@valueverse/kernel';
import type { SdkTarballs } from '../http/registry-routes';
import { createRegistry, type Registry } from '../registry/create-registry';
import { adminTokenCheck } from './admin-token-check';
import type { RegistryEnvConfig } from './registry-env-config';

export interface RunningRegistry {
  readonly url: string;
  /** The registry's R: `url` + `/api/v1/marketplace`. */
  readonly registryUrl: string;
  readonly registry: Registry;
  readonly database: Database;
  readonly server: Server;
  stop(): Promise<void>;
}

const JSON_LIMIT = '64kb';
const requestIdPattern = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * A standalone registry (`node marketplace/dist/cli.js serve`): its own database (PostgreSQL or embedded PGlite),
 * the registry API at `/api/v1/marketplace`, `/health/live` and `/health/ready`, errors as problem+json like the
 * host's. Many deployments point `VV_MARKETPLACE_URL` at it.
 */
export async function startRegistryServer(
  config: RegistryEnvConfig,
  options: { sdk?: SdkTarballs; logger?: KernelLogger; inMemoryDatabase?: boolean; quiet?: boolean } = {},
): Promise<RunningRegistry> {
  const logger = options.logger ?? createKernelLogger({ level: config.logLevel });
  if (!config.databaseUrl && !options.inMemoryDatabase) await mkdir(config.dataDir, { recursive: true });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, inMemory: options.inMemoryDatabase, logger });
  let registry: Registry;
  try {
    registry = await createRegistry({ database, sdk: options.sdk, publicUrl: config.publicUrl });
  } catch (error) {
    await database.close();
    throw error;
  }
  if (!config.adminToken) logger.warn('VV_MARKETPLACE_ADMIN_TOKEN is not set: nobody can create publishers on this registry');
  const requireAdmin = adminTokenCheck(config.adminToken);
  const app = new Koa();
  app.on('error', (error: Error) => logger.debug({ err: error }, 'error while writing a response'));
  const parseJson = bodyParser({
    enableTypes: ['json'],
    jsonLimit: JSON_LIMIT,
    onError: (error) => {
      const status = (error as { status?: number }).status;
      throw status === 413
        ? new VvError('VV_PAYLOAD_TOO_LARGE', { params: { limit: '64 KB' }, cause: error })
        : new VvError('VV_VALIDATION', { detail: 'Request body is not valid JSON', errors: [{ pointer: '', message: 'invalid JSON' }], cause: error });
    },
  });
  app.use(async (ctx: Context) => {
    const incoming = ctx.get('x-request-id');
    const requestId = requestIdPattern.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', requestId);
    try {
      if (ctx.path === '/health/live') {
        ctx.body = { status: 'ok' };
        return;
      }
      if (ctx.path === '/health/ready') {
        await database.execute('select 1');
        ctx.body = { status: 'ok', database: database.kind };
        return;
      }
      if (ctx.method === 'POST' || ctx.method === 'PUT' || ctx.method === 'PATCH') await parseJson(ctx, async () => undefined);
      await registry.handle(ctx, requireAdmin);
      if (ctx.status === 404 && ctx.body === undefined) throw new VvError('VV_NOT_FOUND', { params: { reason: `No route ${ctx.method} ${ctx.path}` } });
    } catch (error) {
      const vv = toVvError(error, requestId);
      if (vv.status >= 500) logger.error({ err: error, requestId, code: vv.code, path: ctx.path }, vv.message);
      writeProblem(ctx, vv, requestId);
    }
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host);
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  }).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const url = `http://${config.host}:${(server.address() as AddressInfo).port}`;
  const registryUrl = `${url}${registry.basePath}`;
  logger.info({ url: registryUrl, backend: database.kind }, `ValueVerse marketplace registry listening on ${registryUrl}`);
  if (!options.quiet)
    process.stdout.write(
      `\n  ValueVerse marketplace registry at ${registryUrl}  (${database.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL server'})\n\n`,
    );
  let stopping: Promise<void> | undefined;
  return {
    url,
    registryUrl,
    registry,
    database,
    server,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await database.close();
      })()),
  };
}
