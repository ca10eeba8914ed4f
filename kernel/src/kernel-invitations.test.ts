import type { EventEnvelope } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { expectProblem } from './__fixtures__/kernel-test-support';
import { openSse } from './__fixtures__/sse-client';
import type { InvitationEventPayload } from './identity/invitation-service';

const ADA_PASSWORD = 'ada correct horse battery';
const GUS_PASSWORD = 'gus correct horse battery';

// Issue #10, finding 8: a tenant admin adding a user of another tenant by email got that user added without
// consent, and an unknown email answered differently from a known one. Now the add is an invitation: one answer for
// both, a membership only once the address's owner accepts with the token, and the token only in a confidential
// kernel event (never in a response, the audit log or an event stream).
describe('tenant invitations', () => {
  let k: TestKernel;
  const invited: EventEnvelope[] = [];
  const tokenFor = (email: string): string => {
    const event = [...invited].reverse().find((e) => (e.payload as InvitationEventPayload).email === email);
    if (!event) throw new Error(`no invitation event for ${email}`);
    return (event.payload as InvitationEventPayload).token;
  };
  const invite = (email: string, role = 'member') => k.request('POST', '/api/v1/admin/tenants/acme/members', { tenant: 'acme', role: 'tenant-admin', body: { email, role } });
  const accept = (token: string, password?: string) =>
    k.request('POST', '/api/v1/auth/invitations/accept', { token: null, body: password === undefined ? { token } : { token, password } });
  const login = (email: string, password: string, tenantId?: string) =>
    k.request('POST', '/api/v1/auth/login', { token: null, body: tenantId ? { email, password, tenantId } : { email, password } });
  const acmeMembers = async () => (await k.kernel.store.listTenantMembers('acme')).map((m: { email: string; role: string }) => `${m.email}:${m.role}`).sort();

  beforeAll(async () => {
    k = await createTestKernel({ tenants: ['acme', 'globex'], plugins: [] });
    const store = k.kernel.store;
    await store.createUser({ id: 'u-ada', email: 'ada@acme.test', passwordHash: await k.kernel.passwords.hash(ADA_PASSWORD), platformAdmin: false });
    await store.setMembership({ userId: 'u-ada', tenantId: 'acme', role: 'tenant-admin' });
    await store.createUser({ id: 'u-gus', email: 'gus@globex.test', passwordHash: await k.kernel.passwords.hash(GUS_PASSWORD), platformAdmin: false });
    await store.setMembership({ userId: 'u-gus', tenantId: 'globex', role: 'tenant-admin' });
    k.kernel.events.subscribe('tenant.invitation.created', (event: EventEnvelope) => void invited.push(event), 'test:notifications', { kernelEvents: true, confidential: true });
  });
  afterAll(() => k.close());

  it('answers a known and an unknown address the same way, and makes nobody a member before they accept', async () => {
    const known = await invite('gus@globex.test');
    const unknown = await invite('New.Person@Nowhere.test');
    for (const res of [known, unknown]) {
      expect(res.status).toBe(202);
      expect(Object.keys(res.body).sort()).toEqual(['invitation', 'status']);
      expect(Object.keys(res.body.invitation).sort()).toEqual(['createdAt', 'email', 'expiresAt', 'id', 'invitedBy', 'role', 'tenantId']);
      expect(res.body).toMatchObject({ status: 'invited', invitation: { tenantId: 'acme', role: 'member', invitedBy: 'user-tenant-admin' } });
    }
    expect(unknown.body.invitation.email).toBe('new.person@nowhere.test');
    expect(await acmeMembers()).toEqual(['ada@acme.test:tenant-admin']);
    // The account of the known address is untouched: it still signs in to its own tenant only.
    const gus = await login('gus@globex.test', GUS_PASSWORD);
    expect(gus.body.tenants.map((t: { id: string }) => t.id)).toEqual(['globex']);
    // The token travels in the event only, never in the answer.
    expect(JSON.stringify(known.body)).not.toContain(tokenFor('gus@globex.test'));
    expect(JSON.stringify(unknown.body)).not.toContain(tokenFor('new.person@nowhere.test'));
  });

  it('lets a new address accept with a password of its choosing: the account and the membership exist from then on', async () => {
    const token = tokenFor('new.person@nowhere.test');
    const noPassword = expectProblem(await accept(token), 400, 'VV_VALIDATION');
    expect(noPassword.errors[0].pointer).toBe('/password');
    const accepted = await accept(token, 'a password of my own');
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ tenantId: 'acme', role: 'member', email: 'new.person@nowhere.test', accountCreated: true });
    expect((await login('new.person@nowhere.test', 'a password of my own')).body.tenant).toEqual({ id: 'acme', name: 'acme', role: 'member' });
    // Once only.
    expectProblem(await accept(token, 'a password of my own'), 404, 'VV_NOT_FOUND');
  });

  it("lets an existing account accept only with its own password (its owner's consent)", async () => {
    const token = tokenFor('gus@globex.test');
    expectProblem(await accept(token), 401, 'VV_UNAUTHENTICATED');
    expectProblem(await accept(token, 'not gus password at all'), 401, 'VV_UNAUTHENTICATED');
    expect(await acmeMembers()).not.toContain('gus@globex.test:member');
    const accepted = await accept(token, GUS_PASSWORD);
    expect(accepted.body).toMatchObject({ tenantId: 'acme', role: 'member', userId: 'u-gus', accountCreated: false });
    expect(await acmeMembers()).toContain('gus@globex.test:member');
    const gus = await login('gus@globex.test', GUS_PASSWORD, 'globex');
    expect(gus.body.tenants.map((t: { id: string }) => t.id).sort()).toEqual(['acme', 'globex']);
  });

  it('replaces the token when the same address is invited again, lists pending invitations without tokens, and withdraws them', async () => {
    await invite('twice@nowhere.test');
    const first = tokenFor('twice@nowhere.test');
    await invite('twice@nowhere.test', 'viewer');
    const second = tokenFor('twice@nowhere.test');
    expect(second).not.toBe(first);
    expectProblem(await accept(first, 'a password of my own'), 404, 'VV_NOT_FOUND');

    const list = await k.request('GET', '/api/v1/admin/tenants/acme/invitations', { tenant: 'acme', role: 'tenant-admin' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { email: string; role: string }) => `${i.email}:${i.role}`)).toEqual(['twice@nowhere.test:viewer']);
    expect(JSON.stringify(list.body)).not.toContain(second);
    expect(JSON.stringify(list.body)).not.toMatch(/token/i);
    // Another tenant's admin sees none of it.
    expectProblem(await k.request('GET', '/api/v1/admin/tenants/acme/invitations', { tenant: 'globex', role: 'tenant-admin' }), 404, 'VV_TENANT_UNKNOWN');

    const id = list.body.items[0].id as string;
    expectProblem(await k.request('DELETE', `/api/v1/admin/tenants/acme/invitations/${id}`, { tenant: 'globex', role: 'tenant-admin' }), 404, 'VV_TENANT_UNKNOWN');
    expect((await k.request('DELETE', `/api/v1/admin/tenants/acme/invitations/${id}`, { tenant: 'acme', role: 'tenant-admin' })).status).toBe(204);
    expectProblem(await accept(second, 'a password of my own'), 404, 'VV_NOT_FOUND');
    expect((await k.request('GET', '/api/v1/admin/tenants/acme/invitations', { tenant: 'acme', role: 'tenant-admin' })).body.items).toEqual([]);
  });

  it('keeps tokens out of event streams and the audit log', async () => {
    const token = (await k.request('POST', '/api/v1/auth/login', { token: null, body: { email: 'ada@acme.test', password: ADA_PASSWORD } })).body.accessToken as string;
    const stream = await openSse(`${k.url}/api/v1/events/stream?access_token=${encodeURIComponent(token)}`);
    try {
      expect(stream.status).toBe(200);
      await invite('streamed@nowhere.test');
      // A later kernel event of the tenant marks the point by which the invitation would have arrived.
      await k.kernel.events.publishKernelEvent('plugin-set.changed', 'acme', { changes: [] });
      await stream.next((f) => f.event === 'plugin-set.changed');
      expect(stream.frames.map((f) => f.event)).not.toContain('tenant.invitation.created');
      expect(JSON.stringify(stream.frames)).not.toContain(tokenFor('streamed@nowhere.test'));
    } finally {
      stream.close();
    }
    const audit = await k.request('GET', '/api/v1/admin/audit?action=member.*&limit=200', { role: 'platform-admin' });
    const actions = audit.body.items.map((i: { action: string }) => i.action);
    expect(actions).toEqual(expect.arrayContaining(['member.invited', 'member.added', 'member.invitation-revoked']));
    const text = JSON.stringify(audit.body);
    for (const event of invited) expect(text).not.toContain((event.payload as InvitationEventPayload).token);
  });

  it('refuses a password from the inviting admin, roles above the caller, and invitations beyond quotas.maxUsers', async () => {
    const withPassword = expectProblem(
      await k.request('POST', '/api/v1/admin/tenants/acme/members', {
        tenant: 'acme',
        role: 'tenant-admin',
        body: { email: 'p@nowhere.test', role: 'member', password: 'long-enough-pass' },
      }),
      400,
      'VV_VALIDATION',
    );
    expect(withPassword.errors[0].pointer).toBe('/password');
    expectProblem(
      await k.request('POST', '/api/v1/admin/tenants/acme/members', { tenant: 'acme', role: 'member', body: { email: 'p@nowhere.test', role: 'viewer' } }),
      403,
      'VV_FORBIDDEN',
    );
    expectProblem(await invite('ada@acme.test'), 409, 'VV_CONFLICT');
    await k.request('PATCH', '/api/v1/admin/tenants/acme', { role: 'platform-admin', body: { settings: { quotas: { maxUsers: 3 } } } });
    expectProblem(await invite('over@nowhere.test'), 409, 'VV_QUOTA_EXCEEDED');
  });

  it('still lets platform admins add an account directly (201), the operator path for seeding', async () => {
    const added = await k.request('POST', '/api/v1/admin/tenants/globex/members', {
      role: 'platform-admin',
      body: { email: 'direct@globex.test', role: 'viewer', password: 'a direct password' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ tenantId: 'globex', role: 'viewer', email: 'direct@globex.test' });
    expect((await login('direct@globex.test', 'a direct password')).body.tenant).toEqual({ id: 'globex', name: 'globex', role: 'viewer' });
  });
  it('counts wrong passwords at accept as sign-in failures: the account locks here as at sign-in (issue #10, finding 3)', async () => {
    const KIM_PASSWORD = 'kim correct horse battery';
    await k.kernel.store.createUser({ id: 'u-kim', email: 'kim@globex.test', passwordHash: await k.kernel.passwords.hash(KIM_PASSWORD), platformAdmin: false });
    const invited = await k.request('POST', '/api/v1/admin/tenants/globex/members', { tenant: 'globex', role: 'tenant-admin', body: { email: 'kim@globex.test', role: 'member' } });
    expect([invited.status, invited.body.code]).toEqual([202, undefined]);
    const token = tokenFor('kim@globex.test');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await accept(token, `guess number ${i} for kim`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses).toContain(429);
    // The same account key as sign-in: locked there too, the right password included.
    expectProblem(await login('kim@globex.test', KIM_PASSWORD), 429, 'VV_TOO_MANY_ATTEMPTS');
    expectProblem(await accept(token, KIM_PASSWORD), 429, 'VV_TOO_MANY_ATTEMPTS');
    expect((await k.kernel.store.listTenantMembers('globex')).map((m: { email: string }) => m.email)).not.toContain('kim@globex.test');
  });
});
