import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { freePort, waitFor } from '../support/host-process';
import { describeWithPostgres, describeWithRedis, postgresUrl, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

const repo = resolve(__dirname, '..', '..');

/** Runs `valueverse worker` (the CLI, from sources) as its own process. */
function spawnWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@valueverse/source', '-r', join(repo, 'test/bench/register-ts.js'), join(repo, 'host/src/cli.ts'), 'worker'], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => output };
}

describe('valueverse worker without its servers', () => {
  it('refuses to start without REDIS_URL and DATABASE_URL, naming both', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vv-worker-'));
    try {
      const worker = spawnWorker({ VV_DATA_DIR: dataDir });
      expect(await worker.exited).toBe(1);
      expect(worker.output()).toMatch(/ValueVerse cannot start/);
      expect(worker.output()).toMatch(/REDIS_URL: REDIS_URL is required by `worker`/);
      expect(worker.output()).toMatch(/DATABASE_URL: DATABASE_URL is required by `worker`/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});

describeWithPostgres('valueverse worker on PostgreSQL', () => {
  describeWithRedis('and Redis', () => {
    const database = `vv_worker_${randomBytes(5).toString('hex')}`;
    const prefix = `vv-it-${randomBytes(5).toString('hex')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'vv-worker-'));
    // One deployment: every process on this database shares its key (secrets sealed by the first are read by the next).
    const encryptionKey = randomBytes(32).toString('base64');
    let admin: Database;

    beforeAll(async () => {
      admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
      await admin.execute(`create database ${database}`);
    });

    afterAll(async () => {
      await admin?.execute(`drop database if exists ${database} with (force)`);
      await admin?.close();
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('boots the plugins, listens on no port, and exits 0 on SIGTERM', async () => {
      const port = await freePort();
      const worker = spawnWorker({
        DATABASE_URL: postgresUrl(database),
        REDIS_URL: TEST_REDIS_URL,
        VV_REDIS_PREFIX: prefix,
        VV_ENCRYPTION_KEY: encryptionKey,
        VV_DATA_DIR: dataDir,
        PORT: String(port),
      });
      try {
        await waitFor(
          async () => {
            if (worker.child.exitCode !== null) throw new Error(`worker exited with ${worker.child.exitCode}: ${worker.output()}`);
            return /ValueVerse worker running jobs of \d+\/\d+ plugins/.test(worker.output()) ? true : undefined;
          },
          60_000,
          'worker running',
          100,
        );
        const listening = await new Promise<boolean>((r) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            r(true);
          });
          socket.once('error', () => r(false));
        });
        expect(listening).toBe(false);
        worker.child.kill('SIGTERM');
        expect(await worker.exited).toBe(0);
        expect(worker.output()).toMatch(/"signal":"SIGTERM"/);
      } finally {
        if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      }
    }, 90_000);

    it('serves /metrics and the health routes on VV_WORKER_METRICS_PORT, and nothing else', async () => {
      const [port, metricsPort] = [await freePort(), await freePort()];
      const worker = spawnWorker({
        DATABASE_URL: postgresUrl(database),
        REDIS_URL: TEST_REDIS_URL,
        VV_REDIS_PREFIX: prefix,
        VV_ENCRYPTION_KEY: encryptionKey,
        VV_DATA_DIR: dataDir,
        PORT: String(port),
        VV_WORKER_METRICS_PORT: String(metricsPort),
      });
      try {
        await waitFor(
          async () => {
            if (worker.child.exitCode !== null) throw new Error(`worker exited with ${worker.child.exitCode}: ${worker.output()}`);
            return /ValueVerse worker running jobs of \d+\/\d+ plugins \(metrics on http:\/\/127\.0\.0\.1:\d+\/metrics\)/.test(worker.output()) ? true : undefined;
          },
          60_000,
          'worker running',
          100,
        );
        const base = `http://127.0.0.1:${metricsPort}`;
        const metrics = await fetch(`${base}/metrics`);
        expect(metrics.status).toBe(200);
        const text = await metrics.text();
        // The job queues' figures of this process, retries among them: the jobs it runs are counted where they run.
        expect(text).toMatch(/^vv_jobs_retries\{queue="[^"]+"\} \d+$/m);
        expect(text).toMatch(/^vv_jobs_waiting\{queue="[^"]+"\} \d+$/m);
        expect(text).toMatch(/^vv_plugin_state\{plugin="calculation",state="running"\} 1$/m);
        expect((await fetch(`${base}/health/live`)).status).toBe(200);
        expect((await fetch(`${base}/health/ready`)).status).toBe(200);
        const other = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', body: '{}' });
        expect(other.status).toBe(404);
        expect(other.headers.get('content-type')).toBe('application/problem+json');
        expect(((await other.json()) as { code: string }).code).toBe('VV_NOT_FOUND');
        worker.child.kill('SIGTERM');
        expect(await worker.exited).toBe(0);
      } finally {
        if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      }
    }, 90_000);
  });
});
