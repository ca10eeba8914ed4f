/**
 * `npm run openapi:write -- <file>`: boots an in-memory kernel with every first-party plugin and writes the document
 * it serves at `/api/openapi.json` to `<file>` (default `build/openapi.json`). The OpenAPI lint and the console's
 * generated types (`npm run openapi:lint`, `npm run api:types`) both read this file, so they see exactly what a
 * client of a full deployment sees.
 */
import { mkdirSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createTestKernel } from '@valueverse/plugin-testing';

const repo = resolve(__dirname, '..', '..');

/** The first-party plugins, in folder order: the document's paths are sorted anyway. */
function firstPartyPluginDirs(): string[] {
  const root = join(repo, 'plugins');
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'plugin.json')))
    .sort()
    .map((d) => join(root, d));
}

/** Keys sorted recursively, so the written file does not change with plugin start order. */
function sortedPaths(document: Record<string, unknown>): Record<string, unknown> {
  const paths = document.paths as Record<string, unknown>;
  return {
    ...document,
    paths: Object.fromEntries(
      Object.keys(paths)
        .sort()
        .map((p) => [p, paths[p]]),
    ),
  };
}

export async function writeOpenApiDocument(file: string): Promise<void> {
  const kernel = await createTestKernel({ plugins: firstPartyPluginDirs().map((dir) => ({ dir })), enable: [] });
  try {
    const failed = kernel.kernel.plugins().filter((p) => p.state !== 'running');
    if (failed.length > 0) throw new Error(`plugins not running: ${JSON.stringify(failed)}`);
    const res = await kernel.request('GET', '/api/openapi.json', { token: null });
    if (res.status !== 200) throw new Error(`GET /api/openapi.json answered ${res.status}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(sortedPaths(res.body as Record<string, unknown>), null, 2)}\n`);
  } finally {
    await kernel.close();
  }
}

if (require.main === module) {
  const file = resolve(process.argv[2] ?? join(repo, 'build', 'openapi.json'));
  writeOpenApiDocument(file).then(
    () => {
      process.stdout.write(`wrote ${file}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
