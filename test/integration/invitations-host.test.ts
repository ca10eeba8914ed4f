import { randomBytes } from 'node:crypto';
import type { EventEnvelope } from '@valueverse/plugin-sdk';
import { type Database, type InvitationEventPayload } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { bootHost, signIn } from '../support/host-fixture';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

// Issue #10, finding 8 on the product: a host on PostgreSQL, a tenant admin (not a platform admin) of "demo" adds a
// user of another tenant and an unknown address by email. Same answer for both, no membership, the token only in
// the confidential event and stored hashed in kernel.invitations; the invitees accept over HTTP.
describeWithPostgres('invitations on a host on PostgreSQL', () => {
  const dbName = `vv_invite_host_${randomBytes(5).toString('hex')}`;
  let admin: Database;
  let own: Database;
  let host: Awaited<ReturnType<typeof bootHost>>;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${dbName}`);
    host = await bootHost({ DATABASE_URL: postgresUrl(dbName), VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    own = await openDatabase({ url: postgresUrl(dbName), poolMax: 1 });
    host.kernel.events.subscribe(
      'tenant.invitation.created',
      (event: EventEnvelope) => {
        const payload = event.payload as InvitationEventPayload;
        tokens.set(payload.email, payload.token);
      },
      'test:notifications',
      { kernelEvents: true, confidential: true },
    );
  }, 90_000);

  afterAll(async () => {
    await host?.stop();
    await own?.close();
    await admin?.execute(`drop database if exists ${dbName} with (force)`);
    await admin?.close();
  }, 30_000);

  const api = async (token: string | null, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${host.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined } as { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
  };

  it('invites known and unknown addresses alike, and only acceptance makes members', async () => {
    const operator = await signIn(host.url);
    expect((await api(operator, 'POST', '/api/v1/admin/tenants', { id: 'rival', name: 'Rival Inc' })).status).toBe(201);
    // The operator path: direct adds (a tenant admin of demo, a member of rival).
    expect((await api(operator, 'POST', '/api/v1/admin/tenants/demo/members', { email: 'tina@demo.test', role: 'tenant-admin', password: 'tina long password' })).status).toBe(201);
    expect((await api(operator, 'POST', '/api/v1/admin/tenants/rival/members', { email: 'rita@rival.test', role: 'member', password: 'rita long password' })).status).toBe(201);

    const tina = await signIn(host.url, 'tina@demo.test', 'tina long password');
    const known = await api(tina, 'POST', '/api/v1/admin/tenants/demo/members', { email: 'rita@rival.test', role: 'member' });
    const unknown = await api(tina, 'POST', '/api/v1/admin/tenants/demo/members', { email: 'nobody@nowhere.test', role: 'member' });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(Object.keys(known.body.invitation).sort()).toEqual(Object.keys(unknown.body.invitation).sort());
    const members = async () => (await api(tina, 'GET', '/api/v1/admin/tenants/demo/members')).body.items.map((m: { email: string }) => m.email).sort();
    expect(await members()).toEqual(['admin@example.com', 'tina@demo.test']);

    // Stored hashed: no row holds the token itself.
    const rows = await own.execute<{ email: string }>('select * from kernel.invitations order by email');
    expect(rows.map((r) => r.email)).toEqual(['nobody@nowhere.test', 'rita@rival.test']);
    for (const token of tokens.values()) expect(JSON.stringify(rows)).not.toContain(token);

    expect((await api(null, 'POST', '/api/v1/auth/invitations/accept', { token: tokens.get('rita@rival.test'), password: 'rita long password' })).status).toBe(200);
    expect((await api(null, 'POST', '/api/v1/auth/invitations/accept', { token: tokens.get('nobody@nowhere.test'), password: 'my own new password' })).status).toBe(200);
    expect(await members()).toEqual(['admin@example.com', 'nobody@nowhere.test', 'rita@rival.test', 'tina@demo.test']);
    expect(typeof (await signIn(host.url, 'nobody@nowhere.test', 'my own new password'))).toBe('string');
  }, 60_000);
});
