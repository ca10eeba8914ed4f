import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';
import type { Kernel } from '@valueverse/kernel';
import type { HostConfig } from './config/env-config';
import { startHost } from './start-host';

/** A running `host worker`. */
export interface RunningWorker {
  readonly kernel: Kernel;
  /** Stops taking jobs, lets running ones finish (bounded), then stops the plugins. */
  stop(): Promise<void>;
}

/**
 * `host worker`: boots the plugins, so that their job handlers are defined, and runs the job queue's workers only:
 * no HTTP listener and no first-boot seeding (the web hosts do that). Jobs reach it through Redis, so REDIS_URL is
 * required; so is DATABASE_URL, since the embedded database belongs to the one process that opened it.
 *
 * @throws VvError `VV_CONFIG_INVALID` naming the missing variables
 */
export async function startWorker(config: HostConfig, options: { preferSource?: boolean } = {}): Promise<RunningWorker> {
  const problems: FieldProblem[] = [];
  if (!config.redisUrl) problems.push({ pointer: '/REDIS_URL', in: 'env', message: 'REDIS_URL is required by `worker`: jobs reach workers through Redis' });
  if (!config.databaseUrl) {
    problems.push({ pointer: '/DATABASE_URL', in: 'env', message: 'DATABASE_URL is required by `worker`: the embedded database cannot be shared with the web host' });
  }
  if (problems.length > 0) {
    throw new VvError('VV_CONFIG_INVALID', { params: { subject: 'environment', problems: problems.map((p) => p.message).join('; ') }, errors: problems });
  }
  const host = await startHost(config, { preferSource: options.preferSource, quiet: true, workerOnly: true });
  const plugins = host.kernel.plugins();
  host.kernel.logger.info(
    { plugins: plugins.map((p) => ({ id: p.id, state: p.state })) },
    `ValueVerse worker running jobs of ${plugins.filter((p) => p.state === 'running').length}/${plugins.length} plugins (no HTTP listener)`,
  );
  return { kernel: host.kernel, stop: host.stop };
}
