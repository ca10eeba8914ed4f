import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import manifest from '../../plugin.json';
import { createNotificationsPlugin } from '../plugin';

// `deliver` jobs carry batches: one transaction claims a batch's rows, sends them at once over the SMTP pool and
// records each outcome. Every address gets its email once, and a job retried because some of its deliveries failed
// sends only those again (the others are `sent` and no longer claimable).

jest.setTimeout(30_000);

describe('notifications: deliveries sent in batches', () => {
  let k: TestKernel;
  let server: SMTPServer;
  const mails: ParsedMail[] = [];
  /** RCPT TO for these addresses is refused (a mailbox the server does not know). */
  const refused = new Set(['gone@example.org']);
  let rcptTries = 0;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        rcptTries += 1;
        if (refused.has(address.address)) callback(Object.assign(new Error('550 5.1.1 no such mailbox'), { responseCode: 550 }));
        else callback();
      },
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    k = await createTestKernel({
      plugins: [{ manifest, plugin: createNotificationsPlugin({ deliveryAttempts: 3, deliveryBackoffMs: 50, sendBatch: 4 }) }],
      allowPrivateDestinations: '127.0.0.1/32',
      config: { notifications: { email: { from: 'noreply@acme.test', smtp: { host: '127.0.0.1', port } } } },
    });
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('sends each of 10 emails (3 batches) once; the refused one is tried 3 times and dead, its batch neighbours are not sent again', async () => {
    const addresses = Array.from({ length: 9 }, (_, i) => `person-${i}@example.org`);
    addresses.splice(5, 0, 'gone@example.org');
    const res = await k.request('POST', '/api/v1/notifications/send', {
      body: { to: addresses.map((email) => ({ email })), category: 'updates', channels: ['email'], subject: 'Batch', body: 'Body' },
    });
    expect(res.status).toBe(202);
    const eventId = `send:${res.body.id}`;
    type Item = { recipient: string; status: string; attempts: { ok: boolean; response: string }[] };
    let items: Item[] = [];
    for (let i = 0; i < 150; i++) {
      items = (await k.request('GET', `/api/v1/notifications/deliveries?eventId=${encodeURIComponent(eventId)}`)).body.items;
      if (items.length === 10 && items.every((d) => ['sent', 'dead'].includes(d.status))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const byRecipient = new Map(items.map((d) => [d.recipient, d]));
    expect(byRecipient.get('email:gone@example.org')).toMatchObject({ status: 'dead' });
    expect(byRecipient.get('email:gone@example.org')!.attempts).toHaveLength(3);
    expect(byRecipient.get('email:gone@example.org')!.attempts.every((a) => !a.ok && a.response.includes('550'))).toBe(true);
    for (const address of addresses.filter((a) => !refused.has(a))) {
      expect(byRecipient.get(`email:${address}`)).toMatchObject({ status: 'sent', attempts: [expect.objectContaining({ ok: true })] });
    }
    // A moment for any repeat to arrive: each accepted address received exactly one message.
    await new Promise((r) => setTimeout(r, 300));
    const received = mails.filter((m) => m.subject === 'Batch').map((m) => (m.to as { text: string }).text);
    expect(received.sort()).toEqual(addresses.filter((a) => !refused.has(a)).sort());
    expect(rcptTries).toBe(9 + 3);
  });
});
