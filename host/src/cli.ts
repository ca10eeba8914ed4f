#!/usr/bin/env node
// First: V8's pretenuring off before anything allocates (v8-tuning.ts), and the compile cache, which covers only
// modules loaded after it is enabled.
import './v8-tuning';
import './compile-cache';
// Second: tracing (when asked for) wraps Koa, pg and ioredis, which must not be loaded before it.
import './tracing-boot';
import { preparePgliteTemplate } from '@valueverse/backend-defaults';
import { isVvError } from '@valueverse/plugin-sdk';
import { loadEnvConfig } from './config/env-config';
import { startHost } from './start-host';
import { startWorker } from './start-worker';
import { stopTracing } from './tracing';

/**
 * `valueverse start`: boot the host; `valueverse worker`: run the plugins' jobs only, no HTTP (start-worker.ts);
 * `valueverse migrate`: apply the database migrations of the kernel and every plugin, then exit.
 * Both stop gracefully on SIGTERM/SIGINT. `valueverse prepare` (run by `npm install`) stores the embedded
 * database's initdb template, so the first `start` on the embedded default skips initdb (issue #14).
 */
async function main(argv: readonly string[]): Promise<void> {
  const command = argv[0] ?? 'start';
  if (command === 'prepare') {
    const prepared = await preparePgliteTemplate();
    process.stdout.write(`Embedded database template ${prepared.created ? 'created' : 'already present'}: ${prepared.path}\n`);
    return;
  }
  if (command === 'migrate') {
    // Before a rollout (the Kubernetes migration Job): the kernel's schema and every plugin's migrations, then exit.
    // Boots the plugins without HTTP, job workers or seeding, which is where their migrations run.
    const migrated = await startHost({ ...loadEnvConfig(), workers: false, redisUrl: undefined }, { quiet: true, workerOnly: true });
    migrated.kernel.logger.info({ plugins: migrated.kernel.plugins().map((p) => ({ id: p.id, state: p.state })) }, 'migrations applied');
    await migrated.stop();
    await stopTracing();
    return;
  }
  if (command !== 'start' && command !== 'worker') {
    process.stderr.write(`Unknown command "${command}". Usage: valueverse start|worker|migrate|prepare\n`);
    process.exitCode = 2;
    return;
  }
  const config = loadEnvConfig();
  const host = command === 'worker' ? await startWorker(config) : await startHost(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    host.kernel.logger.info({ signal }, 'shutting down: draining requests, then stopping plugins');
    host
      .stop()
      .then(() => stopTracing())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          host.kernel.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (isVvError(error)) {
    process.stderr.write(`ValueVerse cannot start: ${error.message}\n`);
    for (const problem of error.errors) process.stderr.write(`  ${problem.pointer.replace(/^\//, '')}: ${problem.message}\n`);
  } else {
    process.stderr.write(`ValueVerse cannot start: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
