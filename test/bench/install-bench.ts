/**
 * `npm run bench -- install`: two host processes on loopback share PostgreSQL and Redis.
 * 1. Install-to-serving: 20 packages (each a new plugin, packed and signed here) are uploaded through A and enabled
 *    for tenant "demo"; the time from the upload's request until A and B both answer the plugin's route
 *    (target p99 < 2 s).
 * 2. Upgrades under load: 8 loops request a plugin's route on A and B while it is upgraded 5 times through A; every
 *    answer that is not 200 counts as a failure (target 0).
 * The baseline is one request's round trip to B, measured in the same run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { openDatabase } from '@valueverse/backend-defaults';
import { generateSigningKeyPair, packPluginDirectory, signPackage } from '@valueverse/plugin-sdk/package';
import { signIn } from '../support/host-fixture';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { writeTestPlugin } from '../support/package-fixture';
import { postgresUrl, serverAvailability, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';
import { figure } from './figures';

const INSTALLS = 20;
const UPGRADES = 5;
const LOAD_LOOPS = 8;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runInstallBench(): Promise<void> {
  const services = await serverAvailability();
  if (!services.postgres || !services.redis) {
    process.stdout.write('skipped: needs PostgreSQL and Redis (start them as docs/stack.md "Services" says)\n');
    return;
  }
  const database = `vv_instb_${randomBytes(5).toString('hex')}`;
  const admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
  await admin.execute(`create database ${database}`);
  const prefix = `vv-bench-${randomBytes(4).toString('hex')}`;
  const root = mkdtempSync(join(tmpdir(), 'vv-install-bench-'));
  const env = {
    DATABASE_URL: postgresUrl(database),
    REDIS_URL: TEST_REDIS_URL,
    VV_REDIS_PREFIX: prefix,
    VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'error',
  };
  const hosts: HostProcess[] = [];
  try {
    hosts.push(await startHostProcess(env));
    hosts.push(await startHostProcess(env));
    const [a, b] = [hosts[0]!.url, hosts[1]!.url];
    const token = await signIn(a);
    const key = generateSigningKeyPair();
    const send = async (url: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
      const binary = Buffer.isBuffer(body);
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': binary ? 'application/octet-stream' : 'application/json' }) },
        body: body === undefined ? undefined : binary ? new Uint8Array(body) : JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    };
    const ok = async (res: Promise<{ status: number; text: string }>, status: number, what: string) => {
      const done = await res;
      if (done.status !== status) throw new Error(`${what}: ${done.status} ${done.text}`);
    };
    // The load below would meet the tenant's default rate limit (429s that say nothing about upgrades): raised.
    await ok(send(a, 'PATCH', '/api/v1/admin/tenants/demo', { settings: { rateLimits: { tenant: { perSecond: 1_000_000, burst: 1_000_000 } } } }), 200, 'raising the rate limit');
    await ok(send(a, 'POST', '/api/v1/admin/trusted-keys', { publicKeyPem: key.publicKeyPem, name: 'Bench' }), 201, 'trusting the key');
    const pack = async (id: string, version: string) => signPackage(await packPluginDirectory(writeTestPlugin({ id, version }, root)), key.privateKeyPem);
    const serves = async (url: string, id: string, version: string) => {
      const res = await send(url, 'GET', `/api/v1/${id}/hello`);
      return res.status === 200 && (JSON.parse(res.text) as { version: string }).version === version;
    };
    const until = async (url: string, id: string, version: string) => {
      for (let tries = 0; tries < 20_000; tries++) if (await serves(url, id, version)) return;
      throw new Error(`${url} never served ${id}@${version}`);
    };

    // Baseline: one request's round trip to B (a route of a first-party plugin).
    const roundTrips: number[] = [];
    for (let i = 0; i < 250; i++) {
      const t = performance.now();
      await send(b, 'GET', '/api/v1/admin/installs');
      if (i >= 50) roundTrips.push(performance.now() - t);
    }

    // 1. Install to serving on both instances.
    const packages = await Promise.all(Array.from({ length: INSTALLS }, (_, i) => pack(`bench-p${i}`, '1.0.0')));
    const toServing: number[] = [];
    const fromResponse: number[] = [];
    for (let i = 0; i < INSTALLS; i++) {
      const id = `bench-p${i}`;
      const sent = performance.now();
      await ok(send(a, 'POST', '/api/v1/admin/installs', packages[i]), 201, `installing ${id}`);
      await ok(send(a, 'PUT', `/api/v1/admin/tenants/demo/plugins/${id}`, { enabled: true }), 200, `enabling ${id}`);
      const answered = performance.now();
      await Promise.all([until(a, id, '1.0.0'), until(b, id, '1.0.0')]);
      const seen = performance.now();
      toServing.push(seen - sent);
      fromResponse.push(seen - answered);
    }

    // 2. Upgrades under load.
    const upgrades = await Promise.all(Array.from({ length: UPGRADES }, (_, i) => pack('bench-p0', `1.0.${i + 1}`)));
    const agent = new http.Agent({ keepAlive: true, maxSockets: LOAD_LOOPS });
    let done = 0;
    const failures: string[] = [];
    let running = true;
    const one = (url: string) =>
      new Promise<void>((resolve) => {
        const target = new URL(`${url}/api/v1/bench-p0/hello`);
        const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          if (res.statusCode !== 200) failures.push(`${url} ${res.statusCode}`);
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', (error) => {
          failures.push(`${url} ${error.message}`);
          resolve();
        });
        req.end();
      });
    const load = Array.from({ length: LOAD_LOOPS }, async (_, i) => {
      while (running) {
        await one(i % 2 === 0 ? a : b);
        done += 1;
      }
    });
    const upgradeMs: number[] = [];
    for (let i = 0; i < UPGRADES; i++) {
      const version = `1.0.${i + 1}`;
      const started = performance.now();
      await ok(send(a, 'POST', '/api/v1/admin/installs', upgrades[i]), 201, `upgrading to ${version}`);
      await Promise.all([until(a, 'bench-p0', version), until(b, 'bench-p0', version)]);
      upgradeMs.push(performance.now() - started);
    }
    running = false;
    await Promise.all(load);
    agent.destroy();

    const sort = (xs: number[]) => [...xs].sort((x, y) => x - y);
    const rt = sort(roundTrips);
    const serving = sort(toServing);
    const resp = sort(fromResponse);
    const f = (ms: number) => `${ms.toFixed(1)} ms`;
    process.stdout.write(`baseline: one request round trip to B: p50 ${f(percentile(rt, 50))}, p99 ${f(percentile(rt, 99))}\n`);
    process.stdout.write(`${INSTALLS} installs through A (upload + enable), until A and B both serve the plugin:\n`);
    process.stdout.write(
      `  from the upload's request: p50 ${f(percentile(serving, 50))}, p99 ${f(percentile(serving, 99))}, max ${f(serving[serving.length - 1]!)} (target p99 < 2 s: ${percentile(serving, 99) < 2000 ? 'met' : 'NOT met'})\n`,
    );
    process.stdout.write(`  from the enable's response: p50 ${f(percentile(resp, 50))}, p99 ${f(percentile(resp, 99))}\n`);
    process.stdout.write(`  p99 install-to-serving / p50 request round trip: ${(percentile(serving, 99) / percentile(rt, 50)).toFixed(0)}x\n`);
    process.stdout.write(
      `${UPGRADES} upgrades through A under load (${LOAD_LOOPS} loops on A and B): ${done} requests, ${failures.length} failed (target 0: ${failures.length === 0 ? 'met' : 'NOT met'}); upgrade until both serve: p50 ${f(percentile(sort(upgradeMs), 50))}, max ${f(Math.max(...upgradeMs))}\n`,
    );
    if (failures.length > 0) process.stdout.write(`  first failures: ${failures.slice(0, 5).join('; ')}\n`);
    figure('install-to-serving p99', percentile(serving, 99), 'ms', 'lower');
    figure('failed requests during upgrades', failures.length, 'requests', 'lower');
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
    await admin.execute(`drop database if exists ${database} with (force)`);
    await admin.close();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    rmSync(root, { recursive: true, force: true });
  }
}
