import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@valueverse/backend-defaults';
import { loadEnvConfig, startHost, type RunningHost } from '@valueverse/host';
import { SecretBox, type Database } from '@valueverse/kernel';
import { ADMIN_PASSWORD, signIn } from '../support/host-fixture';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

// Issue #22, key rotation without downtime: two instances on one database serve a steady load while both encryption
// keys and the JWT signing key rotate. Encryption: a rolling restart lists the new key second ("old,new"), a second
// one lists it first ("new,old") and the re-seal job moves every secret to it. Signing: a rotation on one instance is
// verified by the other before any token is signed with it, and the token issued before the rotation stays valid.
// Zero failed requests, zero secrets lost.

const SECRET = 'sk-rotation-secret-value';
const REFRESH_MS = 200;
const PROPAGATION_MS = 1500;

describeWithPostgres('key rotation on two instances under load (issue #22)', () => {
  const name = `vv_keys_${randomBytes(4).toString('hex')}`;
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let admin: Database;
  let db: Database;
  const dataDirs: string[] = [];
  const live: (RunningHost | undefined)[] = [undefined, undefined];

  async function boot(keys: string): Promise<RunningHost> {
    const dataDir = mkdtempSync(join(tmpdir(), 'vv-keys-'));
    dataDirs.push(dataDir);
    const config = {
      ...loadEnvConfig({ VV_ADMIN_PASSWORD: ADMIN_PASSWORD, VV_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: postgresUrl(name), VV_ENCRYPTION_KEY: keys }),
      port: 0,
    };
    return startHost(config, { preferSource: true, quiet: true, keyRefreshMs: REFRESH_MS, keyPropagationMs: PROPAGATION_MS });
  }

  /** Takes instance `i` out of the load (as a load balancer would), stops it and boots it again with `keys`. */
  async function restart(i: number, keys: string): Promise<void> {
    const host = live[i]!;
    live[i] = undefined;
    await new Promise((r) => setTimeout(r, 100));
    await host.stop();
    live[i] = await boot(keys);
  }

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${name}`);
    live[0] = await boot(oldKey);
    live[1] = await boot(oldKey);
    db = await openDatabase({ url: postgresUrl(name), poolMax: 1 });
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    for (const host of live) await host?.stop();
    await admin?.execute(`drop database if exists ${name} with (force)`);
    await admin?.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('rotates the encryption key and the signing key with zero failed requests, zero secrets lost, old tokens valid', async () => {
    const first = live[0]!;
    const oldToken = await signIn(first.url);
    const put = await fetch(`${first.url}/api/v1/admin/tenants/demo/plugins/ai-openai`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${oldToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, config: { apiKey: SECRET, model: 'gpt-test' } }),
    });
    expect(put.status).toBe(200);
    // The workers below run as fast as the hosts answer: the tenant's rate limit (200/s by default) must not be what
    // refuses them, or 429s would count as failed requests of the rotation.
    const raised = await fetch(`${first.url}/api/v1/admin/tenants/demo`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${oldToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { rateLimits: { tenant: { perSecond: 100_000, burst: 100_000 } } } }),
    });
    expect(raised.status).toBe(200);

    // The load: four workers, each request to the next live instance, with the token from before every rotation.
    const failures: string[] = [];
    let requests = 0;
    let running = true;
    let turn = 0;
    const worker = async () => {
      while (running) {
        const hosts = live.filter((h): h is RunningHost => h !== undefined);
        const host = hosts[turn++ % hosts.length]!;
        try {
          const res = await fetch(`${host.url}/api/v1/admin/tenants/demo/plugins`, { headers: { authorization: `Bearer ${oldToken}` } });
          await res.arrayBuffer();
          requests++;
          if (res.status !== 200) failures.push(`${host.url} ${res.status}`);
        } catch (error) {
          // A request cut by a stop that raced the hand-over is a failed request too.
          failures.push(`${host.url} ${(error as Error).message}`);
        }
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);

    // Encryption: every instance learns the new key, then every instance seals with it; the job re-seals the rest.
    for (const i of [0, 1]) await restart(i, `${oldKey},${newKey}`);
    for (const i of [0, 1]) await restart(i, `${newKey},${oldKey}`);
    const status = async (host: RunningHost) => {
      const res = await fetch(`${host.url}/api/v1/admin/keys`, { headers: { authorization: `Bearer ${oldToken}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as {
        signing: { kid: string; signing: boolean; retireAfter: string | null }[];
        encryption: { keys: number; sealedValues: number; sealedWithOlderKeys: number };
      };
    };
    for (let i = 0; (await status(live[0]!)).encryption.sealedWithOlderKeys > 0; i++) {
      if (i > 100) throw new Error('re-sealing did not finish');
      await new Promise((r) => setTimeout(r, 100));
    }
    const encryption = (await status(live[1]!)).encryption;
    expect(encryption).toMatchObject({ keys: 2, sealedWithOlderKeys: 0 });
    expect(encryption.sealedValues).toBeGreaterThanOrEqual(2); // the plugin secret and the signing key

    // Signing: rotate on one instance; the other verifies the new key's tokens; the old token stays valid.
    const rotate = await fetch(`${live[0]!.url}/api/v1/admin/keys/signing/rotate`, { method: 'POST', headers: { authorization: `Bearer ${oldToken}` } });
    expect(rotate.status).toBe(200);
    const rotated = (await rotate.json()) as { signing: { kid: string; signing: boolean; retireAfter: string | null }[] };
    expect(rotated.signing.length).toBe(2);
    const oldKid = JSON.parse(Buffer.from(oldToken.split('.')[0]!, 'base64url').toString()).kid as string;
    expect(rotated.signing.find((k) => k.kid === oldKid)?.retireAfter).not.toBeNull();
    // The instance that rotated publishes both keys at once; the other within one reload of its key ring (and
    // before any instance signs with the new key: PROPAGATION_MS spans several reloads).
    for (const host of live) {
      const deadline = Date.now() + 2 * REFRESH_MS + 1000;
      let keys = 0;
      while (keys !== 2 && Date.now() < deadline) {
        keys = ((await (await fetch(`${host!.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.length;
        if (keys !== 2) await new Promise((r) => setTimeout(r, 100));
      }
      expect(keys).toBe(2);
    }
    await new Promise((r) => setTimeout(r, PROPAGATION_MS + 2 * REFRESH_MS));
    const newToken = await signIn(live[1]!.url);
    const newKid = JSON.parse(Buffer.from(newToken.split('.')[0]!, 'base64url').toString()).kid as string;
    expect(newKid).not.toBe(oldKid);
    for (const host of live) {
      for (const token of [newToken, oldToken]) {
        const res = await fetch(`${host!.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
      }
    }

    running = false;
    await load;
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(100);

    // Zero secrets lost: the stored secret opens with the new key alone and is the value that was saved.
    const onlyNew = new SecretBox([Buffer.from(newKey, 'base64')]);
    const [row] = await db.execute<{ config: { apiKey: string } }>(`select config from kernel.tenant_plugins where tenant_id = 'demo' and plugin_id = 'ai-openai'`);
    expect(onlyNew.open(row!.config.apiKey)).toBe(SECRET);
    for (const key of await db.execute<{ sealed_jwk: string }>('select sealed_jwk from kernel.signing_keys')) expect(() => onlyNew.open(key.sealed_jwk)).not.toThrow();
  }, 240_000);
});
