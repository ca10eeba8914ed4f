#!/usr/bin/env node
import { isVvError } from '@valueverse/plugin-sdk';
import { loadRegistryEnvConfig } from './standalone/registry-env-config';
import { startRegistryServer } from './standalone/registry-server';
import { WorkspaceSdkTarballs } from './sdk/workspace-sdk-tarballs';

/**
 * `node marketplace/dist/cli.js serve`: a standalone marketplace registry (PORT, HOST, DATABASE_URL or VV_DATA_DIR,
 * VV_MARKETPLACE_ADMIN_TOKEN, VV_MARKETPLACE_PUBLIC_URL, LOG_LEVEL). Stops gracefully on SIGTERM/SIGINT.
 */
async function main(argv: readonly string[]): Promise<void> {
  const command = argv[0];
  if (command !== 'serve') {
    process.stderr.write(`${command === undefined ? 'No command' : `Unknown command "${command}"`}. Usage: vv-marketplace serve\n`);
    process.exitCode = 2;
    return;
  }
  const running = await startRegistryServer(loadRegistryEnvConfig(), { sdk: WorkspaceSdkTarballs.fromWorkspace() });
  const stop = () => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`The marketplace registry cannot start: ${isVvError(error) ? error.message : ((error as Error)?.stack ?? String(error))}\n`);
  if (isVvError(error)) for (const problem of error.errors) process.stderr.write(`  ${problem.pointer.replace(/^\//, '')}: ${problem.message}\n`);
  process.exit(1);
});
