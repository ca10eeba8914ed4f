import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { DocShellStep } from './doc-shell-steps';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './host-fixture';

// A plugin author's shell outside this repository, shared by the tests that run docs/writing-plugins.md's blocks.

/**
 * What a plugin author's shell has: PATH with this repository's pinned Node first (the scaffold pins the tools this
 * repository tests with, on the same runtime), HOME (the npm cache), and the host's URL; no npm_* variables from the
 * `npm test` that may be running this file. Prefer-offline so packages in the npm cache are not re-fetched.
 */
export function authorEnv(host: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return {
    ...env,
    PATH: [dirname(process.execPath), env['PATH'] ?? ''].join(delimiter),
    VV_HOST: host,
    // startHostProcess starts the host with these (the first boot's platform admin).
    VV_ADMIN_EMAIL: ADMIN_EMAIL,
    VV_ADMIN_PASSWORD: ADMIN_PASSWORD,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
  };
}

/**
 * `npx --package <url>` installs into the npm cache's `_npx/<hash>/`, keyed by the URL, which names this run's port:
 * never reused, so it is removed (only folders whose package.json names this host).
 */
export function removeNpxInstalls(host: string, env: NodeJS.ProcessEnv): void {
  const cache = spawnSync('npm', ['config', 'get', 'cache'], { env, encoding: 'utf8' }).stdout.trim();
  const npx = join(cache, '_npx');
  if (!cache || !existsSync(npx)) return;
  for (const dir of readdirSync(npx)) {
    const manifest = join(npx, dir, 'package.json');
    if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes(`${host}/api/v1/marketplace/`)) rmSync(join(npx, dir), { recursive: true, force: true });
  }
}

export function runStep(step: DocShellStep, cwd: string, env: NodeJS.ProcessEnv): { output: string; seconds: number } {
  const started = Date.now();
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', step.script], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0)
    throw new Error(`docs/writing-plugins.md:${step.line} step "${step.name}" exited with ${result.status} in ${cwd}:\n${step.script}\n--- output ---\n${output}`);
  return { output, seconds: (Date.now() - started) / 1000 };
}
