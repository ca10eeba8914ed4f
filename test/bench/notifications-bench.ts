/**
 * `npm run bench -- notifications` (issue #18), in process on a test kernel whose database is a scratch PostgreSQL
 * database (the embedded one when the server does not answer), each figure beside a baseline measured in the same run:
 *  (a) one event fanned out by a workflow to 10,000 inbox recipients: time until every item is stored, and p99 from
 *      the event to each recipient's item being readable (the `notifications.inbox.created` event that follows the
 *      commit), against the same 10,000 rows inserted by one bare `INSERT … SELECT unnest(…)` into a plain table;
 *  (b) email throughput to a loopback SMTP server (smtp-server, messages parsed): the plugin's send API (delivery
 *      rows claimed, jobs, attempt log) against raw nodemailer with the same pooled transport settings sending the
 *      same number of messages straight to the same server, as a ratio (target ≥ 0.8).
 * Knobs: VV_BENCH_NOTIFY_RECIPIENTS (default 10,000), VV_BENCH_NOTIFY_EMAILS (default 500), VV_BENCH_NOTIFY_ROUNDS (3).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { createTransport } from 'nodemailer';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import manifest from '../../plugins/notifications/plugin.json';
import { createNotificationsPlugin } from '../../plugins/notifications/src/plugin';
import { startLoopbackSmtp, type LoopbackSmtp } from '../../plugins/notifications/src/__fixtures__/loopback-smtp';
import { openDatabase } from '../../backends/src/data/open-database';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { serverAvailability } from '../support/services';
import { figure } from './figures';

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export async function runNotificationsBench(): Promise<void> {
  const recipients = envNumber('VV_BENCH_NOTIFY_RECIPIENTS', 10_000);
  const emails = envNumber('VV_BENCH_NOTIFY_EMAILS', 500);
  const onPostgres = (await serverAvailability()).postgres;
  const scratch: ScratchDatabase | undefined = onPostgres ? await createScratchDatabase('vv_bench_notify') : undefined;
  const smtp: LoopbackSmtp = await startLoopbackSmtp();
  let k: TestKernel | undefined;
  try {
    k = await createTestKernel({
      plugins: [
        {
          manifest,
          plugin: createNotificationsPlugin({
            flushSchedule: { everyMs: 86_400_000 * 30 },
            sendConcurrency: process.env.VV_BENCH_NOTIFY_SEND_CONCURRENCY ? Number(process.env.VV_BENCH_NOTIFY_SEND_CONCURRENCY) : undefined,
          }),
        },
      ],
      database: scratch ? { url: scratch.url } : 'embedded',
      allowPrivateDestinations: '127.0.0.1/32',
      config: { notifications: { email: { from: 'bench@acme.test', smtp: { host: '127.0.0.1', port: smtp.port } } } },
    });
    const load = () =>
      `load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`;
    console.log(`notifications bench on ${scratch ? `PostgreSQL (${scratch.name})` : 'the embedded database'}; ${load()}`);

    // (a) Fan-out. The recipients are known to the plugin (as if each had opened the console once).
    const db = scratch ? await openDatabase({ url: scratch.url, poolMax: 2 }) : undefined;
    const sql = async (text: string, params: unknown[] = []) => {
      if (db) return db.execute(text, params);
      throw new Error('fan-out seeding needs PostgreSQL');
    };
    if (!db) {
      console.log('(a) skipped: needs the PostgreSQL server to seed recipients');
    } else {
      const ids = Array.from({ length: recipients }, (_, i) => `bench-user-${i}`);
      await sql(`insert into notifications.contacts (tenant_id, user_id, email, role) select 'acme', u, u || '@acme.test', 'viewer' from unnest($1::text[]) as u`, [ids]);
      const workflow = {
        name: 'Bench',
        eventPattern: 'milestone.achieved',
        recipients: [{ role: 'viewer' }],
        channels: ['inbox'],
        template: 'milestone-achieved',
        category: 'bench',
      };
      if ((await k.request('POST', '/api/v1/notifications/workflows', { body: { id: 'bench-fanout', ...workflow } })).status !== 201) throw new Error('workflow not created');
      const arrivals = new Map<string, number>();
      let allStored!: () => void;
      const done = new Promise<void>((resolve) => (allStored = resolve));
      const unsubscribe = k.kernel.events.subscribe(
        'notifications.inbox.created',
        (event: { payload: unknown }) => {
          const at = performance.now();
          for (const id of (event.payload as { userIds: string[] }).userIds) arrivals.set(id, at);
          if (arrivals.size >= recipients) allStored();
        },
        'bench',
      );
      const started = performance.now();
      await k.kernel.events.publish({
        id: randomUUID(),
        name: 'milestone.achieved',
        tenantId: 'acme',
        source: 'value-executor',
        occurredAt: new Date().toISOString(),
        payload: { commitmentId: 'c-1', title: 'Bench', target: 1 },
      });
      await done;
      const totalMs = performance.now() - started;
      unsubscribe();
      const [{ n }] = (await sql(`select count(*)::int as n from notifications.inbox_items where category = 'bench'`)) as [{ n: number }];
      if (n !== recipients) throw new Error(`expected ${recipients} inbox items, found ${n}`);
      const latencies = [...arrivals.values()].map((at) => at - started);
      await sql('create table bench_baseline (id uuid primary key, tenant_id text, user_id text, title text, body text, created_at timestamptz default now())');
      const baseStarted = performance.now();
      await sql(
        `insert into bench_baseline (id, tenant_id, user_id, title, body) select gen_random_uuid(), 'acme', u, 'Reached: Bench', 'Milestone reached' from unnest($1::text[]) as u`,
        [ids],
      );
      const baselineMs = performance.now() - baseStarted;
      console.log(
        `(a) fan-out of one event to ${recipients} inbox recipients: all stored in ${totalMs.toFixed(0)} ms; p99 event→inbox ${percentile(latencies, 0.99).toFixed(0)} ms`,
      );
      console.log(
        `    baseline: the same ${recipients} rows in one bare INSERT: ${baselineMs.toFixed(0)} ms (fan-out costs ${(totalMs / baselineMs).toFixed(1)}× that); ${load()}`,
      );
      figure('fan-out to all stored', totalMs, 'ms', 'lower');
      figure('fan-out p99 event→inbox', percentile(latencies, 0.99), 'ms', 'lower');
      await db.close();
    }

    // (b) Email throughput, in alternating rounds (raw nodemailer, then the plugin; the next round the other way
    // round) on a shared, loaded machine: each round's ratio, and the median of the rounds.
    const rounds = envNumber('VV_BENCH_NOTIFY_ROUNDS', 3);
    let sentSoFar = 0;
    const same: { subject: string; text: string; html: string; headers: Record<string, string> } = { subject: 'Plugin', text: 'Body', html: '<p>Body</p>', headers: {} };
    const rawRound = async (round: number): Promise<number> => {
      const raw = createTransport({ pool: true, maxConnections: 5, host: '127.0.0.1', port: smtp.port, secure: false });
      const started = performance.now();
      await Promise.all(
        Array.from({ length: emails }, (_, i) =>
          raw.sendMail({
            from: 'bench@acme.test',
            to: `raw-${round}-${i}@example.org`,
            subject: same.subject,
            text: same.text,
            html: same.html,
            messageId: `<raw-${round}-${i}@bench.valueverse>`,
            headers: { ...same.headers, 'X-ValueVerse-Delivery': randomUUID() },
          }),
        ),
      );
      sentSoFar += emails;
      await smtp.waitFor(sentSoFar, 120_000);
      const seconds = (performance.now() - started) / 1000;
      raw.close();
      return emails / seconds;
    };
    const pluginRound = async (round: number): Promise<{ rate: number; answeredMs: number }> => {
      const started = performance.now();
      const to = Array.from({ length: emails }, (_, i) => ({ email: `plugin-${round}-${i}@example.org` }));
      const sent = await k!.request('POST', '/api/v1/notifications/send', { body: { to, category: 'bench', channels: ['email'], subject: 'Plugin', body: 'Body' } });
      if (sent.status !== 202) throw new Error(`send answered ${sent.status}: ${JSON.stringify(sent.body)}`);
      const answeredMs = performance.now() - started;
      sentSoFar += emails;
      await smtp.waitFor(sentSoFar, 300_000);
      return { rate: emails / ((performance.now() - started) / 1000), answeredMs };
    };
    // Raw nodemailer sends the very message the plugin sends (subject, text and HTML with the unsubscribe footer, the
    // List-Unsubscribe headers), taken from the plugin's warm-up round; both paths are warmed before measuring.
    await pluginRound(-1);
    const sample = smtp.mails.find((m) => m.subject === 'Plugin');
    if (sample) {
      same.text = sample.text ?? same.text;
      same.html = typeof sample.html === 'string' ? sample.html : same.html;
      for (const name of ['list-unsubscribe', 'list-unsubscribe-post']) {
        const line = sample.headerLines.find((h) => h.key === name)?.line;
        if (line) same.headers[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 1).trim();
      }
    }
    await rawRound(-1);
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let rawRate: number;
      let plugin: { rate: number; answeredMs: number };
      if (round % 2 === 0) {
        rawRate = await rawRound(round);
        plugin = await pluginRound(round);
      } else {
        plugin = await pluginRound(round);
        rawRate = await rawRound(round);
      }
      ratios.push(plugin.rate / rawRate);
      console.log(
        `(b) round ${round + 1}, ${emails} emails to loopback SMTP: plugin ${plugin.rate.toFixed(0)} msg/s (send API → claimed rows → jobs → SMTP; the API answered after ${plugin.answeredMs.toFixed(0)} ms), raw nodemailer ${rawRate.toFixed(0)} msg/s, ratio ${(plugin.rate / rawRate).toFixed(2)}; ${load()}`,
      );
    }
    const median = percentile(ratios, 0.5);
    console.log(`    median ratio plugin/raw over ${rounds} rounds: ${median.toFixed(2)} (target ≥ 0.8); ${load()}`);
    figure('email throughput ratio to raw nodemailer (median)', median, '×', 'higher');
  } finally {
    await k?.close();
    await smtp.close();
    await scratch?.drop();
  }
}
