/**
 * `npm run bench -- notifications` (issue #18), in process on a test kernel whose database is a scratch PostgreSQL
 * database (the embedded one when the server does not answer), each figure beside a baseline measured in the same run:
 *  (a) one event fanned out by a workflow to 10,000 inbox recipients: time until every item is stored, and p99 from
 *      the event to each recipient's item being readable (the `notifications.inbox.created` event that follows the
 *      commit), against the same 10,000 rows inserted by one bare `INSERT … SELECT unnest(…)` into a plain table;
 *  (b) email throughput to a loopback SMTP server (smtp-server, messages parsed): the plugin's send API (delivery
 *      rows claimed, jobs, attempt log) against raw nodemailer with the same pooled transport settings sending the
 *      same number of messages straight to the same server, as a ratio (target ≥ 0.8).
 * Knobs: VV_BENCH_NOTIFY_RECIPIENTS (default 10,000), VV_BENCH_NOTIFY_EMAILS (default 500), VV_BENCH_NOTIFY_ROUNDS (3), and the
 * plugin's VV_BENCH_NOTIFY_SEND_CONCURRENCY and VV_BENCH_NOTIFY_SEND_BATCH (default: the plugin's defaults).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** CPU time (user + system) of a process in ms, from /proc (clock ticks of 10 ms); 0 once it is gone. */
function procCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

export async function runNotificationsBench(): Promise<void> {
  const recipients = envNumber('VV_BENCH_NOTIFY_RECIPIENTS', 10_000);
  const emails = envNumber('VV_BENCH_NOTIFY_EMAILS', 500);
  const onPostgres = (await serverAvailability()).postgres;
  const scratch: ScratchDatabase | undefined = onPostgres ? await createScratchDatabase('vv_bench_notify') : undefined;
  const smtp: LoopbackSmtp = await startLoopbackSmtp();
  let k: TestKernel | undefined;
  let db: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    k = await createTestKernel({
      plugins: [
        {
          manifest,
          plugin: createNotificationsPlugin({
            flushSchedule: { everyMs: 86_400_000 * 30 },
            sendConcurrency: process.env.VV_BENCH_NOTIFY_SEND_CONCURRENCY ? Number(process.env.VV_BENCH_NOTIFY_SEND_CONCURRENCY) : undefined,
            sendBatch: process.env.VV_BENCH_NOTIFY_SEND_BATCH ? Number(process.env.VV_BENCH_NOTIFY_SEND_BATCH) : undefined,
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
    db = scratch ? await openDatabase({ url: scratch.url, poolMax: 2 }) : undefined;
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
    }

    // (b) Email throughput, in alternating rounds (raw nodemailer, then the plugin; the next round the other way
    // round) on a shared, loaded machine: each round's ratio, and the median of the rounds.
    const rounds = envNumber('VV_BENCH_NOTIFY_ROUNDS', 3);
    let sentSoFar = 0;
    const same: { subject: string; text: string; html: string; headers: Record<string, string> } = { subject: 'Plugin', text: 'Body', html: '<p>Body</p>', headers: {} };
    // The hand-written sender a careful developer would write: one pooled transport kept open across rounds, with
    // the product's pool settings (smtp-mailer.ts: 5 connections, connections kept for any number of messages), every
    // message handed to it at once (the pool queues them and keeps its 5 connections busy).
    const raw = createTransport({ pool: true, maxConnections: 5, maxMessages: Infinity, host: '127.0.0.1', port: smtp.port, secure: false });
    const rawRound = async (round: number): Promise<number> => {
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
      return emails / ((performance.now() - started) / 1000);
    };
    // CPU per message, which the machine's load does not change much: this process (the sender, and the loopback
    // server's parsing, the same for both sides) and the scratch database's PostgreSQL backends, from /proc. A
    // backend that exits during a round takes its CPU with it (the pools keep theirs open for 30 s idle).
    const cpuNow = async () => {
      const pids = db ? ((await db.execute(`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`)) as { pid: number }[]) : [];
      return { node: process.cpuUsage(), pg: new Map(pids.map(({ pid }) => [pid, procCpuMs(pid)])) };
    };
    const cpuSince = async (start: Awaited<ReturnType<typeof cpuNow>>) => {
      const end = await cpuNow();
      const node = (end.node.user + end.node.system - start.node.user - start.node.system) / 1000;
      let pg = 0;
      for (const [pid, ms] of end.pg) pg += ms - (start.pg.get(pid) ?? 0);
      return { node: node / emails, pg: pg / emails };
    };
    // The plugin's round ends for CPU once every delivery's outcome is recorded (its rate counts arrivals at SMTP).
    const drained = async () => {
      for (let i = 0; db && i < 500; i++) {
        const [{ n }] = (await db.execute(`select count(*)::int as n from notifications.deliveries where status in ('queued', 'sending') and channel = 'email'`)) as [
          { n: number },
        ];
        if (n === 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
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
    await drained();
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const measured = async <T>(work: () => Promise<T>) => {
      const start = await cpuNow();
      const result = await work();
      return { result, cpu: await cpuSince(start) };
    };
    const measurePlugin = (round: number) =>
      measured(async () => {
        const result = await pluginRound(round);
        await drained();
        return result;
      });
    for (let round = 0; round < rounds; round++) {
      let direct: { result: number; cpu: { node: number; pg: number } };
      let plugin: { result: { rate: number; answeredMs: number }; cpu: { node: number; pg: number } };
      if (round % 2 === 0) {
        direct = await measured(() => rawRound(round));
        plugin = await measurePlugin(round);
      } else {
        plugin = await measurePlugin(round);
        direct = await measured(() => rawRound(round));
      }
      ratios.push(plugin.result.rate / direct.result);
      const cpu = (c: { node: number; pg: number }) => c.node + c.pg;
      cpuRatios.push(cpu(plugin.cpu) / cpu(direct.cpu));
      console.log(
        `(b) round ${round + 1}, ${emails} emails to loopback SMTP: plugin ${plugin.result.rate.toFixed(0)} msg/s (send API → claimed rows → jobs → SMTP; the API answered after ${plugin.result.answeredMs.toFixed(0)} ms), raw nodemailer ${direct.result.toFixed(0)} msg/s, ratio ${(plugin.result.rate / direct.result).toFixed(2)}; ${load()}`,
      );
      console.log(
        `    CPU per message: plugin ${cpu(plugin.cpu).toFixed(2)} ms (this process ${plugin.cpu.node.toFixed(2)}, PostgreSQL ${plugin.cpu.pg.toFixed(2)}), raw ${cpu(direct.cpu).toFixed(2)} ms (${direct.cpu.node.toFixed(2)}, ${direct.cpu.pg.toFixed(2)}): ${(cpu(plugin.cpu) / cpu(direct.cpu)).toFixed(2)}×`,
      );
    }
    raw.close();
    const median = percentile(ratios, 0.5);
    console.log(
      `    median ratio plugin/raw over ${rounds} rounds: ${median.toFixed(2)} (target ≥ 0.8); CPU per message plugin/raw ${percentile(cpuRatios, 0.5).toFixed(2)}×; ${load()}`,
    );
    figure('email throughput ratio to raw nodemailer (median)', median, '×', 'higher');
  } finally {
    await db?.close();
    await k?.close();
    await smtp.close();
    await scratch?.drop();
  }
}
