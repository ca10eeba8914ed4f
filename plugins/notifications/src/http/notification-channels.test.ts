import { randomUUID } from 'node:crypto';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import manifest from '../../plugin.json';
import { startLoopbackReceiver, type LoopbackReceiver } from '../__fixtures__/loopback-receiver';
import { startLoopbackSmtp, type LoopbackSmtp } from '../__fixtures__/loopback-smtp';
import { SIGNATURE_HEADER, verifyWebhook } from '../channels/webhook-signature';
import { createNotificationsPlugin } from '../plugin';
import { notificationSchemas } from './notification-schemas';

// Every channel on real protocols, on loopback: two SMTP servers (primary, fallback) parsed with mailparser, a
// webhook receiver that verifies the signature, a Slack incoming-webhook fake. Nothing leaves the machine.

const secret = 'whsec-test-0123456789';
jest.setTimeout(20_000);

describe('notifications: channels, send API, workflows, preferences', () => {
  let k: TestKernel;
  let primary: LoopbackSmtp;
  let fallback: LoopbackSmtp;
  let hook: LoopbackReceiver;
  let slack: LoopbackReceiver;
  const send = (body: unknown, headers: Record<string, string> = {}, role: 'member' | 'tenant-admin' = 'tenant-admin') =>
    k.request('POST', '/api/v1/notifications/send', { body, headers, role });
  const deliveriesOf = async (eventId: string) =>
    (await k.request('GET', `/api/v1/notifications/deliveries?eventId=${encodeURIComponent(eventId)}`)).body.items as {
      channel: string;
      status: string;
      attempts: { server?: string; ok: boolean }[];
      reason: string;
    }[];
  const settled = async (eventId: string, count: number) => {
    for (let i = 0; i < 100; i++) {
      const items = await deliveriesOf(eventId);
      if (items.length >= count && items.every((d) => !['queued', 'sending', 'failed'].includes(d.status))) return items;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`deliveries of ${eventId} did not settle: ${JSON.stringify(await deliveriesOf(eventId))}`);
  };

  beforeAll(async () => {
    [primary, fallback, hook, slack] = await Promise.all([startLoopbackSmtp(), startLoopbackSmtp(), startLoopbackReceiver(), startLoopbackReceiver('ok')]);
    k = await createTestKernel({
      plugins: [{ manifest, plugin: createNotificationsPlugin({ deliveryBackoffMs: 100, deliveryAttempts: 2, circuit: { threshold: 2, openMs: 60_000 } }) }],
      tenants: ['acme', 'globex'],
      allowPrivateDestinations: '127.0.0.1/32',
      config: {
        notifications: {
          email: {
            from: 'ValueVerse <noreply@acme.test>',
            smtp: { host: '127.0.0.1', port: primary.port, user: 'mailer', password: 'smtp-password' },
            fallbackSmtp: { host: '127.0.0.1', port: fallback.port },
          },
          webhook: { url: hook.url, secret },
          slack: { webhookUrl: slack.url },
          publicBaseUrl: 'https://vv.example.com',
        },
      },
    });
    // Users become known to the plugin (email, role) through their own requests.
    expect((await k.request('GET', '/api/v1/notifications/inbox', { role: 'member' })).body).toEqual({ items: [], unreadCount: 0, nextCursor: null });
    expect((await k.request('GET', '/api/v1/notifications/inbox', { role: 'tenant-admin' })).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await Promise.all([primary?.close(), fallback?.close(), hook?.close(), slack?.close()]);
  });

  it('sends one message on every channel: the email (subject, text, escaped HTML, unsubscribe link), the inbox item, a signed webhook and a Slack Block Kit post', async () => {
    const res = await send({
      to: [{ userId: 'user-member' }],
      category: 'updates',
      channels: ['email', 'inbox', 'webhook', 'slack'],
      subject: 'Quarterly <review>',
      body: 'Numbers are in & look good',
      link: '/commitments/c-1',
    });
    expect(res.status).toBe(202);
    expect(res.body.deliveries).toHaveLength(4);
    const eventId = `send:${res.body.id}`;

    const [mail] = await primary.waitFor(1);
    expect(mail!.subject).toBe('Quarterly <review>');
    expect(mail!.to).toMatchObject({ text: 'member@acme.test' });
    expect(mail!.text).toContain('Numbers are in & look good');
    expect(mail!.html).toContain('Numbers are in &amp; look good');
    expect(mail!.messageId).toBe(`<${res.body.deliveries.find((d: { channel: string }) => d.channel === 'email').id}@notifications.valueverse>`);
    const header = (name: string) => mail!.headerLines.find((h) => h.key === name)?.line;
    expect(header('list-unsubscribe')).toMatch(/^List-Unsubscribe:\s+<https:\/\/vv\.example\.com\/api\/v1\/notifications\/unsubscribe\/acme\?token=[\w-]+\.[\w-]+>$/);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail!.text).toContain('Unsubscribe from updates: https://vv.example.com/api/v1/notifications/unsubscribe/acme?token=');

    const [webhook] = await hook.waitFor(1);
    expect(verifyWebhook(secret, webhook!.body, webhook!.headers[SIGNATURE_HEADER.toLowerCase()] as string)).toBeUndefined();
    expect(verifyWebhook('another-secret-entirely', webhook!.body, webhook!.headers[SIGNATURE_HEADER.toLowerCase()] as string)).toBe('signature does not match');
    expect(JSON.parse(webhook!.body)).toMatchObject({ eventId, category: 'updates', recipient: 'user:user-member', subject: 'Quarterly <review>', link: '/commitments/c-1' });

    const [post] = await slack.waitFor(1);
    const blocks = JSON.parse(post!.body);
    expect(blocks.text).toBe('Quarterly <review>');
    expect(blocks.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Quarterly <review>', emoji: true } });
    expect(blocks.blocks[1].text.text).toBe('Numbers are in &amp; look good');
    expect(blocks.blocks[2].elements[0].url).toBe('/commitments/c-1');

    const inbox = await k.request('GET', '/api/v1/notifications/inbox', { role: 'member' });
    expect(inbox.body.unreadCount).toBe(1);
    expect(inbox.body.items[0]).toMatchObject({ title: 'Quarterly <review>', category: 'updates', read: false, link: '/commitments/c-1' });
    expect(k.events.some((e) => e.name === 'notifications.inbox.created' && (e.payload as { userIds: string[] }).userIds.includes('user-member'))).toBe(true);

    const log = await settled(eventId, 4);
    expect(log.map((d) => `${d.channel}:${d.status}`).sort()).toEqual(['email:sent', 'inbox:sent', 'slack:sent', 'webhook:sent']);
    expect(log.find((d) => d.channel === 'email')!.attempts).toMatchObject([{ server: 'primary', ok: true }]);
  });

  it('unsubscribes through the email’s link without signing in: GET asks, POST (one-click) turns the category off', async () => {
    const mail = primary.mails.find((m) => m.subject === 'Quarterly <review>')!;
    const link = /https:\/\/vv\.example\.com(\/api\/v1\/notifications\/unsubscribe\/acme\?token=[\w.-]+)/.exec(mail.text!)![1]!;
    const page = await k.request('GET', link, { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('Stop <strong>updates</strong> emails to user-member?');
    expect((await k.request('GET', '/api/v1/notifications/preferences', { role: 'member' })).body.channels).toEqual([]);
    // Tampered, or another tenant's link: refused, nothing changed.
    const tampered = await k.request('POST', link.replace(/\.[\w-]+$/, '.AAAA'), { token: null });
    expect(tampered.status).toBe(400);
    expect(tampered.body.code).toBe('VV_NOTIFICATIONS_UNSUBSCRIBE_INVALID');
    expect((await k.request('POST', link.replace('/acme?', '/globex?'), { token: null })).status).toBe(400);
    const oneClick = await k.request('POST', link, { token: null, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(oneClick.status).toBe(200);
    expect((await k.request('GET', '/api/v1/notifications/preferences', { role: 'member' })).body.channels).toEqual([{ category: 'updates', channel: 'email', enabled: false }]);
    const after = await send({ to: [{ userId: 'user-member' }], category: 'updates', channels: ['email'], subject: 'Not for you', body: 'b' });
    expect((await settled(`send:${after.body.id}`, 1))[0]).toMatchObject({ status: 'suppressed' });
    // Back on for the tests below.
    await k.request('PUT', '/api/v1/notifications/preferences', { role: 'member', body: { channels: [{ category: 'updates', channel: 'email', enabled: true }] } });
  });

  it('answers a retried send with the same Idempotency-Key from the first response, sending nothing again', async () => {
    const key = randomUUID();
    const body = { to: [{ email: 'outside@example.org' }], category: 'updates', channels: ['email'], subject: 'Once', body: 'only once' };
    const before = primary.mails.length + fallback.mails.length;
    const first = await send(body, { 'idempotency-key': key });
    const again = await send(body, { 'idempotency-key': key });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    await settled(`send:${first.body.id}`, 1);
    expect(primary.mails.length + fallback.mails.length).toBe(before + 1);
  });

  it('fails over to the fallback SMTP server when the primary refuses, and the attempt log says which carried it', async () => {
    primary.refusing = true;
    try {
      const res = await send({ to: [{ email: 'failover@example.org' }], category: 'updates', channels: ['email'], subject: 'Via fallback', body: 'b' });
      const [mail] = await fallback.waitFor(1);
      expect(mail!.subject).toBe('Via fallback');
      const [email] = await settled(`send:${res.body.id}`, 1);
      expect(email).toMatchObject({ status: 'sent' });
      expect(email!.attempts).toMatchObject([
        { server: 'primary', ok: false },
        { server: 'fallback', ok: true },
      ]);
    } finally {
      primary.refusing = false;
    }
  });

  it('keeps a failing webhook as failed, retries it with backoff, and ends it dead with the provider answer', async () => {
    hook.status = 500;
    try {
      const res = await send({ to: [{ userId: 'user-member' }], category: 'updates', channels: ['webhook'], subject: 'Down', body: 'b' });
      const [delivery] = await settled(`send:${res.body.id}`, 1);
      expect(delivery).toMatchObject({ status: 'dead', reason: 'HTTP 500: nope' });
      expect(delivery!.attempts).toHaveLength(2);
    } finally {
      hook.status = 200;
    }
  });

  it('suppresses a category the user turned off, but a critical message from an admin still goes', async () => {
    const prefs = await k.request('PUT', '/api/v1/notifications/preferences', { role: 'member', body: { channels: [{ category: 'news', channel: 'email', enabled: false }] } });
    expect(prefs.body.channels).toContainEqual({ category: 'news', channel: 'email', enabled: false });
    const quiet = await send({ to: [{ userId: 'user-member' }], category: 'news', channels: ['email', 'inbox'], subject: 'Newsletter', body: 'b' });
    const log = await settled(`send:${quiet.body.id}`, 2);
    expect(log.find((d) => d.channel === 'email')).toMatchObject({ status: 'suppressed', reason: 'preference: news off on email' });
    expect(log.find((d) => d.channel === 'inbox')).toMatchObject({ status: 'sent' });

    const critical = await send({ to: [{ userId: 'user-member' }], category: 'news', channels: ['email'], subject: 'Security notice', body: 'b', critical: true });
    expect(critical.body.critical).toBe(true);
    expect((await settled(`send:${critical.body.id}`, 1))[0]).toMatchObject({ status: 'sent' });
    // A member cannot mark a message critical.
    const byMember = await send({ to: [{ userId: 'user-member' }], category: 'news', channels: ['email'], subject: 'x', body: 'b', critical: true }, {}, 'member');
    expect(byMember.body.critical).toBe(false);
  });

  it('runs the first-party workflow on realization.at-risk once per (event, recipient, channel), even when the event arrives twice', async () => {
    const mailsBefore = primary.mails.length;
    const event = {
      id: randomUUID(),
      name: 'realization.at-risk',
      tenantId: 'acme',
      source: 'value-executor',
      occurredAt: new Date().toISOString(),
      payload: { commitmentId: 'c-42', milestoneId: 'ms-1', title: 'Tickets <20%>', target: 800, projected: 900, dueDate: '2026-06-30', createdBy: 'user-member' },
    };
    await k.kernel.events.publish(event);
    await k.kernel.events.publish(event);
    const log = await settled(`${event.id}:commitment-at-risk`, 6);
    // Owner (user-member) and the known tenant admin, on email, inbox and webhook.
    expect(log.map((d) => `${d.channel}:${d.status}`).sort()).toEqual(['email:sent', 'email:sent', 'inbox:sent', 'inbox:sent', 'webhook:sent', 'webhook:sent']);
    await primary.waitFor(mailsBefore + 2);
    const atRisk = primary.mails.slice(mailsBefore).filter((m) => m.subject === 'At risk: Tickets <20%>');
    expect(atRisk.map((m) => (m.to as { text: string }).text).sort()).toEqual(['member@acme.test', 'tenant-admin@acme.test']);
    expect(atRisk[0]!.html).toContain('<strong>Tickets &lt;20%&gt;</strong>');
  });

  it('marks inbox items read, all read and archived, only the caller’s own', async () => {
    const before = await k.request('GET', '/api/v1/notifications/inbox', { role: 'member' });
    expect(before.body.unreadCount).toBeGreaterThanOrEqual(2);
    const [first, second] = before.body.items as { id: string }[];
    const read = await k.request('POST', `/api/v1/notifications/inbox/${first!.id}/read`, { role: 'member' });
    expect(read.body).toMatchObject({ id: first!.id, read: true });
    // Another user's item is not found, not changed.
    expect((await k.request('POST', `/api/v1/notifications/inbox/${second!.id}/read`, { role: 'tenant-admin' })).status).toBe(404);
    expect((await k.request('POST', `/api/v1/notifications/inbox/${second!.id}/archive`, { role: 'member' })).body).toMatchObject({ archived: true });
    const all = await k.request('POST', '/api/v1/notifications/inbox/read-all', { role: 'member' });
    expect(all.status).toBe(200);
    const after = await k.request('GET', '/api/v1/notifications/inbox', { role: 'member' });
    expect(after.body.unreadCount).toBe(0);
    expect(after.body.items.some((i: { id: string }) => i.id === second!.id)).toBe(false);
    expect((await k.request('GET', '/api/v1/notifications/inbox?archived=true', { role: 'member' })).body.items[0].id).toBe(second!.id);
    // Another tenant sees nothing of acme's.
    expect((await k.request('GET', '/api/v1/notifications/inbox', { role: 'member', tenant: 'globex' })).body.items).toEqual([]);
  });

  it('validates templates on save, naming unknown variables, and previews them with HTML escaped', async () => {
    const bad = await k.request('PUT', '/api/v1/notifications/templates/commitment-at-risk/de', {
      body: { subject: 'Gefährdet: {{ data.titel }}', text: '{{ user.name }}', html: '<p>{{ data.title }}</p>' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VV_VALIDATION');
    expect(bad.body.errors.map((e: { message: string }) => e.message)).toEqual([
      'uses unknown variable "data.titel" (not in the sample data)',
      expect.stringContaining('uses unknown variable "user.name"'),
    ]);
    const good = await k.request('PUT', '/api/v1/notifications/templates/commitment-at-risk/de', {
      body: { subject: 'Gefährdet: {{ data.title }}', text: 'Meilenstein {{ data.title }}', html: '<p>{{ data.title }}</p>' },
    });
    expect(good.status).toBe(200);
    // A new key is created with POST; PUT only replaces a key that exists.
    const custom = { subject: 'Hi {{ data.name }}', text: 'Hello', sampleData: { name: 'x' } };
    expect((await k.request('PUT', '/api/v1/notifications/templates/welcome/en', { body: custom })).status).toBe(404);
    expect((await k.request('POST', '/api/v1/notifications/templates', { body: { key: 'welcome', locale: 'en', ...custom } })).status).toBe(200);
    expect((await k.request('PUT', '/api/v1/notifications/templates/welcome/en', { body: custom })).status).toBe(200);
    const preview = await k.request('POST', '/api/v1/notifications/templates/preview', { body: { key: 'commitment-at-risk', locale: 'de', data: { title: '<b>x</b>' } } });
    expect(preview.body).toEqual({ subject: 'Gefährdet: <b>x</b>', text: 'Meilenstein <b>x</b>', html: '<p>&lt;b&gt;x&lt;/b&gt;</p>' });
    expect((await k.request('GET', '/api/v1/notifications/templates', { role: 'member' })).status).toBe(403);
  });

  it('lets admins edit workflows and refuses a workflow naming no template', async () => {
    const list = await k.request('GET', '/api/v1/notifications/workflows');
    expect(list.body.items.map((w: { id: string }) => w.id)).toEqual(expect.arrayContaining(['commitment-at-risk', 'invoice-finalized', 'payment-failed', 'milestone-missed']));
    const body = { name: 'Big deals', eventPattern: 'commitment.signed', recipients: [{ role: 'tenant-admin' }], channels: ['inbox'], template: 'nope', category: 'commitments' };
    expect((await k.request('POST', '/api/v1/notifications/workflows', { body: { id: 'big-deals', ...body } })).body.errors[0].pointer).toBe('/template');
    // PUT replaces only what exists.
    expect((await k.request('PUT', '/api/v1/notifications/workflows/big-deals', { body: { ...body, template: 'direct' } })).status).toBe(404);
    const created = await k.request('POST', '/api/v1/notifications/workflows', { body: { id: 'big-deals', ...body, template: 'direct' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'big-deals', critical: false, digestMinutes: 0, enabled: true });
    expect((await k.request('POST', '/api/v1/notifications/workflows', { body: { id: 'big-deals', ...body, template: 'direct' } })).status).toBe(409);
    const replaced = await k.request('PUT', '/api/v1/notifications/workflows/big-deals', { body: { ...body, template: 'direct', enabled: false } });
    expect(replaced.body).toMatchObject({ id: 'big-deals', enabled: false });
    expect((await k.request('DELETE', '/api/v1/notifications/workflows/big-deals')).status).toBe(204);
  });

  it('sends a test on a channel to the caller and reports the outcome, and refuses an unconfigured channel', async () => {
    const test = await k.request('POST', '/api/v1/notifications/channels/test', { body: { channel: 'email' } });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ channel: 'email', status: 'sent', recipient: 'email:tenant-admin@acme.test' });
    // The answer has exactly the keys its OpenAPI response schema declares (the console's types are generated from it).
    expect(Object.keys(test.body).sort()).toEqual([...notificationSchemas.delivery.required].sort());
    expect(Object.keys(test.body.attempts[0]).every((key) => key in notificationSchemas.delivery.properties.attempts.items.properties)).toBe(true);
    expect((await k.setPlugin('globex', 'notifications', { config: {} })).status).toBe(200);
    const none = await k.request('POST', '/api/v1/notifications/channels/test', { tenant: 'globex', body: { channel: 'slack' } });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('VV_NOTIFICATIONS_CHANNEL_NOT_CONFIGURED');
  });

  it('never echoes the SMTP password or the webhook secret', async () => {
    const config = await k.request('GET', '/api/v1/admin/tenants/acme/plugins', { role: 'platform-admin' });
    const text = JSON.stringify(config.body);
    expect(text).not.toContain('smtp-password');
    expect(text).not.toContain(secret);
  });
});
