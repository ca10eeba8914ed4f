import { randomUUID } from 'node:crypto';
import { VvError, decodeCursor, encodeCursor, type JobContext, type JobQueue, type Logger, type PluginConfigReader, type PluginDatabase } from '@valueverse/plugin-sdk';
import { renderTemplate } from '../templates/template-engine';
import type { TemplateStore } from '../templates/template-store';
import { ChannelNotConfigured, SendFailed, type ChannelSenders, type ChannelSettings } from './channel-senders';
import { toDelivery, type Delivery, type DeliveryAttempt, type DeliveryRow, type DeliveryStatus } from './delivery';
import { DELIVER_JOB, type NotificationDispatcher } from './notification-dispatcher';
import type { ContentSeal } from './sealed-content';
import type { ChannelName } from '../workflows/workflow';

/** What a `deliver` job carries: the deliveries to send together (`deliveryId` alone: a job queued before batches). */
export interface DeliverJobData {
  readonly deliveryIds?: readonly string[];
  readonly deliveryId?: string;
}

/** One delivery's outcome in a send transaction. */
interface Outcome {
  readonly stored: DeliveryRow;
  readonly status: DeliveryStatus;
  readonly reason: string | null;
}

export interface DeliveryWorkerDeps {
  readonly db: PluginDatabase;
  readonly config: PluginConfigReader;
  readonly senders: ChannelSenders;
  readonly templates: TemplateStore;
  readonly dispatcher: NotificationDispatcher;
  /** Opens a confidential message's sealed parts for the send only. */
  readonly seal: ContentSeal;
  readonly jobs: JobQueue;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Tries of a delivery before it is dead (the job's `attempts`). */
  readonly maxAttempts: number;
  /**
   * How long a claimed delivery is its sender's: a sender that dies mid-send (killed worker) leaves the row
   * `sending`; after this lease another worker may claim it again.
   */
  readonly leaseMs: number;
  /**
   * Send transactions at once per process. Each holds one database connection while the providers answer for its
   * deliveries (a `deliver` job's batch, sent at once over the tenant's SMTP pool): more than this wait in memory, not
   * in the connection pool, so requests still get connections (default 3).
   */
  readonly sendConcurrency?: number;
}

/** Sends claimed deliveries, keeps their attempt log, digests held ones and answers the delivery log. */
export class DeliveryWorker {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly deps: DeliveryWorkerDeps) {}

  /** Runs `work` when fewer than `sendConcurrency` send transactions are under way in this process. */
  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= (this.deps.sendConcurrency ?? 3)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }

  /**
   * The `deliver` job: claims its rows (queued or failed, or sending with an expired lease), sends them, and records
   * the outcomes. A row already sent (a repeated job, an event handled twice) is left alone, so a job that runs again
   * after some of its deliveries failed sends only those. It fails (and is retried with backoff) while any of its
   * deliveries failed and has tries left.
   */
  async run(job: JobContext<DeliverJobData>): Promise<void> {
    const ids = job.data.deliveryIds ?? (job.data.deliveryId ? [job.data.deliveryId] : []);
    const failed = (await this.deliverAll(job.tenantId, ids, job.attempt)).filter((o) => o.status === 'failed');
    if (failed.length > 0) throw new Error(`${failed.length} of ${ids.length} deliveries failed; delivery ${failed[0]!.stored.id}: ${failed[0]!.reason}`);
  }

  /**
   * Sends one delivery now, as its only try (a failure is final, not retried), and answers with what was recorded.
   * Its own `deliver` job, queued as the row committed, may have claimed it first: then this waits for that send to
   * commit (`FOR SHARE` waits on the claim's lock, which the lease bounds) and answers with that outcome, so the
   * caller never sees `queued` for a message the server has taken.
   */
  async sendNow(tenantId: string, deliveryId: string): Promise<Delivery> {
    const [outcome] = await this.deliverAll(tenantId, [deliveryId], Number.MAX_SAFE_INTEGER);
    if (outcome) return toDelivery(outcome.stored);
    const [row] = await this.deps.db.transaction(tenantId, (tx) =>
      tx.query<DeliveryRow>('select * from deliveries where tenant_id = $1 and id = $2 for share', [tenantId, deliveryId]),
    );
    if (!row) throw new VvError('VV_NOT_FOUND', { params: { reason: `No delivery ${deliveryId}` } });
    return toDelivery(row);
  }

  /**
   * Sends deliveries of one tenant together. One transaction claims, sends and records: the claim (`FOR UPDATE SKIP
   * LOCKED`) locks the rows while the providers are called, so a second sender (another instance, a repeated job)
   * skips them, and the outcomes commit with the claim. A sender that dies mid-send (a killed worker) loses its
   * connection, PostgreSQL rolls the claim back and the rows are claimable again at once; one that stalls past the
   * lease is cut off by `idle_in_transaction_session_timeout`, which releases the rows the same way. The batch's
   * messages go out at once over the tenant's SMTP pool, so one claim, one update and one commit serve them all.
   */
  private async deliverAll(tenantId: string, deliveryIds: readonly string[], attempt: number): Promise<Outcome[]> {
    if (deliveryIds.length === 0) return [];
    const { outcomes, busy } = await this.limited(() => this.claimSendRecord(tenantId, deliveryIds, attempt));
    if (busy.length > 0) {
      // Another sender holds them. Look again after the lease, in a job of its own, so that waiting does not use up
      // this job's tries (the other sender normally finishes first, and the look finds the rows sent).
      const at = Date.now() + this.deps.leaseMs + 1000;
      await this.deps.jobs.enqueue(DELIVER_JOB, tenantId, { deliveryIds: busy }, { delayMs: at - Date.now(), jobId: `deliver-${busy[0]}-after-${Math.floor(at / 1000)}` });
    }
    for (const o of outcomes) if (o.status === 'dead') this.deps.logger.warn({ tenantId, deliveryId: o.stored.id, reason: o.reason }, 'notification delivery is dead');
    return outcomes;
  }

  private async claimSendRecord(tenantId: string, deliveryIds: readonly string[], attempt: number): Promise<{ outcomes: Outcome[]; busy: string[] }> {
    const settings = (await this.deps.config.forTenant(tenantId)) as ChannelSettings;
    return this.deps.db.transaction(tenantId, async (tx) => {
      // The lease is set in the claim's own statement (one round trip fewer). A row left `sending` by a sender of
      // before this design (two transactions) is claimable once its lease is over.
      const rows = await tx.query<DeliveryRow>(
        `select d.* from deliveries d, set_config('idle_in_transaction_session_timeout', $4, true)
         where d.tenant_id = $1 and d.id = any($2::uuid[]) and (d.status in ('queued', 'failed') or (d.status = 'sending' and d.updated_at < now() - make_interval(secs => $3)))
         for update of d skip locked`,
        [tenantId, deliveryIds, this.deps.leaseMs / 1000, String(this.deps.leaseMs)],
      );
      let busy: string[] = [];
      if (rows.length < deliveryIds.length) {
        const claimed = new Set(rows.map((r) => r.id));
        const others = await tx.query<{ id: string; status: DeliveryStatus }>(`select id, status from deliveries where tenant_id = $1 and id = any($2::uuid[])`, [
          tenantId,
          deliveryIds.filter((id) => !claimed.has(id)),
        ]);
        // Queued or failed but not claimable: another sender holds its lock now; sending: an old-style lease.
        busy = others.filter((o) => ['queued', 'failed', 'sending'].includes(o.status)).map((o) => o.id);
      }
      if (rows.length === 0) return { outcomes: [], busy };
      const results = await Promise.all(rows.map((row) => this.sendOne(tenantId, settings, row, attempt)));
      // A confidential message (an invitation with its token) keeps its subject only once it is sent.
      const redact = (i: number) => results[i]!.status === 'sent' && rows[i]!.content.confidential === true;
      const updated = await tx.query<{ id: string; updated_at: Date }>(
        `update deliveries d set status = u.status, reason = u.reason, attempts = d.attempts || u.attempts, updated_at = now(),
           content = case when u.redact then jsonb_build_object('subject', d.content->'subject', 'text', '(sent; not kept)', 'to', d.content->'to') else d.content end
         from unnest($2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::boolean[]) as u(id, status, reason, attempts, redact)
         where d.tenant_id = $1 and d.id = u.id returning d.id, d.updated_at`,
        [
          tenantId,
          rows.map((r) => r.id),
          results.map((r) => r.status),
          results.map((r) => r.reason),
          results.map((r) => JSON.stringify(r.attempts)),
          rows.map((_, i) => redact(i)),
        ],
      );
      const at = new Map(updated.map((u) => [u.id, u.updated_at]));
      // The rows as stored, without reading them back.
      const outcomes = rows.flatMap((row, i): Outcome[] => {
        const { status, reason, attempts } = results[i]!;
        const updatedAt = at.get(row.id);
        return updatedAt ? [{ stored: { ...row, status, reason, attempts: [...row.attempts, ...attempts], updated_at: updatedAt }, status, reason }] : [];
      });
      return { outcomes, busy };
    });
  }

  /** Sends one claimed delivery; its outcome for the attempt log (never throws). */
  private async sendOne(
    tenantId: string,
    settings: ChannelSettings,
    row: DeliveryRow,
    attempt: number,
  ): Promise<{ status: DeliveryStatus; reason: string | null; attempts: DeliveryAttempt[] }> {
    try {
      const attempts = await this.deps.senders.send(tenantId, settings, row.content.sealed ? { ...row, content: this.deps.seal.open(row.content) } : row);
      return { status: 'sent', reason: attempts[attempts.length - 1]?.response ?? null, attempts };
    } catch (error) {
      const failed = error instanceof SendFailed ? error.attempts : [{ at: this.deps.now().toISOString(), ok: false, response: (error as Error).message }];
      const final = error instanceof ChannelNotConfigured || attempt >= this.deps.maxAttempts;
      return { status: final ? 'dead' : 'failed', reason: (error as Error).message.slice(0, 500), attempts: [...failed] };
    }
  }

  /**
   * Sends the held email deliveries whose time has come (quiet hours over, digest window closed): one delivery
   * goes as it is, several for the same recipient and category go as one digest. The rows are taken with one
   * UPDATE, so two instances flushing at once never both take a row.
   */
  async flushDue(tenantId: string): Promise<{ released: number; digests: number }> {
    const now = this.deps.now();
    const { db, dispatcher } = this.deps;
    let digests = 0;
    const created = await db.transaction(tenantId, async (tx) => {
      const due = await tx.query<DeliveryRow>(
        `update deliveries set status = 'digested', updated_at = now() where tenant_id = $1 and status = 'held' and release_at <= $2 returning *`,
        [tenantId, now.toISOString()],
      );
      const groups = new Map<string, DeliveryRow[]>();
      for (const row of due) groups.set(`${row.recipient}|${row.category}`, [...(groups.get(`${row.recipient}|${row.category}`) ?? []), row]);
      const out = [];
      for (const rows of groups.values()) {
        rows.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
        const first = rows[0]!;
        if (rows.length === 1) {
          await tx.query(`update deliveries set status = 'queued', reason = 'released' where tenant_id = $1 and id = $2`, [tenantId, first.id]);
          out.push({ id: first.id, recipient: first.recipient, channel: first.channel, status: 'queued' as const, reason: null, content: first.content, releaseAt: null });
          continue;
        }
        const template = await this.deps.templates.resolve(tenantId, 'digest', 'en', tx);
        const message = await renderTemplate(template, {
          data: { count: rows.length, items: rows.map((r) => ({ subject: r.content.subject, text: r.content.text, at: new Date(r.created_at).toISOString() })) },
          recipient: { email: first.content.to ?? null },
          tenant: { id: tenantId },
          category: first.category,
          unsubscribeUrl: first.content.unsubscribeUrl ?? null,
        });
        const id = randomUUID();
        const [claimed] = await dispatcher.claim(tx, tenantId, { eventId: `digest:${id}`, category: first.category, critical: false }, [
          {
            id,
            recipient: first.recipient,
            channel: first.channel,
            status: 'queued',
            reason: `digest of ${rows.length}`,
            content: { ...message, to: first.content.to, unsubscribeUrl: first.content.unsubscribeUrl },
            releaseAt: null,
          },
        ]);
        await tx.query('update deliveries set digest_id = $3 where tenant_id = $1 and id = any($2::uuid[])', [tenantId, rows.map((r) => r.id), id]);
        digests += 1;
        if (claimed) out.push(claimed);
      }
      return out;
    });
    await dispatcher.afterCommit(tenantId, created);
    return { released: created.length, digests };
  }

  /**
   * Re-queues deliveries that a crash left behind: queued ones whose job was never enqueued (the instance died
   * between commit and enqueue) and sending ones whose lease ran out. Jobs are keyed by delivery id, so a delivery
   * whose job still waits is not queued twice.
   */
  async sweep(tenantId: string): Promise<number> {
    const rows = await this.deps.db.transaction(tenantId, (tx) =>
      tx.query<{ id: string; channel: ChannelName }>(
        `select id, channel from deliveries where tenant_id = $1 and channel <> 'inbox'
         and ((status = 'queued' and updated_at < now() - interval '1 minute') or (status = 'sending' and updated_at < now() - make_interval(secs => $2)))
         limit 1000`,
        [tenantId, this.deps.leaseMs / 1000],
      ),
    );
    await this.deps.dispatcher.afterCommit(
      tenantId,
      rows.map((r) => ({ id: r.id, recipient: '', channel: r.channel, status: 'queued', reason: null, content: { subject: '', text: '' }, releaseAt: null })),
    );
    return rows.length;
  }

  /** An admin's retry of a failed or dead delivery (from the console): queued again with a fresh job. */
  async retry(tenantId: string, deliveryId: string): Promise<Delivery> {
    const [row] = await this.deps.db.transaction(tenantId, (tx) =>
      tx.query<DeliveryRow>(
        `update deliveries set status = 'queued', reason = 'retry requested', updated_at = now() where tenant_id = $1 and id = $2 and status in ('failed', 'dead') returning *`,
        [tenantId, deliveryId],
      ),
    );
    if (!row) {
      await this.get(tenantId, deliveryId);
      throw new VvError('VV_CONFLICT', { params: { reason: `Delivery ${deliveryId} is not failed or dead; only those can be retried` } });
    }
    // A job id of its own: the delivery's first job (`deliver-<id>`) may still be waiting out its backoff, or be dead,
    // and the queue ignores an id it holds either way, so reusing it sent nothing until the backoff ended, or ever.
    // The claim (FOR UPDATE SKIP LOCKED, status queued/failed) keeps it one send if both jobs run.
    await this.deps.jobs.enqueue(DELIVER_JOB, tenantId, { deliveryIds: [row.id] }, { jobId: `deliver-${row.id}-retry-${randomUUID()}` });
    return toDelivery(row);
  }

  async get(tenantId: string, deliveryId: string): Promise<Delivery> {
    const [row] = await this.deps.db.transaction(tenantId, (tx) => tx.query<DeliveryRow>('select * from deliveries where tenant_id = $1 and id = $2', [tenantId, deliveryId]));
    if (!row) throw new VvError('VV_NOT_FOUND', { params: { reason: `No delivery ${deliveryId}` } });
    return toDelivery(row);
  }

  /** The delivery log, newest first, filtered by status, channel, event or recipient. */
  async list(
    tenantId: string,
    query: { status?: string; channel?: string; eventId?: string; recipient?: string; limit?: number; cursor?: string },
  ): Promise<{ items: Delivery[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.status) add('status = ?', query.status);
    if (query.channel) add('channel = ?', query.channel);
    if (query.eventId) add('event_id = ?', query.eventId);
    if (query.recipient) add('recipient = ?', query.recipient);
    if (query.cursor) {
      const [createdAt, id] = decodeCursor(query.cursor, ['timestamp', 'uuid']);
      params.push(createdAt, id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.deps.db.transaction(tenantId, (tx) =>
      tx.query<DeliveryRow>(`select * from deliveries where ${where.join(' and ')} order by created_at desc, id desc limit $${params.length}`, params),
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toDelivery), nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.created_at).toISOString(), last.id]) : null };
  }
}
