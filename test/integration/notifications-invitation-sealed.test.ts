import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import manifest from '../../plugins/notifications/plugin.json';
import { startLoopbackSmtp, type LoopbackSmtp } from '../../plugins/notifications/src/__fixtures__/loopback-smtp';
import { createNotificationsPlugin } from '../../plugins/notifications/src/plugin';
import { openDatabase } from '../../backends/src/data/open-database';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';

// Issue 18: the member-invited email carries the invitation's token. Until it is sent, its delivery row holds the
// message sealed with the platform key (core.secrets), so the database, the delivery log and its API never show the
// token; the email, once the SMTP server takes it, still carries a link that accepts the invitation. Read with SQL as
// the database's superuser (past row-level security), on PostgreSQL.

jest.setTimeout(60_000);

describe('notifications: the invitation token is sealed at rest', () => {
  let scratch: ScratchDatabase;
  let smtp: LoopbackSmtp;
  let k: TestKernel;
  let sql: Awaited<ReturnType<typeof openDatabase>>;

  beforeAll(async () => {
    scratch = await createScratchDatabase('vv_notify_sealed');
    smtp = await startLoopbackSmtp();
    k = await createTestKernel({
      // A long backoff: the refused email stays `failed` (not retried) while the test reads its row.
      plugins: [{ manifest, plugin: createNotificationsPlugin({ deliveryBackoffMs: 600_000, deliveryAttempts: 3 }) }],
      tenants: ['acme'],
      database: { url: scratch.url },
      allowPrivateDestinations: '127.0.0.1/32',
      config: { notifications: { email: { from: 'ValueVerse <noreply@acme.test>', smtp: { host: '127.0.0.1', port: smtp.port } } } },
    });
    sql = await openDatabase({ url: scratch.url, poolMax: 1 });
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await sql?.close();
    await smtp?.close();
    await scratch?.drop();
  });

  const rowsOf = (email: string) =>
    sql.execute<{ id: string; status: string; content: string }>(
      `select id, status, content::text as content from notifications.deliveries where recipient = $1 and channel = 'email'`,
      [`email:${email}`],
    );

  it('keeps the token out of the delivery row, the log and its API, and the email still accepts the invitation', async () => {
    smtp.refusing = true;
    const invited = await k.request('POST', '/api/v1/admin/tenants/acme/members', { role: 'tenant-admin', body: { email: 'newcomer@acme.test', role: 'member' } });
    expect(invited.status).toBe(202);
    let rows: Awaited<ReturnType<typeof rowsOf>> = [];
    for (let i = 0; i < 100 && rows[0]?.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await rowsOf('newcomer@acme.test');
    }
    expect(rows.map((r) => r.status)).toEqual(['failed']);
    const stored = JSON.parse(rows[0]!.content) as Record<string, unknown>;
    // What the row holds while the email waits: the subject and address for the log, the rest sealed.
    expect(rows[0]!.content).not.toContain('vvi_');
    expect(rows[0]!.content).not.toContain('token=');
    expect(stored).toMatchObject({ subject: 'You are invited to acme on ValueVerse', to: 'newcomer@acme.test', text: '(sealed)', confidential: true });
    expect(stored['sealed']).toMatch(/^v\d+:/);
    expect(stored).not.toHaveProperty('html');
    // Nothing else in the plugin's tables holds it either (no inbox item, no webhook or Slack row).
    const everywhere = await sql.execute<{ text: string }>(
      `select (select coalesce(string_agg(content::text || attempts::text, ' '), '') from notifications.deliveries) ||
              (select coalesce(string_agg(title || body, ' '), '') from notifications.inbox_items) as text`,
    );
    expect(everywhere[0]!.text).not.toContain('vvi_');
    const log = await k.request('GET', '/api/v1/notifications/deliveries');
    const one = await k.request('GET', `/api/v1/notifications/deliveries/${rows[0]!.id}`);
    expect([log.status, one.status]).toEqual([200, 200]);
    expect(JSON.stringify([log.body, one.body])).not.toContain('vvi_');
    expect(smtp.mails).toHaveLength(0);

    // The server takes mail again; the admin retries. The email carries the token and the link accepts it.
    smtp.refusing = false;
    expect((await k.request('POST', `/api/v1/notifications/deliveries/${rows[0]!.id}/retry`)).status).toBe(202);
    const [mail] = await smtp.waitFor(1, 20_000);
    expect(mail!.subject).toBe('You are invited to acme on ValueVerse');
    const token = /token=(vvi_[\w-]+)/.exec(mail!.text ?? '')?.[1];
    expect(token).toBeDefined();
    expect(mail!.html).toContain(`token=${token}`);
    const accepted = await k.request('POST', '/api/v1/auth/invitations/accept', { token: null, body: { token, password: 'a long password of mine' } });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ tenantId: 'acme', role: 'member', email: 'newcomer@acme.test' });
    // Sent: the row keeps neither the text nor the sealed value.
    for (let i = 0; i < 50 && rows[0]?.status !== 'sent'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await rowsOf('newcomer@acme.test');
    }
    expect(rows[0]!.status).toBe('sent');
    expect(JSON.parse(rows[0]!.content)).toEqual({ subject: 'You are invited to acme on ValueVerse', text: '(sent; not kept)', to: 'newcomer@acme.test' });
  });
});
