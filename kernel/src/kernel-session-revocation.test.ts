import { bootAuthKernel, type AuthTestKernel } from './__fixtures__/auth-test-kernel';

// Issue #10 finding 5: a demoted tenant admin's token still listed members, a removed member still created notes,
// until the token expired (up to 15 minutes). And finding 8: a refresh naming a foreign tenant spent the token.
describe('access changes take effect at once, not at token expiry', () => {
  let k: AuthTestKernel;
  let versionReads = 0;

  beforeAll(async () => {
    k = await bootAuthKernel();
    const read = k.identityStore.getSessionState?.bind(k.identityStore);
    k.identityStore.getSessionState = (userId: string) => {
      versionReads += 1;
      return read(userId);
    };
  });
  afterAll(() => k.close());

  it("refuses a demoted tenant admin's token on the next request; a refresh gives the lower role", async () => {
    await k.addUser('u-dana', { acme: 'tenant-admin' });
    const session = await k.login('u-dana@example.test');
    expect(session.status).toBe(200);
    const token = session.body.accessToken as string;
    expect((await k.call('GET', '/api/v1/admin/tenants/acme/members', { token })).status).toBe(200);

    const demoted = await k.call('PATCH', '/api/v1/admin/tenants/acme/members/u-dana', { token: await k.admin(), body: { role: 'member' } });
    expect(demoted.status).toBe(200);

    const after = await k.call('GET', '/api/v1/admin/tenants/acme/members', { token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('VV_UNAUTHENTICATED');
    // The plugin routes refuse the old token too, not only the admin routes.
    expect((await k.call('GET', '/api/v1/notes', { token })).status).toBe(401);

    const refreshed = await k.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.body.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.tenant.role).toBe('member');
    const fresh = refreshed.body.accessToken as string;
    expect((await k.call('GET', '/api/v1/admin/tenants/acme/members', { token: fresh })).status).toBe(403);
    expect((await k.call('POST', '/api/v1/notes', { token: fresh, body: {} })).status).toBe(200);
  });

  it("refuses a removed member's token at once, and a promotion leaves the token working", async () => {
    await k.addUser('u-rami', { acme: 'viewer', globex: 'member' });
    const session = await k.login('u-rami@example.test', { tenantId: 'globex' });
    const token = session.body.accessToken as string;
    expect((await k.call('POST', '/api/v1/notes', { token, body: {} })).status).toBe(200);

    // Promoted in acme: nothing was taken away, the globex token keeps working.
    expect((await k.call('PATCH', '/api/v1/admin/tenants/acme/members/u-rami', { token: await k.admin(), body: { role: 'member' } })).status).toBe(200);
    expect((await k.call('POST', '/api/v1/notes', { token, body: {} })).status).toBe(200);

    expect((await k.call('DELETE', '/api/v1/admin/tenants/globex/members/u-rami', { token: await k.admin() })).status).toBe(204);
    const refused = await k.call('POST', '/api/v1/notes', { token, body: {} });
    expect(refused.status).toBe(401);
  });

  it("refuses the access token of a signed-out session, and only that session's", async () => {
    await k.addUser('u-sol', { acme: 'member' });
    const laptop = await k.login('u-sol@example.test');
    const phone = await k.login('u-sol@example.test');
    expect((await k.call('GET', '/api/v1/notes', { token: laptop.body.accessToken })).status).toBe(200);
    expect((await k.call('POST', '/api/v1/auth/logout', { body: { refreshToken: laptop.body.refreshToken } })).status).toBe(204);
    expect((await k.call('GET', '/api/v1/notes', { token: laptop.body.accessToken })).status).toBe(401);
    expect((await k.call('GET', '/api/v1/notes', { token: phone.body.accessToken })).status).toBe(200);
  });

  it('ends every session of a disabled user at once, refuses sign-in and refresh, and lets them back when enabled', async () => {
    await k.addUser('u-wes', { acme: 'member', globex: 'viewer' });
    const acme = await k.login('u-wes@example.test', { tenantId: 'acme' });
    const globex = await k.login('u-wes@example.test', { tenantId: 'globex' });
    const root = await k.admin();
    const disabled = await k.call('PATCH', '/api/v1/admin/users/u-wes', { token: root, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: 'u-wes', disabled: true });
    for (const session of [acme, globex]) expect((await k.call('GET', '/api/v1/notes', { token: session.body.accessToken })).status).toBe(401);
    const signIn = await k.login('u-wes@example.test');
    expect(signIn.status).toBe(403);
    expect(signIn.body.detail).toMatch(/disabled/);
    expect((await k.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: acme.body.refreshToken } })).status).toBe(403);

    expect((await k.call('PATCH', '/api/v1/admin/users/u-wes', { token: root, body: { disabled: false } })).status).toBe(200);
    expect((await k.login('u-wes@example.test')).status).toBe(200);
    // The refresh token was refused, not spent: it works again.
    expect((await k.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: acme.body.refreshToken } })).status).toBe(200);
    // Only platform admins may; nobody may disable themselves; unknown users are 404.
    await k.addUser('u-xia', { acme: 'tenant-admin' });
    const tenantAdmin = (await k.login('u-xia@example.test')).body.accessToken as string;
    expect((await k.call('PATCH', '/api/v1/admin/users/u-wes', { token: tenantAdmin, body: { disabled: true } })).status).toBe(403);
    expect((await k.call('PATCH', '/api/v1/admin/users/root', { token: root, body: { disabled: true } })).status).toBe(404);
    expect((await k.call('PATCH', '/api/v1/admin/users/u-wes', { token: root, body: { disabled: 'yes' } })).status).toBe(400);
    const audit = await k.call('GET', '/api/v1/admin/audit?action=user.*', { token: root });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['user.enabled', 'user.disabled']);
  });

  it("reads a user's session version once per instance, not once per request", async () => {
    await k.addUser('u-tao', { acme: 'member' });
    const { accessToken } = (await k.login('u-tao@example.test')).body as { accessToken: string };
    const before = versionReads;
    for (let i = 0; i < 20; i += 1) expect((await k.call('GET', '/api/v1/notes', { token: accessToken })).status).toBe(200);
    expect(versionReads - before).toBeLessThanOrEqual(1);
  });

  describe('refresh with a tenant', () => {
    it('refuses a foreign tenantId before spending the refresh token, which keeps working', async () => {
      await k.addUser('u-uma', { acme: 'member' });
      const session = await k.login('u-uma@example.test');
      const foreign = await k.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.body.refreshToken, tenantId: 'globex' } });
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('VV_TENANT_UNKNOWN');
      // Not spent, so no reuse alarm: the same token refreshes, and the sign-in lives on.
      const retry = await k.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.body.refreshToken } });
      expect(retry.status).toBe(200);
      const next = await k.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: retry.body.refreshToken } });
      expect(next.status).toBe(200);
    });

    it('refuses, unspent, a refresh into a tenant the user was removed from; another tenant still works', async () => {
      await k.addUser('u-vic', { acme: 'member', globex: 'viewer' });
      const session = await k.login('u-vic@example.test', { tenantId: 'acme' });
      expect((await k.call('DELETE', '/api/v1/admin/tenants/acme/members/u-vic', { token: await k.admin() })).status).toBe(204);
      expect((await k.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.body.refreshToken } })).status).toBe(404);
      const elsewhere = await k.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.body.refreshToken, tenantId: 'globex' } });
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.body.tenant).toMatchObject({ id: 'globex', role: 'viewer' });
    });
  });
});
