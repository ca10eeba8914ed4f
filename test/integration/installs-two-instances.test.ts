import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { generateSigningKeyPair, packPluginDirectory, signPackage } from '@valueverse/plugin-sdk/package';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { bootHost, signIn } from '../support/host-fixture';
import { writeTestPlugin } from '../support/package-fixture';
import { describeWithPostgres, describeWithRedis, postgresUrl, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

// Two hosts sharing one PostgreSQL database and Redis, each with its own VV_DATA_DIR: a package installed through A
// serves on B without a restart (B reconciles on the change-feed message), and so do an upgrade and an uninstall; a
// third host started later installs what they run at boot.
describeWithPostgres('installs across host instances', () => {
  describeWithRedis('on PostgreSQL and Redis', () => {
    const database = `vv_installs_${randomBytes(5).toString('hex')}`;
    const prefix = `vv-installs-${randomBytes(4).toString('hex')}`;
    const root = mkdtempSync(join(tmpdir(), 'vv-installs-2-'));
    const key = generateSigningKeyPair();
    let admin: Database;
    let a: Awaited<ReturnType<typeof bootHost>>;
    let b: Awaited<ReturnType<typeof bootHost>>;
    let token: string;
    let env: Record<string, string>;

    beforeAll(async () => {
      admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
      await admin.execute(`create database ${database}`);
      env = { DATABASE_URL: postgresUrl(database), REDIS_URL: TEST_REDIS_URL, VV_REDIS_PREFIX: prefix, VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
      a = await bootHost(env);
      b = await bootHost(env);
      token = await signIn(a.url);
    }, 90_000);

    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await admin?.execute(`drop database if exists ${database} with (force)`);
      await admin?.close();
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      for (const host of [a, b]) if (host) rmSync(host.dataDir, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    });

    const send = async (url: string, method: string, path: string, body?: unknown) => {
      const binary = Buffer.isBuffer(body);
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': binary ? 'application/octet-stream' : 'application/json' }) },
        body: body === undefined ? undefined : binary ? new Uint8Array(body) : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
    };

    /** Milliseconds until `GET url` answers `expected` (polled every 10 ms), failing after 2 s. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field in expectations
    async function until(url: string, check: (res: { status: number; body: any }) => boolean): Promise<number> {
      const started = performance.now();
      while (performance.now() - started < 2000) {
        if (check(await send(url, 'GET', '/api/v1/acme-hello/hello'))) return Math.round(performance.now() - started);
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`${url} did not converge within 2 s`);
    }

    const pack = async (version: string) => signPackage(await packPluginDirectory(writeTestPlugin({ id: 'acme-hello', version }, root)), key.privateKeyPem);

    it('serves an install made through A from B within 2 s, without a restart; upgrades and uninstalls follow', async () => {
      expect((await send(a.url, 'POST', '/api/v1/admin/trusted-keys', { publicKeyPem: key.publicKeyPem, name: 'Acme' })).status).toBe(201);
      const installedAt = performance.now();
      expect((await send(a.url, 'POST', '/api/v1/admin/installs', await pack('1.0.0'))).status).toBe(201);
      const installMs = Math.round(performance.now() - installedAt);
      expect((await send(a.url, 'PUT', '/api/v1/admin/tenants/demo/plugins/acme-hello', { enabled: true })).status).toBe(200);
      const onB = await until(b.url, (res) => res.status === 200 && res.body.version === '1.0.0');
      expect((await send(a.url, 'GET', '/api/v1/acme-hello/hello')).body.version).toBe('1.0.0');

      const installs = await send(b.url, 'GET', '/api/v1/admin/installs');
      const instances = installs.body.items[0].instances as { instanceId: string; state: string; version: string }[];
      expect(instances).toHaveLength(2);
      expect(instances.every((i) => i.state === 'running' && i.version === '1.0.0')).toBe(true);

      // An upgrade uploaded through B: its bytes reach A through the database.
      const upgradedAt = performance.now();
      const upgraded = await send(b.url, 'POST', '/api/v1/admin/installs', await pack('1.1.0'));
      expect(upgraded.body).toMatchObject({ version: '1.1.0', previousVersion: '1.0.0', source: 'upload' });
      const upgradeMs = Math.round(performance.now() - upgradedAt);
      const upgradedOnA = await until(a.url, (res) => res.status === 200 && res.body.version === '1.1.0');

      // From the registry every host mounts (the one database holds it): publish 1.2.0 there, install it through B by
      // id and version; the catalog shows it compatible and installed.
      const publisher = await send(a.url, 'POST', '/api/v1/marketplace/publishers', { name: 'Acme' });
      expect(publisher.status).toBe(201);
      expect((await send(a.url, 'POST', `/api/v1/marketplace/publishers/${publisher.body.id}/keys`, { publicKeyPem: key.publicKeyPem })).status).toBe(201);
      const published = await fetch(`${a.url}/api/v1/marketplace/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${publisher.body.token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(await pack('1.2.0')),
      });
      expect(published.status).toBe(201);
      const fromRegistry = await send(b.url, 'PUT', '/api/v1/admin/installs/acme-hello', { version: '1.2.0' });
      expect(fromRegistry.body).toMatchObject({ version: '1.2.0', previousVersion: '1.1.0', source: 'registry' });
      await until(a.url, (res) => res.status === 200 && res.body.version === '1.2.0');
      const catalog = await send(a.url, 'GET', '/api/v1/admin/marketplace?q=acme-hello');
      expect(catalog.body.items).toEqual([
        expect.objectContaining({ id: 'acme-hello', latestVersion: '1.2.0', compatible: true, installed: { version: '1.2.0', state: 'installed' } }),
      ]);

      // A package that imports a first-party plugin's API entry finds it through the host's links.
      const apiUser = await send(
        a.url,
        'POST',
        '/api/v1/admin/installs',
        await signPackage(
          await packPluginDirectory(writeTestPlugin({ id: 'acme-api', version: '1.0.0', importsApi: '@valueverse/plugin-calculation/api' }, root)),
          key.privateKeyPem,
        ),
      );
      expect(apiUser.status).toBe(201);
      expect((await send(a.url, 'PUT', '/api/v1/admin/tenants/demo/plugins/acme-api', { enabled: true })).status).toBe(200);
      expect((await send(a.url, 'GET', '/api/v1/acme-api/api')).body).toEqual(expect.arrayContaining(['calculationRef']));

      // An instance that starts now installs at boot what the others run.
      const c = await bootHost(env);
      try {
        expect((await send(c.url, 'GET', '/api/v1/acme-hello/hello')).body.version).toBe('1.2.0');
      } finally {
        await c.stop();
        rmSync(c.dataDir, { recursive: true, force: true });
      }

      const removed = await send(a.url, 'DELETE', '/api/v1/admin/installs/acme-hello?force=true');
      expect(removed.body).toMatchObject({ state: 'uninstalled', disabledFor: ['demo'] });
      const goneOnB = await until(b.url, (res) => res.status === 404);
      console.log(
        `install through A ${installMs} ms, serving on B ${onB} ms later; upgrade through B ${upgradeMs} ms, on A ${upgradedOnA} ms later; uninstall seen on B ${goneOnB} ms later`,
      );
    });
  });
});
