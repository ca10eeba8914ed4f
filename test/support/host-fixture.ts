import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvConfig, startHost, type HostConfig, type RunningHost } from '@valueverse/host';

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
