/**
 * `npm run bench -- marketplace`: two built host processes (`node host/dist/cli.js start`) on loopback share
 * PostgreSQL and Redis; every package comes from host A's registry (published there, signed by a trusted key).
 * 1. Install-to-serving per instance: one install and 19 upgrades of one plugin through A (`POST`/`PUT
 *    /api/v1/admin/installs`); for each, the time from the request until A, and until B, answer the plugin's route
 *    with the new version (target p99 < 2 s on each).
 * 2. Upgrades and roll-backs under load: wrk, in a process of its own per host, requests the plugin's routes (one
 *    without and one with its database) on A and on B while the plugin is upgraded (a migration adds a table) and
 *    rolled back (its down step drops it) through A, again and again; every answer that is not 2xx and every socket
 *    error counts as a failure (target 0).
 * The baseline is one request's round trip to B, measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { openDatabase } from '@valueverse/backend-defaults';
import { generateSigningKeyPair, packPluginDirectory, signPackage } from '@valueverse/plugin-sdk/package';
import { signIn } from '../support/host-fixture';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { writeTestPlugin } from '../support/package-fixture';
import { postgresUrl, serverAvailability, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';
import { figure } from './figures';
import { runWrk, wrkAvailable, type WrkResult } from './wrk-runner';

const PLUGIN = 'bench-mkt';
const CYCLES = 20;
const LOAD_SECONDS = 20;
const CONNECTIONS = 8;
const repo = resolve(__dirname, '..', '..');

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const sort = (xs: readonly number[]) => [...xs].sort((x, y) => x - y);
const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function runMarketplaceBench(): Promise<void> {
  const services = await serverAvailability();
  if (!services.postgres || !services.redis) {
    process.stdout.write('skipped: needs PostgreSQL and Redis (start them as docs/stack.md "Services" says)\n');
    return;
  }
  if (!wrkAvailable()) {
    process.stdout.write('skipped: needs wrk (Debian package "wrk") as the load generator\n');
    return;
  }
  // The hosts run as deployed, from dist: tsc -b is incremental, quick when nothing changed.
  const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: repo, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`tsc -b failed:\n${build.stdout}${build.stderr}`);

  const database = `vv_mktb_${randomBytes(5).toString('hex')}`;
  const admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
  await admin.execute(`create database ${database}`);
  const prefix = `vv-mktb-${randomBytes(4).toString('hex')}`;
  const root = mkdtempSync(join(tmpdir(), 'vv-marketplace-bench-'));
  const env = {
    DATABASE_URL: postgresUrl(database),
    REDIS_URL: TEST_REDIS_URL,
    VV_REDIS_PREFIX: prefix,
    VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'error',
  };
  const hosts: HostProcess[] = [];
  try {
    // One after the other: the first boot migrates and seeds the database.
    for (const name of ['a', 'b'])
      hosts.push(await startHostProcess({ ...env, VV_DATA_DIR: mkdirSync(join(root, `data-${name}`), { recursive: true })! }, { built: true, readyTimeoutMs: 120_000 }));
    const [a, b] = [hosts[0]!.url, hosts[1]!.url];
    const token = await signIn(a);
    const headers = { authorization: `Bearer ${token}`, 'x-tenant-id': 'demo' };
    const send = async (url: string, method: string, path: string, body?: unknown, bearer = token): Promise<{ status: number; text: string }> => {
      const binary = Buffer.isBuffer(body);
      const res = await fetch(url + path, {
        method,
        headers: { ...headers, authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': binary ? 'application/octet-stream' : 'application/json' }) },
        body: body === undefined ? undefined : binary ? new Uint8Array(body) : JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    };
    const ok = async (res: Promise<{ status: number; text: string }>, status: number, what: string) => {
      const done = await res;
      if (done.status !== status) throw new Error(`${what}: ${done.status} ${done.text}`);
      return JSON.parse(done.text) as Record<string, unknown>;
    };
    /** Requests the route without pause until `url` answers `version` (a poll is one request's round trip). */
    const until = async (url: string, version: string, deadlineMs = 60_000) => {
      const started = performance.now();
      while (performance.now() - started < deadlineMs) {
        const res = await send(url, 'GET', `/api/v1/${PLUGIN}/hello`);
        if (res.status === 200 && (JSON.parse(res.text) as { version: string }).version === version) return performance.now();
      }
      throw new Error(`${url} did not serve ${PLUGIN}@${version} within ${deadlineMs} ms`);
    };

    // The load below would meet the tenant's default rate limit (429s that say nothing about upgrades): raised.
    await ok(send(a, 'PATCH', '/api/v1/admin/tenants/demo', { settings: { rateLimits: { tenant: { perSecond: 1_000_000, burst: 1_000_000 } } } }), 200, 'raising the rate limit');
    // A publisher with a key in A's registry; the deployment trusts that key.
    const key = generateSigningKeyPair();
    const publisher = await ok(send(a, 'POST', '/api/v1/marketplace/publishers', { name: 'Bench' }), 201, 'creating the publisher');
    await ok(
      send(a, 'POST', `/api/v1/marketplace/publishers/${String(publisher['id'])}/keys`, { publicKeyPem: key.publicKeyPem }, String(publisher['token'])),
      201,
      'adding its key',
    );
    await ok(send(a, 'POST', '/api/v1/admin/trusted-keys', { publicKeyPem: key.publicKeyPem, name: 'Bench' }), 201, 'trusting the key');
    const notes = { name: '0001-notes', up: ['create table notes (id serial primary key, tenant_id text not null, body text)'], down: ['drop table notes'] };
    const tags = { name: '0002-tags', up: ['create table tags (id serial primary key, tenant_id text not null, name text)'], down: ['drop table tags'] };
    const versions = [...Array.from({ length: CYCLES }, (_, i) => `1.0.${i}`), '1.1.0', '1.2.0'];
    for (const version of versions) {
      const migrations = version === '1.2.0' ? [notes, tags] : [notes];
      const pkg = await signPackage(await packPluginDirectory(writeTestPlugin({ id: PLUGIN, version, migrations }, root)), key.privateKeyPem);
      await ok(send(a, 'POST', '/api/v1/marketplace/packages', pkg, String(publisher['token'])), 201, `publishing ${version}`);
    }

    // Baseline: one request's round trip to B (a kernel route).
    const roundTrips: number[] = [];
    for (let i = 0; i < 250; i++) {
      const t = performance.now();
      await send(b, 'GET', '/api/v1/admin/installs');
      if (i >= 50) roundTrips.push(performance.now() - t);
    }

    // 1. Install (then upgrades) until each instance serves the new version.
    const onA: number[] = [];
    const onB: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      const version = `1.0.${i}`;
      const sent = performance.now();
      const change = i === 0 ? send(a, 'POST', '/api/v1/admin/installs', { pluginId: PLUGIN, version }) : send(a, 'PUT', `/api/v1/admin/installs/${PLUGIN}`, { version });
      if (i === 0) {
        await ok(change, 201, `installing ${version}`);
        await ok(send(a, 'PUT', `/api/v1/admin/tenants/demo/plugins/${PLUGIN}`, { enabled: true }), 200, 'enabling it');
      }
      const [servedA, servedB] = await Promise.all([until(a, version), until(b, version), i === 0 ? undefined : ok(change, 200, `upgrading to ${version}`)]);
      onA.push(servedA - sent);
      onB.push(servedB - sent);
    }

    // 2. Upgrades (a migration adds a table) and roll-backs (its down step drops it) under load on A and B.
    await ok(send(a, 'PUT', `/api/v1/admin/installs/${PLUGIN}`, { version: '1.1.0' }), 200, 'upgrading to 1.1.0');
    await Promise.all([until(a, '1.1.0'), until(b, '1.1.0')]);
    const requests = [
      { method: 'GET' as const, path: `/api/v1/${PLUGIN}/hello`, headers },
      { method: 'GET' as const, path: `/api/v1/${PLUGIN}/tables`, headers },
    ];
    let loading = true;
    const load = Promise.all([a, b].map((url) => runWrk(url, { seconds: LOAD_SECONDS, connections: CONNECTIONS, requests }))).finally(() => (loading = false));
    const switches: number[] = [];
    let upgrades = 0;
    let rollBacks = 0;
    while (loading) {
      const target = upgrades === rollBacks ? '1.2.0' : '1.1.0';
      const t = performance.now();
      await ok(send(a, 'PUT', `/api/v1/admin/installs/${PLUGIN}`, { version: target }), 200, `switching to ${target}`);
      await Promise.all([until(a, target), until(b, target)]);
      switches.push(performance.now() - t);
      if (target === '1.2.0') upgrades += 1;
      else rollBacks += 1;
    }
    const [loadA, loadB] = (await load) as [WrkResult, WrkResult];

    const rt = sort(roundTrips);
    const [sa, sb] = [sort(onA), sort(onB)];
    const met = (value: number) => (value < 2000 ? 'met' : 'NOT met');
    process.stdout.write(`baseline: one request round trip to B: p50 ${ms(percentile(rt, 50))}, p99 ${ms(percentile(rt, 99))}\n`);
    process.stdout.write(`${CYCLES} installs/upgrades from A's registry through A, from the request until the instance serves the new version:\n`);
    for (const [name, sorted] of [
      ['A', sa],
      ['B', sb],
    ] as const) {
      process.stdout.write(
        `  on ${name}: p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted[sorted.length - 1]!)} (target p99 < 2 s: ${met(percentile(sorted, 99))}); p99 / baseline p50: ${(percentile(sorted, 99) / percentile(rt, 50)).toFixed(0)}x\n`,
      );
    }
    const failures = loadA.failures + loadB.failures;
    process.stdout.write(
      `under load (wrk, ${CONNECTIONS} connections on each host, ${LOAD_SECONDS} s): ${upgrades} upgrades and ${rollBacks} roll-backs through A (until both serve: p50 ${ms(percentile(sort(switches), 50))}, max ${ms(Math.max(...switches))})\n`,
    );
    for (const [name, result] of [
      ['A', loadA],
      ['B', loadB],
    ] as const) {
      process.stdout.write(`  on ${name}: ${result.requests} requests (${result.rps.toFixed(0)}/s, p50 ${ms(result.p50Ms)}, p99 ${ms(result.p99Ms)}), ${result.failures} failed\n`);
    }
    process.stdout.write(`  failed requests in all: ${failures} (target 0: ${failures === 0 ? 'met' : 'NOT met'})\n`);
    figure('install-to-serving p99 on A', percentile(sa, 99), 'ms', 'lower');
    figure('install-to-serving p99 on B', percentile(sb, 99), 'ms', 'lower');
    figure('requests served during upgrades and roll-backs', loadA.requests + loadB.requests, 'requests', 'higher');
    figure('failed requests during upgrades and roll-backs', failures, 'requests', 'lower');
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
