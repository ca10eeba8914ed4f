import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import manifest from '../../plugin.json';
import { startLoopbackSmtp, type LoopbackSmtp } from '../__fixtures__/loopback-smtp';
import { createNotificationsPlugin } from '../plugin';

// The three default workflows on kernel events (member invited, auth lockout, plugin failed) deliver, end to end:
// the kernel publishes the events, the plugin's workflows fan them out to the loopback SMTP server and the inbox, and
// role recipients come from the kernel's directory (`core.directory`), not from users the plugin has seen.

jest.setTimeout(30_000);

describe('notifications: default workflows on platform events', () => {
  let k: TestKernel;
  let smtp: LoopbackSmtp;
  const mailTo = async (address: string, count = 1) => {
    for (let i = 0; i < 100; i++) {
      const mails = smtp.mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text === address));
      if (mails.length >= count) return mails;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no mail to ${address}: ${smtp.mails.map((m) => `${JSON.stringify(m.to)} ${m.subject}`).join('; ')}`);
  };
  const invite = (email: string, role: string) => k.request('POST', '/api/v1/admin/tenants/acme/members', { tenant: 'acme', role: 'tenant-admin', body: { email, role } });
  const accept = (token: string, password: string) => k.request('POST', '/api/v1/auth/invitations/accept', { token: null, body: { token, password } });
  /** Invites `email`, takes the token from the invitation email the plugin sent, and accepts it. */
  const join = async (email: string, role: string): Promise<string> => {
    expect((await invite(email, role)).status).toBe(202);
    const [mail] = await mailTo(email);
    expect(mail!.subject).toBe('You are invited to Acme Corp on ValueVerse');
    const token = /token=(vvi_[\w-]+)/.exec(mail!.text ?? '')?.[1];
    expect(token).toBeDefined();
    const accepted = await accept(token!, 'a long password of mine');
    expect(accepted.status).toBe(200);
    return accepted.body.userId as string;
  };
  let adminId: string;
  let memberId: string;

  beforeAll(async () => {
    smtp = await startLoopbackSmtp();
    k = await createTestKernel({
      plugins: [{ manifest, plugin: createNotificationsPlugin({ deliveryBackoffMs: 100, deliveryAttempts: 2 }) }],
      tenants: ['acme', 'globex'],
      allowPrivateDestinations: '127.0.0.1/32',
      config: { notifications: { email: { from: 'ValueVerse <noreply@acme.test>', smtp: { host: '127.0.0.1', port: smtp.port } } } },
    });
    await k.request('PATCH', '/api/v1/admin/tenants/acme', { role: 'platform-admin', body: { name: 'Acme Corp' } });
    adminId = await join('boss@acme.test', 'tenant-admin');
    memberId = await join('ana@acme.test', 'member');
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await smtp?.close();
  });

  it('member invited: the invitee gets the invitation email (the token is only in the email, not in the delivery log)', async () => {
    const [mail] = await mailTo('ana@acme.test');
    expect(mail!.text).toContain('You were invited to Acme Corp as member');
    expect(mail!.html).toContain('Accept the invitation');
    const log = await k.request('GET', '/api/v1/notifications/deliveries?channel=email');
    expect(log.status).toBe(200);
    expect(JSON.stringify(log.body)).not.toContain('vvi_');
    // The plugin-visible event carries ids, never the token.
    const invited = k.events.filter((e) => e.name === 'tenant.member.invited');
    expect(invited.map((e) => (e.payload as { email: string }).email).sort()).toEqual(['ana@acme.test', 'boss@acme.test']);
    expect(JSON.stringify(invited)).not.toContain('vvi_');
  });

  it('auth lockout: the locked member and the tenant admin (from the directory) get an email, and an inbox item', async () => {
    const wrong = () => k.request('POST', '/api/v1/auth/login', { token: null, body: { email: 'ana@acme.test', password: 'not my password at all' } });
    let locked = false;
    for (let i = 0; i < 10 && !locked; i++) locked = (await wrong()).status === 429;
    expect(locked).toBe(true);
    const [toAna] = await mailTo('ana@acme.test', 2);
    const lockMail = (await mailTo('ana@acme.test', 2)).find((m) => m.subject === 'Sign-in locked for ana@acme.test');
    expect(toAna).toBeDefined();
    expect(lockMail?.text).toMatch(/was locked after \d+ failed attempts until \d{4}-/);
    const toBoss = (await mailTo('boss@acme.test', 2)).find((m) => m.subject === 'Sign-in locked for ana@acme.test');
    expect(toBoss).toBeDefined();
    const anaToken = await k.kernel.tokens.issue({ sub: memberId, tid: 'acme', role: 'member', email: 'ana@acme.test', pa: false });
    const inbox = await k.request('GET', '/api/v1/notifications/inbox', { token: anaToken });
    expect(inbox.body.items.map((i: { title: string }) => i.title)).toContain('Sign-in locked for ana@acme.test');
    // globex has no member ana: nothing there.
    expect(k.events.filter((e) => e.name === 'auth.lockout' && e.tenantId === 'globex')).toHaveLength(0);
  });

  it('plugin failed: the tenant admin from the directory gets the email and an inbox item, once per event id', async () => {
    const payload = { tenantId: 'acme', pluginId: 'value-executor', version: '1.0.0', state: 'failed', code: 'VV_PLUGIN_FAILED', reason: 'start timed out' };
    const envelope = { id: '3f1c0b1e-1d7e-5a6b-8c9d-0e1f2a3b4c5d', name: 'plugin.failed', tenantId: 'acme', source: 'kernel', occurredAt: new Date().toISOString(), payload };
    // As every instance that fails the plugin does: the same event (same id) twice.
    await k.kernel.events.publish(envelope);
    await k.kernel.events.publish(envelope);
    const [mail] = await mailTo('boss@acme.test', 3).then((m) => m.filter((x) => x.subject === 'Plugin value-executor failed'));
    expect(mail!.text).toContain('start timed out');
    const bossToken = await k.kernel.tokens.issue({ sub: adminId, tid: 'acme', role: 'tenant-admin', email: 'boss@acme.test', pa: false });
    const inbox = await k.request('GET', '/api/v1/notifications/inbox', { token: bossToken });
    expect(inbox.body.items.filter((i: { title: string }) => i.title === 'Plugin value-executor failed')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.filter((m) => m.subject === 'Plugin value-executor failed')).toHaveLength(1);
    // The member is not an admin: no plugin-failed notification.
    const anaToken = await k.kernel.tokens.issue({ sub: memberId, tid: 'acme', role: 'member', email: 'ana@acme.test', pa: false });
    expect((await k.request('GET', '/api/v1/notifications/inbox', { token: anaToken })).body.items.map((i: { title: string }) => i.title)).not.toContain(
      'Plugin value-executor failed',
    );
  });
  it("addresses people by the directory's name, in their profile's locale, and holds email in their profile's time zone", async () => {
    const anaToken = await k.kernel.tokens.issue({ sub: memberId, tid: 'acme', role: 'member', email: 'ana@acme.test', pa: false });
    const profile = await k.request('PUT', '/api/v1/me/profile', { token: anaToken, body: { displayName: 'Ana Lima', locale: 'de-DE', timeZone: 'Pacific/Auckland' } });
    expect(profile.status).toBe(200);
    const german = { subject: 'Hallo {{ recipient.name }}: {{ data.subject }}', text: '{{ data.body }}' };
    expect((await k.request('PUT', '/api/v1/notifications/templates/direct/de', { body: german })).status).toBe(200);
    // The preview shows the previewing admin's own name (boss set one too).
    const bossToken = await k.kernel.tokens.issue({ sub: adminId, tid: 'acme', role: 'tenant-admin', email: 'boss@acme.test', pa: false });
    expect((await k.request('PUT', '/api/v1/me/profile', { token: bossToken, body: { displayName: 'Bo Boss', locale: null, timeZone: null } })).status).toBe(200);
    const preview = await k.request('POST', '/api/v1/notifications/templates/preview', { token: bossToken, body: { key: 'direct', locale: 'de' } });
    expect(preview.body.subject).toBe('Hallo Bo Boss: Subject');
    const send = (subject: string, to: { userId: string }[]) =>
      k.request('POST', '/api/v1/notifications/send', { body: { to, category: 'updates', channels: ['email'], subject, body: 'Text', critical: true } });

    // Ana's profile says German: the German template, with her name; the admin has no profile: the tenant's English.
    expect((await send('Quartal', [{ userId: memberId }, { userId: adminId }])).status).toBe(202);
    const [toAna] = (await mailTo('ana@acme.test', 3)).filter((m) => m.subject?.includes('Quartal'));
    expect(toAna!.subject).toBe('Hallo Ana Lima: Quartal');
    const [toBoss] = (await mailTo('boss@acme.test', 4)).filter((m) => m.subject?.includes('Quartal'));
    expect(toBoss!.subject).toBe('Quartal');

    // Quiet hours set in the notification preferences without a zone run on the profile's zone (Auckland, UTC+12/13):
    // a window around the current time there holds a non-critical email; on the tenant's default (UTC) it would not.
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Pacific/Auckland', hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
    const hh = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
    const prefs = await k.request('PUT', '/api/v1/notifications/preferences', {
      token: anaToken,
      body: { timeZone: null, quietHours: { start: hh(hour - 1), end: hh(hour + 2) } },
    });
    expect(prefs.status).toBe(200);
    const quiet = await k.request('POST', '/api/v1/notifications/send', {
      body: { to: [{ userId: memberId }], category: 'updates', channels: ['email'], subject: 'Nachts', body: 'Text' },
    });
    expect(quiet.status).toBe(202);
    expect(quiet.body.deliveries).toEqual([expect.objectContaining({ status: 'held' })]);
    const held = await k.request('GET', `/api/v1/notifications/deliveries/${quiet.body.deliveries[0].id as string}`);
    expect(held.body).toMatchObject({ status: 'held', reason: 'quiet hours' });
    // It is released at the end of the window in Auckland.
    const release = new Intl.DateTimeFormat('en-GB', { timeZone: 'Pacific/Auckland', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(held.body.releaseAt));
    expect(release).toBe(hh(hour + 2));
  });
});
