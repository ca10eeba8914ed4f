import { randomUUID } from 'node:crypto';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import manifest from '../../plugin.json';
import { startLoopbackSmtp, type LoopbackSmtp } from '../__fixtures__/loopback-smtp';
import { createNotificationsPlugin } from '../plugin';

// Quiet hours and digests on an injected clock, across Europe/Berlin's spring-forward night (2026-03-29, 02:00 →
// 03:00): what is sent at 23:30 waits until 07:00 local, which that morning is 05:00 UTC, not 06:00.

jest.setTimeout(20_000);

describe('quiet hours and digests on the recipient’s clock', () => {
  let k: TestKernel;
  let smtp: LoopbackSmtp;
  let clock = new Date('2026-03-28T22:30:00Z');
  const send = (subject: string, extra: Record<string, unknown> = {}) =>
    k.request('POST', '/api/v1/notifications/send', {
      body: { to: [{ userId: 'user-member' }], category: 'commitments', channels: ['email', 'inbox'], subject, body: `${subject} body`, ...extra },
    });
  const flush = async () => (await k.request('POST', '/api/v1/notifications/digests/flush')).body as { released: number; digests: number };
  const log = async (query: string) =>
    (await k.request('GET', `/api/v1/notifications/deliveries?${query}`)).body.items as {
      eventId: string;
      status: string;
      reason: string;
      releaseAt: string | null;
      subject: string;
    }[];

  beforeAll(async () => {
    smtp = await startLoopbackSmtp();
    k = await createTestKernel({
      plugins: [{ manifest, plugin: createNotificationsPlugin({ now: () => clock, flushSchedule: { everyMs: 86_400_000 * 30 } }) }],
      allowPrivateDestinations: '127.0.0.1/32',
      config: { notifications: { email: { from: 'noreply@acme.test', smtp: { host: '127.0.0.1', port: smtp.port } } } },
    });
    const prefs = await k.request('PUT', '/api/v1/notifications/preferences', {
      role: 'member',
      body: { timeZone: 'Europe/Berlin', quietHours: { start: '22:00', end: '07:00' } },
    });
    expect(prefs.body).toMatchObject({ timeZone: 'Europe/Berlin', quietHours: { start: '22:00', end: '07:00' } });
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await smtp?.close();
  });

  it('holds non-critical email during quiet hours (the inbox still gets it), sends critical at once, and releases the held ones as one digest at 07:00 local after the clocks went forward', async () => {
    const first = await send('Milestone A at risk');
    const second = await send('Milestone B at risk');
    const critical = await send('Payment failed', { critical: true });
    await smtp.waitFor(1);
    expect(smtp.mails.map((m) => m.subject)).toEqual(['Payment failed']);
    const held = await log('status=held');
    expect(held.map((d) => d.eventId).sort()).toEqual([`send:${first.body.id}`, `send:${second.body.id}`].sort());
    expect(held.every((d) => d.releaseAt === '2026-03-29T05:00:00.000Z' && d.reason === 'quiet hours')).toBe(true);
    expect((await k.request('GET', '/api/v1/notifications/inbox', { role: 'member' })).body.unreadCount).toBe(3);
    expect(critical.body.critical).toBe(true);

    clock = new Date('2026-03-29T04:59:00Z'); // 06:59 CEST
    expect(await flush()).toEqual({ released: 0, digests: 0 });
    clock = new Date('2026-03-29T05:00:00Z'); // 07:00 CEST
    expect(await flush()).toEqual({ released: 1, digests: 1 });
    await smtp.waitFor(2);
    const digest = smtp.mails[1]!;
    expect(digest.subject).toBe('2 commitments notifications');
    expect(digest.text).toContain('- Milestone A at risk');
    expect(digest.text).toContain('- Milestone B at risk');
    expect(digest.html).toContain('<li>Milestone A at risk</li>');
    expect((await log('status=digested')).length).toBe(2);
    // Flushing again sends nothing more.
    expect(await flush()).toEqual({ released: 0, digests: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails).toHaveLength(2);
  });

  it('collects a workflow’s events over its digest window into one email, outside quiet hours', async () => {
    clock = new Date('2026-03-29T10:00:00Z'); // 12:00 CEST
    const workflow = {
      name: 'Reached, daily',
      eventPattern: 'milestone.achieved',
      recipients: [{ userId: 'user-member' }],
      channels: ['email'],
      template: 'milestone-achieved',
      category: 'wins',
      digestMinutes: 60,
    };
    expect((await k.request('POST', '/api/v1/notifications/workflows', { body: { id: 'wins-digest', ...workflow } })).status).toBe(201);
    const publish = (title: string) =>
      k.kernel.events.publish({
        id: randomUUID(),
        name: 'milestone.achieved',
        tenantId: 'acme',
        source: 'value-executor',
        occurredAt: clock.toISOString(),
        payload: { commitmentId: 'c-1', title, target: 1 },
      });
    await publish('First win');
    clock = new Date('2026-03-29T10:20:00Z');
    await publish('Second win');
    const held = await log('status=held');
    expect(held.map((d) => d.releaseAt)).toEqual(['2026-03-29T11:00:00.000Z', '2026-03-29T11:00:00.000Z']);
    clock = new Date('2026-03-29T11:00:00Z');
    expect(await flush()).toEqual({ released: 1, digests: 1 });
    await smtp.waitFor(3);
    expect(smtp.mails[2]!.subject).toBe('2 wins notifications');
    expect(smtp.mails[2]!.text).toContain('- Reached: First win');
    expect(smtp.mails[2]!.text).toContain('- Reached: Second win');
  });
});
