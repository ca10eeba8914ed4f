import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem, manifest } from './__fixtures__/kernel-test-support';
import { base32Decode, hotp } from './identity/totp';

const PASSWORD = 'correct horse battery';

describe('identity over HTTP: refresh tokens, sign-out, TOTP, API keys, audit log', () => {
  let k: TestKernel;
  const login = (body: Record<string, unknown>) => k.request('POST', '/api/v1/auth/login', { token: null, body: { email: 'ada@acme.test', password: PASSWORD, ...body } });

  beforeAll(async () => {
    k = await createTestKernel({
      tenants: ['acme', 'globex'],
      plugins: [
        {
          manifest: manifest('notes', {
            routes: ['/notes'],
            permissions: ['audit'],
            config: { type: 'object', properties: { token: { type: 'string', 'x-secret': true }, color: { type: 'string' } } },
          }),
          plugin: definePlugin({
            deps: { http: coreServices.http, audit: coreServices.audit },
            setup({ http, audit }) {
              http.route({ method: 'GET', path: '/notes', handler: (req) => ({ user: req.user.id, kind: req.user.kind, role: req.user.role, tenant: req.tenant.id }) });
              http.route({
                method: 'POST',
                path: '/notes',
                minRole: 'member',
                handler: async (req) => {
                  await audit.record({ action: 'note.created', target: 'note:1', after: { title: 'hello' } });
                  return { by: req.user.id };
                },
              });
            },
          }),
        },
      ],
    });
    const store = k.kernel.store;
    await store.createUser({ id: 'u-ada', email: 'ada@acme.test', passwordHash: await k.kernel.passwords.hash(PASSWORD), platformAdmin: false });
    await store.setMembership({ userId: 'u-ada', tenantId: 'acme', role: 'tenant-admin' });
  });
  afterAll(() => k.close());

  describe('refresh tokens', () => {
    it('rotates: a refresh gives a new access and refresh token, and the old refresh token is spent', async () => {
      const first = await login({});
      expect(first.status).toBe(200);
      expect(first.body.refreshToken).toMatch(/^vvr_/);
      const second = await k.request('POST', '/api/v1/auth/refresh', { token: null, body: { refreshToken: first.body.refreshToken } });
      expect(second.status).toBe(200);
      expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
      expect((await k.request('GET', '/api/v1/me', { token: second.body.accessToken })).status).toBe(200);
    });

    it('revokes the whole family when a spent refresh token is presented again (reuse detection)', async () => {
      const first = await login({});
      const rotated = await k.request('POST', '/api/v1/auth/refresh', { token: null, body: { refreshToken: first.body.refreshToken } });
      expect(rotated.status).toBe(200);
      // An attacker replays the stolen, already-rotated token:
      const replay = await k.request('POST', '/api/v1/auth/refresh', { token: null, body: { refreshToken: first.body.refreshToken } });
      expectProblem(replay, 401, 'VV_UNAUTHENTICATED');
      // ...and the legitimate client's current token is dead too: everyone signs in again.
      const legit = await k.request('POST', '/api/v1/auth/refresh', { token: null, body: { refreshToken: rotated.body.refreshToken } });
      expectProblem(legit, 401, 'VV_UNAUTHENTICATED');
      const audit = await k.request('GET', '/api/v1/admin/audit?action=auth.refresh-reused', { role: 'platform-admin' });
      expect(audit.body.items.length).toBeGreaterThanOrEqual(1);
      expect(audit.body.items[0]).toMatchObject({ actor: 'u-ada', tenantId: 'acme' });
    });

    it('signs out: logout answers 204 and the refresh token no longer works', async () => {
      const session = await login({});
      expect((await k.request('POST', '/api/v1/auth/logout', { token: null, body: { refreshToken: session.body.refreshToken } })).status).toBe(204);
      expectProblem(await k.request('POST', '/api/v1/auth/refresh', { token: null, body: { refreshToken: session.body.refreshToken } }), 401, 'VV_UNAUTHENTICATED');
      // Idempotent: signing out twice is not an error.
      expect((await k.request('POST', '/api/v1/auth/logout', { token: null, body: { refreshToken: session.body.refreshToken } })).status).toBe(204);
    });

    it('answers 401 for an unknown refresh token and 400 with a pointer for a missing one', async () => {
      expectProblem(await k.request('POST', '/api/v1/auth/refresh', { token: null, body: { refreshToken: 'vvr_not-a-real-token' } }), 401, 'VV_UNAUTHENTICATED');
      const bad = expectProblem(await k.request('POST', '/api/v1/auth/refresh', { token: null, body: {} }), 400, 'VV_VALIDATION');
      expect(bad.errors[0].pointer).toBe('/refreshToken');
    });
  });

  describe('TOTP second factor', () => {
    const codeAt = (secret: string, offsetSteps = 0) => hotp(base32Decode(secret), Math.floor(Date.now() / 30_000) + offsetSteps);

    it('enrols, confirms with a code, then requires a fresh code at sign-in and refuses a replay', async () => {
      const session = await login({});
      const token = session.body.accessToken as string;
      const enrol = await k.request('POST', '/api/v1/me/totp', { token });
      expect(enrol.status).toBe(201);
      expect(enrol.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/ValueVerse:ada%40acme.test\?secret=/);
      const secret = enrol.body.secret as string;
      expectProblem(await k.request('POST', '/api/v1/me/totp/confirm', { token, body: { code: '000000' === codeAt(secret) ? '111111' : '000000' } }), 400, 'VV_VALIDATION');
      const confirmed = await k.request('POST', '/api/v1/me/totp/confirm', { token, body: { code: codeAt(secret, -1) } });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.recoveryCodes).toHaveLength(10);
      expect((await k.request('GET', '/api/v1/me/totp', { token })).body).toEqual({ enabled: true, pending: false, recoveryCodesLeft: 10 });

      expectProblem(await login({}), 401, 'VV_MFA_REQUIRED');
      const withCode = await login({ totp: codeAt(secret) });
      expect(withCode.status).toBe(200);
      expect(withCode.body.user.mfa).toBe(true);
      // The same code a second time is a replay.
      expectProblem(await login({ totp: codeAt(secret) }), 401, 'VV_UNAUTHENTICATED');

      expect((await k.request('POST', '/api/v1/me/totp/disable', { token, body: { code: codeAt(secret, 1) } })).status).toBe(204);
      expect((await login({})).status).toBe(200);
    });

    it('recovery codes: shown once at enrolment, each signs in once in place of a code, audited, and regenerating voids the old ones', async () => {
      const token = (await login({})).body.accessToken as string;
      const secret = (await k.request('POST', '/api/v1/me/totp', { token })).body.secret as string;
      const codes = (await k.request('POST', '/api/v1/me/totp/confirm', { token, body: { code: codeAt(secret, -1) } })).body.recoveryCodes as string[];
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);

      // Typed with capitals and without the dash, it still counts.
      const signedIn = await login({ recoveryCode: codes[0]!.replace('-', '').toUpperCase() });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user.mfa).toBe(true);
      const audit = await k.request('GET', '/api/v1/admin/audit?action=auth.recovery-code-used', { role: 'platform-admin' });
      expect(audit.body.items[0]).toMatchObject({ action: 'auth.recovery-code-used', after: { left: 9 } });
      expect((await k.request('GET', '/api/v1/me/totp', { token })).body.recoveryCodesLeft).toBe(9);
      // Single use.
      expectProblem(await login({ recoveryCode: codes[0] }), 401, 'VV_TOTP_RECOVERY_CODE_INVALID');
      expectProblem(await login({ recoveryCode: 'zzzzz-zzzzz' }), 401, 'VV_TOTP_RECOVERY_CODE_INVALID');

      // Regenerating needs a current code, and voids every earlier code.
      expectProblem(await k.request('POST', '/api/v1/me/totp/recovery-codes', { token, body: { code: codeAt(secret) === '000000' ? '111111' : '000000' } }), 400, 'VV_VALIDATION');
      const fresh = await k.request('POST', '/api/v1/me/totp/recovery-codes', { token, body: { code: codeAt(secret) } });
      expect(fresh.status).toBe(200);
      expect(fresh.body.recoveryCodes).toHaveLength(10);
      expectProblem(await login({ recoveryCode: codes[1] }), 401, 'VV_TOTP_RECOVERY_CODE_INVALID');
      expect((await login({ recoveryCode: fresh.body.recoveryCodes[0] })).status).toBe(200);

      // Turning TOTP off removes them.
      expect((await k.request('POST', '/api/v1/me/totp/disable', { token, body: { code: codeAt(secret, 1) } })).status).toBe(204);
      expect((await k.request('GET', '/api/v1/me/totp', { token })).body).toEqual({ enabled: false, pending: false, recoveryCodesLeft: 0 });
    });
  });

  describe('password change', () => {
    it('needs the current password, refuses a short or unchanged one, and ends every session on success', async () => {
      const store = k.kernel.store;
      await store.createUser({ id: 'u-grace', email: 'grace@acme.test', passwordHash: await k.kernel.passwords.hash(PASSWORD), platformAdmin: false });
      await store.setMembership({ userId: 'u-grace', tenantId: 'acme', role: 'viewer' });
      const grace = (password: string) => k.request('POST', '/api/v1/auth/login', { token: null, body: { email: 'grace@acme.test', password } });
      const session = await grace(PASSWORD);
      const token = session.body.accessToken as string;
      const change = (body: Record<string, unknown>) => k.request('POST', '/api/v1/me/password', { token, body });
      const NEW = 'a brand new long password';

      const wrong = expectProblem(await change({ currentPassword: 'not it at all', newPassword: NEW }), 400, 'VV_VALIDATION');
      expect(wrong.errors).toEqual([expect.objectContaining({ pointer: '/currentPassword' })]);
      const short = expectProblem(await change({ currentPassword: PASSWORD, newPassword: 'short' }), 400, 'VV_VALIDATION');
      expect(short.errors[0].pointer).toBe('/newPassword');
      const same = expectProblem(await change({ currentPassword: PASSWORD, newPassword: PASSWORD }), 400, 'VV_VALIDATION');
      expect(same.errors).toEqual([expect.objectContaining({ pointer: '/newPassword', message: 'must differ from the current password' })]);
      expect((await grace(PASSWORD)).status).toBe(200);

      expect((await change({ currentPassword: PASSWORD, newPassword: NEW })).status).toBe(204);
      // Every session ended, this one too; only the new password signs in.
      expectProblem(await k.request('GET', '/api/v1/me', { token }), 401, 'VV_UNAUTHENTICATED');
      expectProblem(await k.request('POST', '/api/v1/auth/refresh', { token: null, body: { refreshToken: session.body.refreshToken } }), 401, 'VV_UNAUTHENTICATED');
      expectProblem(await grace(PASSWORD), 401, 'VV_UNAUTHENTICATED');
      expect((await grace(NEW)).status).toBe(200);
      const audit = await k.request('GET', '/api/v1/admin/audit?action=auth.password-*', { role: 'platform-admin' });
      expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['auth.password-changed', 'auth.password-change-failed']);
      await store.removeMembership('u-grace', 'acme');
    });

    it('is not for API keys', async () => {
      const session = await login({});
      const created = await k.request('POST', '/api/v1/admin/tenants/acme/api-keys', { token: session.body.accessToken, body: { name: 'pw', role: 'viewer' } });
      expectProblem(
        await k.request('POST', '/api/v1/me/password', { token: created.body.key, body: { currentPassword: PASSWORD, newPassword: 'a brand new long password' } }),
        403,
        'VV_FORBIDDEN',
      );
    });
  });

  describe('profile', () => {
    it('keeps the caller’s name, BCP 47 locale and IANA time zone, refuses bad ones by field, and is not for API keys', async () => {
      const session = await login({});
      const token = session.body.accessToken as string;
      expect((await k.request('GET', '/api/v1/me/profile', { token })).body).toEqual({ displayName: null, locale: null, timeZone: null });
      const saved = await k.request('PUT', '/api/v1/me/profile', { token, body: { displayName: ' Ada Lovelace ', locale: 'en-gb', timeZone: 'europe/london' } });
      expect([saved.status, saved.body]).toEqual([200, { displayName: 'Ada Lovelace', locale: 'en-GB', timeZone: 'Europe/London' }]);
      expect((await k.request('GET', '/api/v1/me/profile', { token })).body).toEqual(saved.body);
      expect((await k.kernel.store.listTenantMembers('acme')).find((m) => m.userId === 'u-ada')).toMatchObject(saved.body);

      const bad = expectProblem(
        await k.request('PUT', '/api/v1/me/profile', { token, body: { displayName: 'Ada', locale: 'not a locale', timeZone: 'Atlantis/Capital' } }),
        400,
        'VV_VALIDATION',
      );
      expect(bad.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/locale', '/timeZone']);
      expectProblem(await k.request('PUT', '/api/v1/me/profile', { token, body: { displayName: 'Ada' } }), 400, 'VV_VALIDATION');
      expect((await k.request('GET', '/api/v1/me/profile', { token })).body).toEqual(saved.body);

      const audit = await k.request('GET', '/api/v1/admin/audit?action=user.profile-changed', { role: 'platform-admin' });
      expect(audit.body.items).toEqual([expect.objectContaining({ action: 'user.profile-changed', target: 'user:u-ada' })]);
      const key = await k.request('POST', '/api/v1/admin/tenants/acme/api-keys', { token, body: { name: 'profile', role: 'viewer' } });
      expectProblem(await k.request('GET', '/api/v1/me/profile', { token: key.body.key }), 403, 'VV_FORBIDDEN');
      expect((await k.request('PUT', '/api/v1/me/profile', { token, body: { displayName: null, locale: null, timeZone: null } })).status).toBe(200);
    });
  });

  describe('API keys', () => {
    it('shows a key once, stores it hashed, and lets it call routes with its own role in its own tenant', async () => {
      const created = await k.request('POST', '/api/v1/admin/tenants/acme/api-keys', { tenant: 'acme', role: 'tenant-admin', body: { name: 'ci', role: 'member' } });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^vvk_/);
      const list = await k.request('GET', '/api/v1/admin/tenants/acme/api-keys', { tenant: 'acme', role: 'tenant-admin' });
      expect(list.body.items.find((i: { id: string }) => i.id === created.body.id)).toMatchObject({
        name: 'ci',
        role: 'member',
        prefix: created.body.key.split('_').slice(0, 2).join('_'),
      });
      expect(JSON.stringify(list.body)).not.toContain(created.body.key);

      const asKey = await k.request('GET', '/api/v1/notes', { token: created.body.key });
      expect(asKey.body).toEqual({ user: created.body.id, kind: 'api-key', role: 'member', tenant: 'acme' });
      expect((await k.request('GET', '/api/v1/notes', { token: null, headers: { 'x-api-key': created.body.key } })).status).toBe(200);
      // Its role is member: admin routes are out of reach; another tenant does not exist for it.
      expectProblem(await k.request('GET', '/api/v1/admin/tenants/acme/plugins', { token: created.body.key }), 403, 'VV_FORBIDDEN');
      expectProblem(await k.request('GET', '/api/v1/notes', { token: created.body.key, headers: { 'x-tenant-id': 'globex' } }), 404, 'VV_TENANT_UNKNOWN');

      expect((await k.request('DELETE', `/api/v1/admin/tenants/acme/api-keys/${created.body.id}`, { tenant: 'acme', role: 'tenant-admin' })).status).toBe(204);
      expectProblem(await k.request('GET', '/api/v1/notes', { token: created.body.key }), 401, 'VV_UNAUTHENTICATED');
    });

    it("refuses a key stronger than its creator, another tenant's keys, and keys beyond the quota", async () => {
      expectProblem(
        await k.request('POST', '/api/v1/admin/tenants/acme/api-keys', { tenant: 'acme', role: 'tenant-admin', body: { name: 'x', role: 'platform-admin' } }),
        400,
        'VV_VALIDATION',
      );
      expectProblem(await k.request('GET', '/api/v1/admin/tenants/globex/api-keys', { tenant: 'acme', role: 'tenant-admin' }), 404, 'VV_TENANT_UNKNOWN');
      expectProblem(await k.request('POST', '/api/v1/admin/tenants/acme/api-keys', { tenant: 'acme', role: 'member', body: { name: 'x', role: 'viewer' } }), 403, 'VV_FORBIDDEN');
      await k.request('PATCH', '/api/v1/admin/tenants/globex', { role: 'platform-admin', body: { settings: { quotas: { maxApiKeys: 1 } } } });
      expect((await k.request('POST', '/api/v1/admin/tenants/globex/api-keys', { tenant: 'globex', role: 'tenant-admin', body: { name: 'one', role: 'viewer' } })).status).toBe(
        201,
      );
      expectProblem(
        await k.request('POST', '/api/v1/admin/tenants/globex/api-keys', { tenant: 'globex', role: 'tenant-admin', body: { name: 'two', role: 'viewer' } }),
        409,
        'VV_QUOTA_EXCEEDED',
      );
    });
  });

  describe('tenant members', () => {
    // Tenant admins invite (kernel-invitations.test.ts); platform admins add an account directly, as here.
    it('adds a new user with a password (platform admin), lists, changes the role and removes, each audited', async () => {
      const added = await k.request('POST', '/api/v1/admin/tenants/acme/members', {
        tenant: 'acme',
        role: 'platform-admin',
        body: { email: 'bob@acme.test', role: 'viewer', password: 'bob-long-password' },
      });
      expect(added.status).toBe(201);
      const bobLogin = await k.request('POST', '/api/v1/auth/login', { token: null, body: { email: 'bob@acme.test', password: 'bob-long-password' } });
      expect(bobLogin.body.tenant).toEqual({ id: 'acme', name: 'acme', role: 'viewer' });
      const list = await k.request('GET', '/api/v1/admin/tenants/acme/members', { tenant: 'acme', role: 'tenant-admin' });
      expect(list.body.items.map((m: { email: string }) => m.email)).toEqual(['ada@acme.test', 'bob@acme.test']);
      const changed = await k.request('PATCH', `/api/v1/admin/tenants/acme/members/${added.body.userId}`, { tenant: 'acme', role: 'tenant-admin', body: { role: 'member' } });
      expect(changed.body.role).toBe('member');
      expectProblem(
        await k.request('POST', '/api/v1/admin/tenants/acme/members', { tenant: 'acme', role: 'tenant-admin', body: { email: 'bob@acme.test', role: 'viewer' } }),
        409,
        'VV_CONFLICT',
      );
      expect((await k.request('DELETE', `/api/v1/admin/tenants/acme/members/${added.body.userId}`, { tenant: 'acme', role: 'tenant-admin' })).status).toBe(204);
      expectProblem(await k.request('POST', '/api/v1/auth/login', { token: null, body: { email: 'bob@acme.test', password: 'bob-long-password' } }), 403, 'VV_FORBIDDEN');
      const audit = await k.request('GET', '/api/v1/admin/audit?action=member.*', { role: 'platform-admin' });
      expect(audit.body.items.map((i: { action: string }) => i.action)).toEqual(['member.removed', 'member.role-changed', 'member.added']);
    });

    it('needs a password for a new user added directly, refuses roles above the caller, and enforces quotas.maxUsers', async () => {
      const noPassword = expectProblem(
        await k.request('POST', '/api/v1/admin/tenants/globex/members', { tenant: 'globex', role: 'platform-admin', body: { email: 'new@globex.test', role: 'member' } }),
        400,
        'VV_VALIDATION',
      );
      expect(noPassword.errors[0].pointer).toBe('/password');
      expectProblem(
        await k.request('POST', '/api/v1/admin/tenants/globex/members', {
          tenant: 'globex',
          role: 'tenant-admin',
          body: { email: 'x', role: 'member', password: 'long-enough-pass' },
        }),
        400,
        'VV_VALIDATION',
      );
      await k.request('PATCH', '/api/v1/admin/tenants/globex', { role: 'platform-admin', body: { settings: { quotas: { maxUsers: 1, maxApiKeys: 1 } } } });
      expect(
        (
          await k.request('POST', '/api/v1/admin/tenants/globex/members', {
            tenant: 'globex',
            role: 'platform-admin',
            body: { email: 'one@globex.test', role: 'member', password: 'long-enough-pass' },
          })
        ).status,
      ).toBe(201);
      expectProblem(
        await k.request('POST', '/api/v1/admin/tenants/globex/members', {
          tenant: 'globex',
          role: 'platform-admin',
          body: { email: 'two@globex.test', role: 'member', password: 'long-enough-pass' },
        }),
        409,
        'VV_QUOTA_EXCEEDED',
      );
      expectProblem(
        await k.request('POST', '/api/v1/admin/tenants/globex/members', { tenant: 'globex', role: 'tenant-admin', body: { email: 'two@globex.test', role: 'member' } }),
        409,
        'VV_QUOTA_EXCEEDED',
      );
      expectProblem(await k.request('GET', '/api/v1/admin/tenants/acme/members', { tenant: 'globex', role: 'tenant-admin' }), 404, 'VV_TENANT_UNKNOWN');
    });
  });

  describe('audit log', () => {
    it('records sign-ins, failed sign-ins, plugin changes with secrets masked, and plugin entries', async () => {
      await login({ password: 'wrong' });
      await login({});
      await k.setPlugin('acme', 'notes', { config: { token: 'very-secret-value', color: 'red' } });
      expect((await k.request('POST', '/api/v1/notes', { role: 'member' })).status).toBe(200);
      const all = await k.request('GET', '/api/v1/admin/audit?limit=200', { role: 'platform-admin' });
      const actions = all.body.items.map((i: { action: string }) => i.action);
      expect(actions).toEqual(
        expect.arrayContaining(['auth.sign-in-failed', 'auth.signed-in', 'plugin.configured', 'notes.note.created', 'api-key.created', 'api-key.revoked', 'auth.totp-enabled']),
      );
      expect(JSON.stringify(all.body)).not.toContain('very-secret-value');
      const configured = all.body.items.find((i: { action: string }) => i.action === 'plugin.configured');
      expect(configured.after[0].config).toEqual({ token: '••••', color: 'red' });
      const failed = all.body.items.find((i: { action: string }) => i.action === 'auth.sign-in-failed');
      expect(failed).toMatchObject({ actor: 'u-ada', target: 'email:ada@acme.test' });
      expect(failed.requestId).toEqual(expect.any(String));
    });

    it('filters by action prefix, actor and time, and pages with a cursor without gaps or repeats', async () => {
      const prefix = await k.request('GET', '/api/v1/admin/audit?action=auth.*', { role: 'platform-admin' });
      expect(prefix.body.items.every((i: { action: string }) => i.action.startsWith('auth.'))).toBe(true);
      const byActor = await k.request('GET', '/api/v1/admin/audit?actor=u-ada', { role: 'platform-admin' });
      expect(byActor.body.items.length).toBeGreaterThan(0);
      expect(byActor.body.items.every((i: { actor: string }) => i.actor === 'u-ada')).toBe(true);
      expect(byActor.body.items[0].actorEmail).toBe('ada@acme.test');
      const byEmail = await k.request('GET', '/api/v1/admin/audit?actor=ada%40acme.test', { role: 'platform-admin' });
      expect(byEmail.body.items.map((i: { id: string }) => i.id)).toEqual(byActor.body.items.map((i: { id: string }) => i.id));
      const future = await k.request('GET', `/api/v1/admin/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { role: 'platform-admin' });
      expect(future.body.items).toEqual([]);

      const everything = (await k.request('GET', '/api/v1/admin/audit?limit=200', { role: 'platform-admin' })).body.items.map((i: { id: string }) => i.id);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await k.request('GET', `/api/v1/admin/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`, {
          role: 'platform-admin',
        });
        paged.push(...page.body.items.map((i) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(everything);
    });

    it("shows a tenant admin its own tenant's entries only, and refuses members", async () => {
      const own = await k.request('GET', '/api/v1/admin/audit', { tenant: 'globex', role: 'tenant-admin' });
      expect(own.status).toBe(200);
      expect(own.body.items.length).toBeGreaterThan(0);
      expect(own.body.items.every((i: { tenantId: string }) => i.tenantId === 'globex')).toBe(true);
      expectProblem(await k.request('GET', '/api/v1/admin/audit?tenantId=acme', { tenant: 'globex', role: 'tenant-admin' }), 404, 'VV_TENANT_UNKNOWN');
      expectProblem(await k.request('GET', '/api/v1/admin/audit', { tenant: 'globex', role: 'member' }), 403, 'VV_FORBIDDEN');
      expectProblem(await k.request('GET', '/api/v1/admin/audit?limit=abc', { role: 'platform-admin' }), 400, 'VV_VALIDATION');
    });

    it('has no route that changes or deletes an entry', async () => {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        expect([404, 405]).toContain((await k.request(method, '/api/v1/admin/audit/1', { role: 'platform-admin', body: method === 'DELETE' ? undefined : {} })).status);
      }
    });
  });
});
