import { bootAuthKernel, type AuthTestKernel } from '../__fixtures__/auth-test-kernel';
import type { ChangeFeed } from '../plugin-sets/change-feed';
import { openSse, type SseClient } from '../__fixtures__/sse-client';
import { STREAM_REVOKED_EVENT } from './event-stream-routes';

// Issue #10 finding 2: an SSE stream opened with an API key kept receiving events after the key was deleted, and
// streams of a suspended tenant kept delivering. Each case: the stream gets a final `stream.revoked` and ends.
describe('event streams end when their credential stops standing', () => {
  let k: AuthTestKernel;
  const streams: SseClient[] = [];
  const STREAM = '/api/v1/events/stream';

  beforeAll(async () => {
    k = await bootAuthKernel({ maxStreamsPerPrincipal: 3 });
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(() => k.close());

  const open = async (headers: Record<string, string>) => {
    const client = await openSse(k.url + STREAM, headers);
    streams.push(client);
    return client;
  };
  /** The stream's last frame is `stream.revoked` with a reason, and the server ended it. */
  const expectRevoked = async (client: SseClient) => {
    const frame = await client.next((f) => f.event === STREAM_REVOKED_EVENT, 2000);
    expect(JSON.parse(frame.data!).reason).toEqual(expect.any(String));
    await client.ended;
    expect(client.frames[client.frames.length - 1]!.event).toBe(STREAM_REVOKED_EVENT);
  };
  const apiKey = async (tenant: string) => {
    const res = await k.call('POST', `/api/v1/admin/tenants/${tenant}/api-keys`, { token: await k.admin(), body: { name: 'feed', role: 'viewer' } });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };

  it("ends an API key's stream when the key is deleted, and leaves other streams open", async () => {
    const key = await apiKey('acme');
    const other = await apiKey('acme');
    const revoked = await open({ 'x-api-key': key.key });
    const kept = await open({ 'x-api-key': other.key });
    expect(revoked.status).toBe(200);
    expect((await k.call('DELETE', `/api/v1/admin/tenants/acme/api-keys/${key.id}`, { token: await k.admin() })).status).toBe(204);
    await expectRevoked(revoked);
    // The other key's stream still delivers.
    const admin = await k.admin();
    expect((await k.call('POST', '/api/v1/notes', { token: admin, body: {} })).status).toBe(200);
    expect((await kept.next((f) => f.event === 'notes.created', 2000)).event).toBe('notes.created');
  });

  it('ends the streams of a suspended tenant, API keys and users alike', async () => {
    await k.addUser('u-ines', { globex: 'viewer' });
    const session = await k.login('u-ines@example.test');
    const byUser = await open({ authorization: `Bearer ${session.body.accessToken}` });
    const byKey = await open({ 'x-api-key': (await apiKey('globex')).key });
    expect((await k.call('PATCH', '/api/v1/admin/tenants/globex', { token: await k.admin(), body: { status: 'suspended' } })).status).toBe(200);
    await expectRevoked(byUser);
    await expectRevoked(byKey);
    expect((await k.call('PATCH', '/api/v1/admin/tenants/globex', { token: await k.admin(), body: { status: 'active' } })).status).toBe(200);
  });

  it('ends a stream when its user is removed from the tenant, and when its session signs out', async () => {
    await k.addUser('u-jon', { acme: 'member' });
    const removed = await k.login('u-jon@example.test');
    const removedStream = await open({ authorization: `Bearer ${removed.body.accessToken}` });
    expect((await k.call('DELETE', '/api/v1/admin/tenants/acme/members/u-jon', { token: await k.admin() })).status).toBe(204);
    await expectRevoked(removedStream);

    await k.addUser('u-kim', { acme: 'member' });
    const laptop = await k.login('u-kim@example.test');
    const phone = await k.login('u-kim@example.test');
    const laptopStream = await open({ authorization: `Bearer ${laptop.body.accessToken}` });
    const phoneStream = await open({ authorization: `Bearer ${phone.body.accessToken}` });
    expect((await k.call('POST', '/api/v1/auth/logout', { body: { refreshToken: laptop.body.refreshToken } })).status).toBe(204);
    await expectRevoked(laptopStream);
    // The other session's stream is untouched.
    expect((await k.call('POST', '/api/v1/notes', { token: await k.admin(), body: {} })).status).toBe(200);
    expect((await phoneStream.next((f) => f.event === 'notes.created', 2000)).event).toBe('notes.created');
  });

  it("ends a disabled user's streams", async () => {
    await k.addUser('u-max', { acme: 'member' });
    const session = await k.login('u-max@example.test');
    const stream = await open({ authorization: `Bearer ${session.body.accessToken}` });
    expect((await k.call('PATCH', '/api/v1/admin/users/u-max', { token: await k.admin(), body: { disabled: true } })).status).toBe(200);
    await expectRevoked(stream);
  });

  it("ends a demoted user's stream", async () => {
    await k.addUser('u-lea', { acme: 'tenant-admin' });
    const session = await k.login('u-lea@example.test');
    const stream = await open({ authorization: `Bearer ${session.body.accessToken}` });
    expect((await k.call('PATCH', '/api/v1/admin/tenants/acme/members/u-lea', { token: await k.admin(), body: { role: 'viewer' } })).status).toBe(200);
    await expectRevoked(stream);
  });

  it('caps open streams per principal with 429 VV_TOO_MANY_STREAMS, and frees a place when one closes', async () => {
    const key = await apiKey('acme');
    const first = [await open({ 'x-api-key': key.key }), await open({ 'x-api-key': key.key }), await open({ 'x-api-key': key.key })];
    expect(first.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await fetch(k.url + STREAM, { headers: { 'x-api-key': key.key } });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { code: string }).code).toBe('VV_TOO_MANY_STREAMS');
    // Another principal is not affected.
    expect((await open({ 'x-api-key': (await apiKey('acme')).key })).status).toBe(200);
    first[0]!.close();
    await first[0]!.ended;
    let again: SseClient | undefined;
    for (let i = 0; i < 50 && again?.status !== 200; i += 1) {
      again?.close();
      again = await open({ 'x-api-key': key.key });
      if (again.status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(again!.status).toBe(200);
  });

  it('checks every stream again when the change feed reconnected (messages may have been missed)', async () => {
    let deliver!: (message: string | undefined) => void;
    const feed: ChangeFeed = { publish: async () => {}, subscribe: async (onChange) => void (deliver = onChange), close: async () => {} };
    const other = await bootAuthKernel({ changeFeed: feed });
    try {
      const created = await other.call('POST', '/api/v1/admin/tenants/acme/api-keys', { token: await other.admin(), body: { name: 'feed', role: 'viewer' } });
      const missed = await openSse(other.url + STREAM, { 'x-api-key': created.body.key });
      const fine = await openSse(other.url + STREAM, {
        'x-api-key': (await other.call('POST', '/api/v1/admin/tenants/acme/api-keys', { token: await other.admin(), body: { name: 'ok', role: 'viewer' } })).body.key,
      });
      streams.push(missed, fine);
      // Revoked on "another instance": in the shared store, with the message lost while the feed was down.
      expect(await other.identityStore.revokeApiKey('acme', created.body.id)).toBe(true);
      deliver(undefined);
      const frame = await missed.next((f) => f.event === STREAM_REVOKED_EVENT, 2000);
      expect(frame.event).toBe(STREAM_REVOKED_EVENT);
      await missed.ended;
      expect((await other.call('POST', '/api/v1/notes', { token: await other.admin(), body: {} })).status).toBe(200);
      expect((await fine.next((f) => f.event === 'notes.created', 2000)).event).toBe('notes.created');
    } finally {
      await other.close();
    }
  });
});
