import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { verifyWebhook } from '@valueverse/plugin-notifications';
import { startLoopbackReceiver, type LoopbackReceiver } from '../../plugins/notifications/src/__fixtures__/loopback-receiver';
import { startLoopbackSmtp, type LoopbackSmtp } from '../../plugins/notifications/src/__fixtures__/loopback-smtp';
import { bootHost, signIn } from '../support/host-fixture';
import { waitFor } from '../support/host-process';
import { describeWithPostgres, describeWithRedis, postgresUrl, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../support/services';

// A commitment going at-risk on the value story, with two web instances (A, B; no job workers) and a worker
// process, all on one PostgreSQL database and one Redis: every instance receives the event and fans it out, and
// the worker is killed (SIGKILL) while its SMTP transactions are open. A second worker takes the stalled jobs over.
// Each recipient gets exactly one email, one inbox item (users only) and one webhook.

const repo = resolve(__dirname, '..', '..');
const webhookSecret = 'whsec-two-instances-0123';

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
  const running = () =>
    waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${output}`);
        return /ValueVerse worker running jobs/.test(output) ? true : undefined;
      },
      90_000,
      'worker running',
      100,
    );
  return { child, exited, running, output: () => output };
}

describeWithPostgres('notifications on two instances and a worker (PostgreSQL + Redis)', () => {
  describeWithRedis('exactly once per (event, recipient, channel)', () => {
    const database = `vv_notify_${randomBytes(5).toString('hex')}`;
    const prefix = `vv-notify-${randomBytes(4).toString('hex')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'vv-notify-'));
    let admin: Database;
    let a: Awaited<ReturnType<typeof bootHost>>;
    let b: Awaited<ReturnType<typeof bootHost>>;
    let smtp: LoopbackSmtp;
    let hook: LoopbackReceiver;
    let env: Record<string, string>;
    const workers: ReturnType<typeof spawnWorker>[] = [];
    let token: string;

    const api = async (url: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined } as { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
    };
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

    beforeAll(async () => {
      admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
      await admin.execute(`create database ${database}`);
      [smtp, hook] = await Promise.all([startLoopbackSmtp(), startLoopbackReceiver()]);
      env = {
        DATABASE_URL: postgresUrl(database),
        REDIS_URL: TEST_REDIS_URL,
        VV_REDIS_PREFIX: prefix,
        VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        VV_OUTBOUND_ALLOW_PRIVATE: '127.0.0.1/32',
      };
      // The web instances run no jobs: every delivery is the worker's, so killing it kills the deliveries.
      a = await bootHost({ ...env, VV_WORKERS: 'off' });
      b = await bootHost({ ...env, VV_WORKERS: 'off' });
      token = await signIn(a.url);
      const config = {
        enabled: true,
        config: {
          email: { from: 'ValueVerse <noreply@demo.test>', smtp: { host: '127.0.0.1', port: smtp.port } },
          webhook: { url: hook.url, secret: webhookSecret },
        },
      };
      expect((await api(a.url, 'PUT', '/api/v1/admin/tenants/demo/plugins/notifications', config)).status).toBe(200);
      // The admin becomes known to notifications (email, role); an outside stakeholder is added to the workflow.
      expect((await api(b.url, 'GET', '/api/v1/notifications/inbox')).status).toBe(200);
      const workflow = (await api(a.url, 'GET', '/api/v1/notifications/workflows/commitment-at-risk')).body;
      const updated = await api(a.url, 'PUT', '/api/v1/notifications/workflows/commitment-at-risk', {
        name: workflow.name,
        eventPattern: workflow.eventPattern,
        recipients: [{ role: 'tenant-admin' }, { email: 'cfo@customer.example' }],
        channels: ['email', 'inbox', 'webhook'],
        template: workflow.template,
        category: workflow.category,
      });
      expect(updated.status).toBe(200);
      const worker = spawnWorker({ ...env, VV_DATA_DIR: mkdtempSync(join(dataDir, 'w1-')) });
      workers.push(worker);
      await worker.running();
    }, 180_000);

    afterAll(async () => {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await a?.stop();
      await b?.stop();
      await Promise.all([smtp?.close(), hook?.close()]);
      await admin?.execute(`drop database if exists ${database} with (force)`);
      await admin?.close();
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(a?.dataDir ?? '', { recursive: true, force: true });
      rmSync(b?.dataDir ?? '', { recursive: true, force: true });
    }, 60_000);

    it('sends one email, one inbox item and one webhook per recipient when the commitment goes at-risk, though the worker dies mid-delivery', async () => {
      const library = await api(a.url, 'GET', '/api/v1/value-models/library?industry=software');
      const keys = library.body.industries[0].drivers.slice(0, 3).map((d: { key: string }) => d.key);
      const model = await api(a.url, 'POST', '/api/v1/value-models', { name: 'Rollout', fromLibrary: { industry: 'software', drivers: keys } });
      expect(model.status).toBe(201);
      const driver = model.body.model.drivers[0].name;
      const commitment = await api(a.url, 'POST', '/api/v1/commitments', {
        modelId: model.body.id,
        title: 'Rollout commitment',
        confidence: 0.8,
        trials: 2000,
        seed: 42,
        milestones: [{ id: 'm1', title: 'Adoption', dueDate: day(30), metric: driver, target: 1000 }],
      });
      expect(commitment).toMatchObject({ status: 201 });
      const commitmentId = commitment.body.id as string;
      for (const to of ['proposed', 'signed', 'active']) expect((await api(a.url, 'POST', `/api/v1/commitments/${commitmentId}/transitions`, { to })).status).toBe(200);

      // The SMTP server holds every message open: the worker is mid-delivery when it is killed.
      smtp.holding = true;
      for (const [offset, value] of [
        [-20, 10],
        [-10, 20],
        [0, 30],
      ] as const) {
        expect((await api(b.url, 'POST', '/api/v1/realization/measurements', { commitmentId, metric: driver, value, measuredAt: day(offset) })).status).toBe(201);
      }
      await waitFor(async () => (smtp.held >= 2 ? true : undefined), 60_000, 'both emails in flight', 100);
      workers[0]!.child.kill('SIGKILL');
      await workers[0]!.exited;
      smtp.holding = false;
      expect(smtp.mails).toHaveLength(0);

      const next = spawnWorker({ ...env, VV_DATA_DIR: mkdtempSync(join(dataDir, 'w2-')) });
      workers.push(next);
      await next.running();
      await smtp.waitFor(2, 150_000).catch(async (error: unknown) => {
        const log = await api(a.url, 'GET', '/api/v1/notifications/deliveries?limit=50');
        throw new Error(`${(error as Error).message}; deliveries: ${JSON.stringify(log.body.items)}; worker: ${next.output().slice(-3000)}`);
      });
      await hook.waitFor(2, 60_000);
      // Time for any duplicate to show up: another flush sweep, retries of the stalled jobs.
      await new Promise((r) => setTimeout(r, 5000));

      expect(smtp.mails.map((m) => (m.to as { text: string }).text).sort()).toEqual(['admin@example.com', 'cfo@customer.example']);
      expect(smtp.mails.every((m) => m.subject === 'At risk: Adoption')).toBe(true);
      expect(hook.requests).toHaveLength(2);
      for (const request of hook.requests) expect(verifyWebhook(webhookSecret, request.body, request.headers['x-valueverse-signature'] as string)).toBeUndefined();
      expect(hook.requests.map((r) => JSON.parse(r.body).recipient).sort()).toEqual(['email:cfo@customer.example', expect.stringMatching(/^user:/)]);
      const inbox = await api(b.url, 'GET', '/api/v1/notifications/inbox');
      expect(inbox.body.items.filter((i: { title: string }) => i.title === 'At risk: Adoption')).toHaveLength(1);
      const log = await api(a.url, 'GET', '/api/v1/notifications/deliveries?limit=50');
      const atRisk = log.body.items.filter((d: { subject: string }) => d.subject === 'At risk: Adoption');
      expect(atRisk.map((d: { channel: string; status: string }) => `${d.channel}:${d.status}`).sort()).toEqual([
        'email:sent',
        'email:sent',
        'inbox:sent',
        'webhook:sent',
        'webhook:sent',
      ]);
    }, 300_000);
  });
});
