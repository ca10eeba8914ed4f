import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

const repo = resolve(__dirname, '..', '..');

// `valueverse migrate` (the Kubernetes migration Job, compose's `migrate` service): the kernel's schema and every
// plugin's migrations on an empty database, then exit 0 without listening or running jobs.
describeWithPostgres('valueverse migrate', () => {
  const database = `vv_migrate_${randomBytes(5).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'vv-migrate-'));
  let admin: Database;

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${database}`);
  });

  afterAll(async () => {
    await admin?.execute(`drop database if exists ${database} with (force)`);
    await admin?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies the migrations of the kernel and the plugins and exits 0', async () => {
    const child = spawn(process.execPath, ['--conditions=@valueverse/source', '-r', join(repo, 'test/bench/register-ts.js'), join(repo, 'host/src/cli.ts'), 'migrate'], {
      cwd: repo,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmpdir(),
        DATABASE_URL: postgresUrl(database),
        VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        VV_DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    expect(output).toMatch(/migrations applied/);
    const db = await openDatabase({ url: postgresUrl(database), poolMax: 1 });
    try {
      const schemas = (
        await db.execute<{ schema: string }>(`select distinct table_schema as schema from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`)
      ).map((r) => r.schema);
      // The kernel's tables, and the schemas of plugins with a data model (value-architect's among them).
      expect(schemas.length).toBeGreaterThan(2);
      expect(schemas.some((s) => s.includes('architect'))).toBe(true);
    } finally {
      await db.close();
    }
  }, 120_000);
});
