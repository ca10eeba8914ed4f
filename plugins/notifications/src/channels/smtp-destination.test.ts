import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import manifest from '../../plugin.json';
import { startLoopbackSmtp, type LoopbackSmtp } from '../__fixtures__/loopback-smtp';
import { createNotificationsPlugin } from '../plugin';

// SMTP goes through the kernel's outbound policy (issue #18): a server on a loopback, private or link-local address
// is refused unless the operator allows it, as webhooks and Slack are; the attempt log says why and nothing connects.

jest.setTimeout(30_000);

describe('notifications: SMTP destinations under the outbound policy', () => {
  let k: TestKernel;
  let smtp: LoopbackSmtp;

  beforeAll(async () => {
    smtp = await startLoopbackSmtp();
    // No allowPrivateDestinations: the operator allows no private address.
    k = await createTestKernel({
      plugins: [{ manifest, plugin: createNotificationsPlugin({ deliveryAttempts: 1 }) }],
      config: { notifications: { email: { from: 'noreply@acme.test', smtp: { host: '127.0.0.1', port: smtp.port }, fallbackSmtp: { host: '169.254.169.254', port: 25 } } } },
    });
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await smtp?.close();
  });

  it('refuses a loopback primary and a metadata-address fallback: the delivery is dead, each refusal in its attempts, no mail sent', async () => {
    const res = await k.request('POST', '/api/v1/notifications/send', {
      body: { to: [{ email: 'ana@example.org' }], category: 'updates', channels: ['email'], subject: 'Hi', body: 'Body' },
    });
    expect(res.status).toBe(202);
    const id = res.body.deliveries[0].id as string;
    let delivery: { status: string; attempts: { server?: string; ok: boolean; response: string }[] } | undefined;
    for (let i = 0; i < 100; i++) {
      delivery = (await k.request('GET', `/api/v1/notifications/deliveries/${id}`)).body;
      if (delivery && !['queued', 'sending'].includes(delivery.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(delivery?.status).toBe('dead');
    expect(delivery?.attempts).toEqual([
      expect.objectContaining({ server: 'primary', ok: false, response: expect.stringContaining('VV_OUTBOUND_REFUSED') }),
      expect.objectContaining({ server: 'fallback', ok: false, response: expect.stringContaining('VV_OUTBOUND_REFUSED') }),
    ]);
    expect(smtp.mails).toHaveLength(0);
  });
});
