import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import manifest from '../../plugins/notifications/plugin.json';
import { startLoopbackSmtp, type LoopbackSmtp } from '../../plugins/notifications/src/__fixtures__/loopback-smtp';
import { createNotificationsPlugin } from '../../plugins/notifications/src/plugin';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { describeWithPostgres } from '../support/services';

// "Send a test email" answers with the outcome of the send: the console shows that answer and nothing updates it
// later. The delivery's own `deliver` job, queued when the row commits, races the route for the row. On PostgreSQL
// (rows claimed with SKIP LOCKED) the route that lost used to read the row before the job's send committed, and
// answered `queued` for an email the server had taken: the console said "queued" for good (CI, at night, every run).
// With a slow SMTP server the job's send stays open long enough for that read to land inside it.

jest.setTimeout(60_000);

describeWithPostgres('notifications: a channel test answers with the outcome, whoever sends it (PostgreSQL)', () => {
  let scratch: ScratchDatabase;
  let smtp: LoopbackSmtp;
  let k: TestKernel;

  beforeAll(async () => {
    scratch = await createScratchDatabase('vv_notify_test_send');
    smtp = await startLoopbackSmtp();
    k = await createTestKernel({
      plugins: [{ manifest, plugin: createNotificationsPlugin({ deliveryBackoffMs: 600_000, deliveryAttempts: 3 }) }],
      tenants: ['acme'],
      database: { url: scratch.url },
      allowPrivateDestinations: '127.0.0.1/32',
      config: { notifications: { email: { from: 'ValueVerse <noreply@acme.test>', smtp: { host: '127.0.0.1', port: smtp.port } } } },
    });
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await smtp?.close();
    await scratch?.drop();
  });

  it('answers `sent` with its one attempt for each of 8 test emails to a server that takes 300 ms, and each arrives once', async () => {
    smtp.delayMs = 300;
    // Sent at once (admins testing together), so the routes and the jobs interleave.
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const res = await k.request('POST', '/api/v1/notifications/channels/test', { role: 'tenant-admin', body: { channel: 'email' } });
        expect(res.status).toBe(200);
        return { status: res.body.status as string, attempts: (res.body.attempts as unknown[]).length };
      }),
    );
    expect(answers).toEqual(Array.from({ length: 8 }, () => ({ status: 'sent', attempts: 1 })));
    await smtp.waitFor(8);
    // Nothing sent twice: the loser of each race sent nothing.
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails).toHaveLength(8);
  });
});
