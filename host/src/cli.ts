#!/usr/bin/env node
// First: V8's pretenuring off before anything allocates (v8-tuning.ts), and the compile cache, which covers only
// modules loaded after it is enabled.
import './v8-tuning';
import './compile-cache';
import { preparePgliteTemplate } from '@valueverse/backend-defaults';
import { isVvError } from '@valueverse/plugin-sdk';
import { loadEnvConfig } from './config/env-config';
import { startHost } from './start-host';
import { startWorker } from './start-worker';

/**
 * `valueverse start`: boot the host; `valueverse worker`: run the plugins' jobs only, no HTTP (start-worker.ts).
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
  if (command !== 'start' && command !== 'worker') {
    process.stderr.write(`Unknown command "${command}". Usage: valueverse start|worker|prepare\n`);
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
    host.stop().then(
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
