import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, readdirSync, existsSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { signIn } from '../support/host-fixture';
import { startHostProcess, waitFor, type HostProcess } from '../support/host-process';
import { describeWithPostgres, describeWithRedis, postgresUrl, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

const REPO = resolve(__dirname, '../..');
const FIXTURE = resolve(__dirname, '../support/trace-fixture-plugin');

/**
 * A small round-robin reverse proxy, as a load balancer in front of the hosts: requests go to the hosts in the
 * rotation in turn; a connection error, or a 503 VV_SHUTTING_DOWN (a draining host refuses before running anything),
 * is retried on the next host, as nginx's proxy_next_upstream does (docker/nginx/nginx.conf).
 */
class RoundRobinProxy {
  private next = 0;
  readonly backends: string[] = [];
  private server: Server | undefined;
  retried = 0;

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const attempt = (tries: number): void => {
          const backend = this.backends[this.next++ % this.backends.length];
          if (!backend || tries > this.backends.length + 1) {
            res.writeHead(502).end('no backend');
            return;
          }
          const retry = () => {
            this.retried += 1;
            attempt(tries + 1);
          };
          const upstream = httpRequest(`${backend}${req.url}`, { method: req.method, headers: { ...req.headers, connection: 'close' } }, (answer: IncomingMessage) => {
            const parts: Buffer[] = [];
            answer.on('data', (c: Buffer) => parts.push(c));
            answer.on('end', () => {
              const text = Buffer.concat(parts);
              if (answer.statusCode === 503 && text.includes('VV_SHUTTING_DOWN')) return retry();
              res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' }).end(text);
            });
            answer.on('error', retry);
          });
          upstream.on('error', retry);
          upstream.end(body);
        };
        attempt(0);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
  }

  close(): void {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}

// Three host processes on PostgreSQL + Redis behind a round-robin proxy, under steady load, restarted one at a time
// (out of the rotation, SIGTERM, drain, exit; a new process started and ready, back in) while a tenant's plugin set
// changes: no request fails, and every event published in an answered request ends in a job that ran.
describeWithPostgres('rolling restart of three hosts', () => {
  describeWithRedis('on PostgreSQL and Redis', () => {
    const database = `vv_rolling_${randomBytes(5).toString('hex')}`;
    const prefix = `vv-rolling-${randomBytes(4).toString('hex')}`;
    const pluginsDir = mkdtempSync(join(tmpdir(), 'vv-rolling-plugins-'));
    let admin: Database;
    const proxy = new RoundRobinProxy();
    const hosts: HostProcess[] = [];
    const stopped: HostProcess[] = [];

    beforeAll(async () => {
      // The first-party plugins and the fixture (whose route publishes an event that becomes a job).
      for (const name of readdirSync(join(REPO, 'plugins'))) {
        if (existsSync(join(REPO, 'plugins', name, 'plugin.json'))) symlinkSync(join(REPO, 'plugins', name), join(pluginsDir, name), 'dir');
      }
      symlinkSync(FIXTURE, join(pluginsDir, 'trace-probe'), 'dir');
      admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
      await admin.execute(`create database ${database}`);
    });

    afterAll(async () => {
      proxy.close();
      for (const host of hosts) await host.stop();
      await admin?.execute(`drop database if exists ${database} with (force)`);
      await admin?.close();
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      rmSync(pluginsDir, { recursive: true, force: true });
    }, 60_000);

    it('serves steady load through three restarts with 0 failed requests and no lost event or job', async () => {
      const env = {
        DATABASE_URL: postgresUrl(database),
        REDIS_URL: TEST_REDIS_URL,
        VV_REDIS_PREFIX: prefix,
        VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        VV_PLUGINS_DIR: pluginsDir,
        LOG_LEVEL: 'info',
      };
      const start = () => startHostProcess(env, { readyTimeoutMs: 120_000 });
      // The first boot seeds (admin, demo tenant): one host first, then the others.
      hosts.push(await start());
      hosts.push(...(await Promise.all([start(), start()])));
      const url = await proxy.listen();
      proxy.backends.push(...hosts.map((h) => h.url));
      const token = await signIn(url);
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

      // Steady load: 4 clients pinging in a loop; each answer's ping id must end in a job that ran.
      let loading = true;
      const failures: string[] = [];
      const pingIds: string[] = [];
      const client = async () => {
        while (loading) {
          try {
            const res = await fetch(`${url}/api/v1/trace-probe/ping`, { method: 'POST', headers: auth, body: '{}' });
            const text = await res.text();
            if (res.status === 200) pingIds.push((JSON.parse(text) as { pingId: string }).pingId);
            else failures.push(`${res.status} ${text.slice(0, 200)}`);
          } catch (error) {
            failures.push(`network: ${(error as Error).message}`);
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      // The plugin set changes meanwhile: value-executor turned off and on again for the demo tenant.
      let toggles = 0;
      const toggler = async () => {
        while (loading) {
          const res = await fetch(`${url}/api/v1/admin/tenants/demo/plugins/value-executor?cascade=true`, {
            method: 'PUT',
            headers: auth,
            body: JSON.stringify({ enabled: toggles % 2 === 1 }),
          });
          const text = await res.text();
          if (res.status !== 200) failures.push(`plugin-set change: ${res.status} ${text.slice(0, 200)}`);
          toggles += 1;
          await new Promise((r) => setTimeout(r, 1000));
        }
      };
      const load = [client(), client(), client(), client(), toggler()];
      await new Promise((r) => setTimeout(r, 2000));

      for (let i = 0; i < 3; i++) {
        const old = hosts[i]!;
        // Out of the rotation first (Kubernetes removes the endpoint, then preStop, then SIGTERM).
        proxy.backends.splice(proxy.backends.indexOf(old.url), 1);
        await new Promise((r) => setTimeout(r, 200));
        await old.stop();
        expect(old.child.exitCode).toBe(0);
        stopped.push(old);
        const fresh = await start();
        hosts[i] = fresh;
        proxy.backends.push(fresh.url);
        await new Promise((r) => setTimeout(r, 2000));
      }
      loading = false;
      await Promise.all(load);

      expect(failures).toEqual([]);
      expect(pingIds.length).toBeGreaterThan(200);
      expect(toggles).toBeGreaterThan(10);
      // Every answered ping's event became a job that ran, on one of the processes, old or new.
      const output = () => [...stopped, ...hosts].map((h) => h.output()).join('\n');
      const missing = () => pingIds.filter((id) => !output().includes(`"pingId":"${id}"`));
      await waitFor(async () => (missing().length === 0 ? true : undefined), 60_000, 'every ping recorded by a job', 500).catch((error: Error) => {
        throw new Error(`${error.message}: ${missing().length} of ${pingIds.length} missing`);
      });
      // Every instance's subscriber queues the event's job under the event's id: one that is still waiting absorbs the
      // others' enqueues, one that already ran does not (a job id is free again once its job succeeded), so a job
      // runs once per instance at most.
      for (const id of pingIds.slice(0, 50)) expect(output().split(`"pingId":"${id}"`).length - 1).toBeLessThanOrEqual(3);
    }, 600_000);
  });
});
