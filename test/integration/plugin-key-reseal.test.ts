import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@valueverse/backend-defaults';
import { loadEnvConfig, startHost, type RunningHost } from '@valueverse/host';
import { SecretBox, type Database } from '@valueverse/kernel';
import { helpdeskModel } from '../../plugins/value-architect/src/__fixtures__/helpdesk-model';
import { ADMIN_PASSWORD, signIn } from '../support/host-fixture';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

// Issue #22 follow-up: plugins keep secrets of their own (notifications' unsubscribe key, value-architect's share-link
// key), sealed with `core.secrets`. The kernel's re-seal job calls each plugin's `registrar.onReseal` hook for every
// tenant that has it enabled, and says `done` only after them: once it does, the old encryption key can be dropped
// and the links made before the rotation still verify.

const TENANT = 'demo';

describeWithPostgres('plugin secrets through an encryption-key rotation (registrar.onReseal)', () => {
  const name = `vv_pkeys_${randomBytes(4).toString('hex')}`;
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let admin: Database;
  let db: Database;
  let host: RunningHost | undefined;
  const dataDirs: string[] = [];

  async function boot(keys: string): Promise<RunningHost> {
    const dataDir = mkdtempSync(join(tmpdir(), 'vv-pkeys-'));
    dataDirs.push(dataDir);
    const config = {
      ...loadEnvConfig({ VV_ADMIN_PASSWORD: ADMIN_PASSWORD, VV_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: postgresUrl(name), VV_ENCRYPTION_KEY: keys }),
      port: 0,
    };
    return startHost(config, { preferSource: true, quiet: true });
  }

  async function restart(keys: string): Promise<RunningHost> {
    await host?.stop();
    host = await boot(keys);
    return host;
  }

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant-id': TENANT };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = randomBytes(8).toString('hex');
    const res = await fetch(`${host!.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const publicStatus = async (path: string) => {
    const res = await fetch(`${host!.url}${path}`);
    await res.arrayBuffer();
    return res.status;
  };
  const storedKey = async (table: string) => {
    const [row] = await db.execute<{ secret: string }>(`select secret from ${table} where tenant_id = $1`, [TENANT]);
    return row?.secret;
  };
  /** Opens a plugin's sealed value with `keys` alone and drops the prefix that binds it to the plugin. */
  const openAs = (plugin: string, sealed: string, keys: string[]) => {
    const plaintext = new SecretBox(keys.map((k) => Buffer.from(k, 'base64'))).open(sealed);
    const prefix = `plugin:${plugin}\u0000`;
    expect(plaintext.startsWith(prefix)).toBe(true);
    return plaintext.slice(prefix.length);
  };

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${name}`);
    host = await boot(oldKey);
    db = await openDatabase({ url: postgresUrl(name), poolMax: 1 });
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await host?.stop();
    await admin?.execute(`drop database if exists ${name} with (force)`);
    await admin?.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('re-seals both plugins’ keys, reports done after them, and their links verify once the old key is dropped', async () => {
    let token = await signIn(host!.url);
    for (const plugin of ['notifications', 'value-architect']) {
      const res = await call(token, 'PUT', `/api/v1/admin/tenants/${TENANT}/plugins/${plugin}?cascade=true`, { enabled: true });
      expect(`${plugin} ${res.status}`).toBe(`${plugin} 200`);
    }

    // value-architect: a key stored in plain text by the earlier version is sealed on first use, and keeps its value
    // (links it signed keep opening).
    const plainKey = randomBytes(32).toString('base64');
    await db.execute('insert into value_architect.share_link_keys (tenant_id, secret) values ($1, $2)', [TENANT, plainKey]);
    const model = await call(token, 'POST', '/api/v1/value-models', { name: 'Helpdesk automation', industry: 'software', model: helpdeskModel });
    expect(model.status).toBe(201);
    const link = await call(token, 'POST', `/api/v1/value-models/${model.body!.id as string}/share-links`, { expiresInDays: 7 });
    expect(link.status).toBe(201);
    const shareUrl = new URL(link.body!.url as string, host!.url);
    const sharePath = `${shareUrl.pathname}${shareUrl.search}`;
    expect(await publicStatus(sharePath)).toBe(200);
    const sealedShareKey = (await storedKey('value_architect.share_link_keys'))!;
    expect(SecretBox.isSealed(sealedShareKey)).toBe(true);
    expect(sealedShareKey).not.toContain(plainKey);
    expect(openAs('value-architect', sealedShareKey, [oldKey])).toBe(plainKey);

    // notifications: the first check of a token makes the tenant's key, sealed; a link signed with it verifies.
    expect(await publicStatus(`/api/v1/notifications/unsubscribe/${TENANT}?token=forged.not-a-valid-mac`)).not.toBe(200);
    const sealedUnsubscribeKey = (await storedKey('notifications.signing_keys'))!;
    expect(SecretBox.isSealed(sealedUnsubscribeKey)).toBe(true);
    const unsubscribeKey = Buffer.from(openAs('notifications', sealedUnsubscribeKey, [oldKey]), 'base64');
    expect(unsubscribeKey.length).toBe(32);
    const payload = Buffer.from(JSON.stringify({ r: 'email:ann@example.com', c: 'updates', ch: 'email' })).toString('base64url');
    const mac = createHmac('sha256', unsubscribeKey).update(`${TENANT}.${payload}`).digest('base64url');
    const unsubscribePath = `/api/v1/notifications/unsubscribe/${TENANT}?token=${payload}.${mac}`;
    expect(await publicStatus(unsubscribePath)).toBe(200);
    expect(await publicStatus(`/api/v1/notifications/unsubscribe/${TENANT}?token=${payload}.${mac.slice(1)}x`)).not.toBe(200);

    // notifications: an invitation email still waiting to be sent (its SMTP server refused it) holds its message sealed.
    const invitation = JSON.stringify({ text: 'Accept: /api/v1/auth/invitations/accept?token=vvi_waiting' });
    const sealedInvitation = new SecretBox(Buffer.from(oldKey, 'base64')).seal(`plugin:notifications\u0000${invitation}`);
    await db.execute(
      `insert into notifications.deliveries (id, tenant_id, event_id, recipient, channel, category, critical, status, content)
       values (gen_random_uuid(), $1, 'inv-1:member-invited', 'email:new@example.com', 'email', 'account', true, 'failed', $2::jsonb)`,
      [TENANT, JSON.stringify({ subject: 'You are invited', to: 'new@example.com', text: '(sealed)', confidential: true, sealed: sealedInvitation })],
    );

    // The rotation: the new key learnt, then first (this boot starts the re-seal job); wait until it says done.
    await restart(`${oldKey},${newKey}`);
    await restart(`${newKey},${oldKey}`);
    token = await signIn(host!.url);
    let status: { encryption: { keys: number; sealedWithOlderKeys: number; reseal: { state: string; pluginCalls: number; pluginFailures: unknown[] } } } | undefined;
    for (let i = 0; ; i++) {
      const res = await call(token, 'GET', '/api/v1/admin/keys');
      expect(res.status).toBe(200);
      status = res.body as typeof status;
      if (status!.encryption.reseal.state === 'done' || status!.encryption.reseal.state === 'failed') break;
      if (i > 200) throw new Error(`re-sealing did not finish: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status!.encryption).toMatchObject({ keys: 2, sealedWithOlderKeys: 0, reseal: { state: 'done', pluginFailures: [] } });
    expect(status!.encryption.reseal.pluginCalls).toBeGreaterThanOrEqual(2); // both plugins, for the tenant

    // Both plugin keys are sealed with the new key (they open with it alone) and still not plain.
    for (const [plugin, table, value] of [
      ['value-architect', 'value_architect.share_link_keys', plainKey],
      ['notifications', 'notifications.signing_keys', unsubscribeKey.toString('base64')],
    ] as const) {
      const stored = (await storedKey(table))!;
      expect(SecretBox.isSealed(stored)).toBe(true);
      expect(stored).not.toContain(value);
      expect(openAs(plugin, stored, [newKey])).toBe(value);
      expect(() => new SecretBox(Buffer.from(oldKey, 'base64')).open(stored)).toThrow();
    }

    // The waiting invitation's message is sealed with the new key too, so it can still be sent without the old one.
    const [waiting] = await db.execute<{ sealed: string }>(`select content->>'sealed' as sealed from notifications.deliveries where event_id = 'inv-1:member-invited'`);
    expect(waiting!.sealed).not.toBe(sealedInvitation);
    expect(openAs('notifications', waiting!.sealed, [newKey])).toBe(invitation);

    // The old key dropped: the links made before the rotation still verify (a fresh process, no cached key).
    await restart(newKey);
    expect(await publicStatus(sharePath)).toBe(200);
    expect(await publicStatus(unsubscribePath)).toBe(200);
  }, 240_000);
});
