import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';

/** The environment of a standalone registry (`node marketplace/dist/cli.js serve`); README "Marketplace". */
export interface RegistryEnvConfig {
  /** `PORT`, default 3100 (beside a host on 3000). */
  readonly port: number;
  /** `HOST`, default 127.0.0.1. */
  readonly host: string;
  /** `DATABASE_URL`; unset: embedded PGlite in `dataDir`. */
  readonly databaseUrl?: string;
  /** `VV_DATA_DIR`, absolute; default `./marketplace-data`. */
  readonly dataDir: string;
  /** `VV_MARKETPLACE_ADMIN_TOKEN`: the bearer credential of the registry admin (creates publishers); unset: no admin. */
  readonly adminToken?: string;
  /** `VV_MARKETPLACE_PUBLIC_URL`: the registry's R as clients reach it (behind a proxy); default from each request. */
  readonly publicUrl?: string;
  /** `LOG_LEVEL`, default info. */
  readonly logLevel: string;
}

const MIN_ADMIN_TOKEN = 32;
const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const hostnamePattern = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * Reads and checks the standalone registry's variables, reporting every bad one at once (values that may hold
 * secrets are never echoed).
 *
 * @throws VvError `VV_CONFIG_INVALID` naming each bad variable
 */
export function loadRegistryEnvConfig(env: NodeJS.ProcessEnv = process.env): RegistryEnvConfig {
  const problems: FieldProblem[] = [];
  const problem = (name: string, message: string) => problems.push({ pointer: `/${name}`, in: 'env', message: `${name} ${message}` });
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  let port = 3100;
  const rawPort = read('PORT');
  if (rawPort !== undefined) {
    port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
    if (!(port >= 1 && port <= 65535)) problem('PORT', `must be an integer from 1 to 65535 (got "${rawPort}")`);
  }
  const host = read('HOST') ?? '127.0.0.1';
  if (isIP(host) === 0 && !hostnamePattern.test(host)) problem('HOST', `must be an IP address or a host name (got "${host}")`);
  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) problem('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  const adminToken = read('VV_MARKETPLACE_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN) problem('VV_MARKETPLACE_ADMIN_TOKEN', `must be at least ${MIN_ADMIN_TOKEN} characters`);
  const publicUrl = read('VV_MARKETPLACE_PUBLIC_URL')?.replace(/\/+$/, '');
  if (publicUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(publicUrl)) problem('VV_MARKETPLACE_PUBLIC_URL', `must be an http(s) URL (got "${publicUrl}")`);
  const logLevel = (read('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!levels.includes(logLevel)) problem('LOG_LEVEL', `must be one of ${levels.join(', ')}`);
  if (problems.length > 0) {
    throw new VvError('VV_CONFIG_INVALID', { params: { subject: 'environment', problems: problems.map((p) => p.message).join('; ') }, errors: problems });
  }
  return Object.freeze({ port, host, databaseUrl, dataDir: resolve(read('VV_DATA_DIR') ?? './marketplace-data'), adminToken, publicUrl, logLevel });
}
