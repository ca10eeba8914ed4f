/**
 * `npm run openapi:lint`: writes the document a full deployment serves at `/api/openapi.json` (every first-party
 * plugin loaded) and lints it with Redocly's recommended rules (redocly.yaml at the repository root). Any error or
 * warning fails: the document is kept clean, so a new route without an operationId, a 4xx answer or a server shows
 * up in CI rather than in a client generator.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeOpenApiDocument } from './write-openapi-document';

const repo = resolve(__dirname, '..', '..');

interface LintReport {
  readonly version: string;
  readonly totals: { readonly errors: number; readonly warnings: number };
  readonly problems: readonly { readonly ruleId: string; readonly severity: string; readonly message: string; readonly location: readonly { readonly pointer: string }[] }[];
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'vv-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeOpenApiDocument(file);
    const cli = require.resolve('@redocly/cli/bin/cli.js', { paths: [join(repo, 'test')] });
    const result = spawnSync(process.execPath, [cli, 'lint', file, '--config', join(repo, 'redocly.yaml'), '--format', 'json', '--max-problems', '1000'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
      // No telemetry or update check: CI has no network, and the lint must not wait on one.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    if (result.error) throw result.error;
    // `redocly lint` exits 0 on warnings; read its totals so a warning fails too.
    const report = JSON.parse(result.stdout) as LintReport;
    for (const problem of report.problems) {
      const where = problem.location.map((l) => l.pointer).join(', ');
      process.stdout.write(`${problem.severity} ${problem.ruleId} at ${where}: ${problem.message}\n`);
    }
    const { errors, warnings } = report.totals;
    process.stdout.write(`OpenAPI lint (Redocly ${report.version}, recommended): ${errors} errors, ${warnings} warnings\n`);
    return errors + warnings === 0 && result.status === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
