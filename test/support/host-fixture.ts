import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvConfig, startHost, type HostConfig, type RunningHost } from '@valueverse/host';
import { openDatabase } from '@valueverse/backend-defaults';
import { postgresUrl, serverAvailabilitySync, servicesRequired, TEST_POSTGRES_URL } from './services';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** Boots a real host in-process on a free loopback port, plugins loaded from their TypeScript sources. */
export async function bootHost(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'vv-host-'))): Promise<RunningHost & { dataDir: string }> {
  const config: HostConfig = { ...loadEnvConfig({ VV_ADMIN_PASSWORD: ADMIN_PASSWORD, VV_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }), port: 0 };
  const host = await startHost(config, { preferSource: true, quiet: true });
  return Object.assign(host, { dataDir });
}

/** Signs in through the API and returns the bearer token. */
export async function signIn(url: string, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export interface SuiteHost extends RunningHost {
  readonly dataDir: string;
  /** True when it runs on a PostgreSQL database of its own, false on the embedded default. */
  readonly onPostgres: boolean;
  /** That database's URL (as the superuser, past row-level security), when on PostgreSQL. */
  readonly databaseUrl?: string;
  /** Stops the host, then drops its database and removes its data directory. */
  dispose(): Promise<void>;
}

/**
 * A host for an end-to-end or browser suite: on a PostgreSQL database of its own (`<prefix>_<random>`, created
 * through the `test` database) when the server answers, else on the embedded default; with
 * `VV_REQUIRE_SERVICES=1` a server that does not answer is a failure instead.
 */
export async function bootSuiteHost(prefix: string, env: Record<string, string> = {}): Promise<SuiteHost> {
  const onPostgres = serverAvailabilitySync().postgres;
  if (!onPostgres && servicesRequired()) throw new Error(`PostgreSQL at ${TEST_POSTGRES_URL} does not answer, and VV_REQUIRE_SERVICES=1 makes that a failure`);
  const database = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = onPostgres ? await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 }) : undefined;
  const hostEnv: Record<string, string> = { VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ...env };
  if (admin) {
    await admin.execute(`create database ${database}`);
    hostEnv['DATABASE_URL'] = postgresUrl(database);
  }
  const host = await bootHost(hostEnv).catch(async (error: unknown) => {
    await admin?.execute(`drop database if exists ${database} with (force)`);
    await admin?.close();
    throw error;
  });
  return Object.assign(host, {
    onPostgres,
    ...(admin ? { databaseUrl: postgresUrl(database) } : {}),
    dispose: async () => {
      await host.stop();
      await admin?.execute(`drop database if exists ${database} with (force)`);
      await admin?.close();
      rmSync(host.dataDir, { recursive: true, force: true });
    },
  });
}
