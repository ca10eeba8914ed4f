import { randomUUID } from 'node:crypto';
import {
  roles as roleRanks,
  type EventBus,
  type JobQueue,
  type Logger,
  type PluginConfigReader,
  type PluginDatabase,
  type Role,
  type SqlTransaction,
  type DirectoryMember,
  type TenantDirectory,
} from '@valueverse/plugin-sdk';
import type { PreferenceStore, Contact } from '../preferences/preference-store';
import type { UnsubscribeTokens } from '../preferences/unsubscribe-token';
import { quietUntil } from '../schedule/send-window';
import { renderTemplate, type RenderedMessage } from '../templates/template-engine';
import type { TemplateStore } from '../templates/template-store';
import type { ChannelName, RecipientRule } from '../workflows/workflow';
import { configuredChannels, type ChannelSettings } from './channel-senders';
import type { DeliveryContent, DeliveryStatus } from './delivery';
import type { ContentSeal } from './sealed-content';

/** Delivery rows written per INSERT (and per live inbox push) when a notification fans out. */
const CLAIM_CHUNK = 2000;
/** Name of the job that sends one email, webhook or Slack delivery. */
export const DELIVER_JOB = 'deliver';
/** Name of the job that flushes a tenant's held deliveries that are due and re-queues its stranded ones. */
export const FLUSH_JOB = 'flush';
/** A tenant's sweep runs this many minutes after a delivery is queued (the sweep takes rows queued over a minute ago). */
const SWEEP_AFTER_MINUTES = 3;
const MINUTE_MS = 60_000;
/**
 * Events whose payload carries a credential for someone outside the tenant (an invitation's token): their messages go
 * by email only (never to an inbox, a webhook or Slack, where others would read the token), are never held for a
 * digest, and are sealed at rest until sent.
 */
const CONFIDENTIAL_EVENTS: ReadonlySet<string> = new Set(['tenant.invitation.created']);
/** Published after inbox items are stored: `{ userIds }` of the recipients (never the content: every member of the tenant reads the event stream). */
export const INBOX_EVENT = 'notifications.inbox.created';

/** One notification to fan out: from a workflow matching an event, or from the send API. */
export interface NotificationRequest {
  /** What makes delivery exactly once: one delivery per (eventId, recipient, channel). */
  readonly eventId: string;
  readonly eventName?: string;
  readonly recipients: readonly RecipientRule[];
  readonly channels: readonly ChannelName[];
  readonly category: string;
  readonly critical: boolean;
  readonly template: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly digestMinutes?: number;
  readonly link?: string;
}

/** What the fan-out created (deliveries that already existed for the event are not repeated). */
export interface FanOutResult {
  readonly deliveries: readonly { id: string; recipient: string; channel: ChannelName; status: DeliveryStatus }[];
}

interface Recipient {
  readonly key: string;
  readonly userId?: string;
  readonly email?: string;
  /** The plugin's own record of the user: their notification preferences' locale, time zone and quiet hours. */
  readonly contact?: Contact;
  /** The kernel's directory entry (`core.directory`): name, locale and time zone from the person's profile. */
  readonly member?: DirectoryMember;
}

interface NewDelivery {
  id: string;
  recipient: string;
  channel: ChannelName;
  status: DeliveryStatus;
  reason: string | null;
  content: DeliveryContent;
  releaseAt: Date | null;
}

export interface DispatcherDeps {
  readonly db: PluginDatabase;
  readonly config: PluginConfigReader;
  readonly events: EventBus;
  readonly jobs: JobQueue;
  readonly logger: Logger;
  readonly preferences: PreferenceStore;
  readonly templates: TemplateStore;
  readonly unsubscribe: UnsubscribeTokens;
  /** Seals confidential messages (invitations) in their delivery rows. */
  readonly seal: ContentSeal;
  /** The tenant's members (`core.directory`): who has a role, and every member's address. */
  readonly directory?: TenantDirectory;
  readonly now: () => Date;
  /** Deliveries per `deliver` job, claimed and sent together in one transaction (default 20). */
  readonly sendBatch?: number;
}

/**
 * Fans a notification out into deliveries: resolves recipients, applies preferences (unless critical), quiet
 * hours, throttle and digest windows (email), renders the template per recipient locale, and claims one row per
 * (event, recipient, channel) with INSERT … ON CONFLICT DO NOTHING. Only the instance whose insert created a row
 * acts on it, so an event delivered to several instances, or handled again after a crash, sends once. Inbox items
 * are written in the same transaction as their delivery rows; other channels are sent by jobs.
 */
export class NotificationDispatcher {
  /** Flush jobs this instance has queued, by job id, with their minute: one enqueue per tenant and minute at most. */
  private readonly armed = new Map<string, number>();

  constructor(private readonly deps: DispatcherDeps) {}

  async dispatch(tenantId: string, request: NotificationRequest): Promise<FanOutResult> {
    const settings = (await this.deps.config.forTenant(tenantId)) as ChannelSettings & {
      defaultTimeZone?: string;
      defaultLocale?: string;
      throttlePerHour?: number;
      publicBaseUrl?: string;
    };
    const configured = configuredChannels(settings);
    const confidential = request.eventName !== undefined && CONFIDENTIAL_EVENTS.has(request.eventName);
    const channels = request.channels.filter((c) => configured.has(c) && (!confidential || c === 'email'));
    if (channels.length === 0) return { deliveries: [] };
    const now = this.deps.now();
    await this.deps.unsubscribe.load(tenantId);
    // The kernel's directory is read before the transaction: on the embedded database (one connection) a kernel query
    // made while the plugin's transaction holds that connection would wait for it forever.
    const members = this.deps.directory ? await this.deps.directory.members(tenantId) : [];
    // Recipients, preferences, holds and rendering in one read transaction; the rows then go in by chunks.
    const rows = await this.deps.db.transaction(tenantId, async (tx) => {
      const recipients = await this.resolve(tx, tenantId, request, members);
      if (recipients.length === 0) return [] as NewDelivery[];
      const optedOut = request.critical
        ? new Set<string>()
        : await this.deps.preferences.optedOut(
            tx,
            tenantId,
            recipients.map((r) => r.key),
            request.category,
          );
      const emailHolds =
        request.critical || confidential || !channels.includes('email')
          ? new Map<string, { until: Date; reason: string }>()
          : await this.emailHolds(tx, tenantId, recipients, request, settings, now);
      const rendered = new Map<string, RenderedMessage>();
      const renderWith = async (recipient: Recipient | undefined, unsubscribeUrl: string | undefined): Promise<RenderedMessage> => {
        // The notification preferences' locale first, then the person's profile, then the tenant's default.
        const locale = recipient?.contact?.locale ?? recipient?.member?.locale ?? settings.defaultLocale ?? 'en';
        const name = recipient?.member?.displayName ?? null;
        // Rendering depends on the recipient only through these; most recipients share a rendering.
        const usesRecipient = await this.templateUsesRecipient(tx, tenantId, request.template, locale);
        const cacheKey = usesRecipient
          ? `${locale}|${recipient?.userId ?? ''}|${recipient?.email ?? ''}|${name ?? ''}|${unsubscribeUrl ?? ''}`
          : `${locale}|${unsubscribeUrl ?? ''}`;
        let message = rendered.get(cacheKey);
        if (!message) {
          const template = await this.deps.templates.resolve(tenantId, request.template, locale, tx);
          message = await renderTemplate(template, {
            data: request.data,
            recipient: { userId: recipient?.userId ?? null, email: recipient?.email ?? null, name },
            tenant: { id: tenantId },
            event: { id: request.eventId, name: request.eventName ?? null },
            category: request.category,
            link: request.link ?? null,
            unsubscribeUrl: unsubscribeUrl ?? null,
          });
          rendered.set(cacheKey, message);
        }
        return message;
      };
      // Each email's unsubscribe link is its own; the template is rendered once with a placeholder link and the
      // placeholder replaced per recipient (unless a filter changed it: then that recipient is rendered alone).
      const placeholder = `https://unsubscribe.placeholder.invalid/${randomUUID()}`;
      const renderFor = async (recipient: Recipient | undefined, unsubscribeUrl?: string): Promise<RenderedMessage> => {
        if (unsubscribeUrl === undefined) return renderWith(recipient, undefined);
        const shared = await renderWith(recipient, placeholder);
        const rest = `${shared.subject}${shared.text}${shared.html ?? ''}`.split(placeholder).join('').toLowerCase();
        if (rest.includes('placeholder') || rest.includes(placeholder.slice(-12))) return renderWith(recipient, unsubscribeUrl);
        const put = (text: string, value: string) => text.split(placeholder).join(value);
        const html = shared.html === undefined ? undefined : put(shared.html, escapeHtml(unsubscribeUrl));
        return { ...shared, subject: put(shared.subject, unsubscribeUrl), text: put(shared.text, unsubscribeUrl), html };
      };
      const rows: NewDelivery[] = [];
      for (const recipient of recipients) {
        for (const channel of channels) {
          if (channel === 'slack') continue;
          if (channel === 'inbox' && !recipient.userId) continue;
          if (channel === 'email' && !recipient.email) continue;
          const to = channel === 'email' ? recipient.email : recipient.userId ? `user:${recipient.userId}` : recipient.email;
          let unsubscribeUrl: string | undefined;
          if (channel === 'email' && !request.critical) {
            const token = this.deps.unsubscribe.sign(tenantId, { recipient: recipient.key, category: request.category, channel: 'email' });
            unsubscribeUrl = `${settings.publicBaseUrl ?? ''}/api/v1/notifications/unsubscribe/${encodeURIComponent(tenantId)}?token=${token}`;
          }
          const message = await renderFor(recipient, unsubscribeUrl);
          const plain: DeliveryContent = {
            ...message,
            to,
            link: request.link,
            unsubscribeUrl,
            data: channel === 'webhook' ? request.data : undefined,
            eventName: request.eventName,
          };
          const content = confidential ? this.deps.seal.seal(plain) : plain;
          let status: DeliveryStatus = channel === 'inbox' ? 'sent' : 'queued';
          let reason: string | null = null;
          let releaseAt: Date | null = null;
          if (optedOut.has(`${recipient.key}|${channel}`)) {
            status = 'suppressed';
            reason = `preference: ${request.category} off on ${channel}`;
          } else if (channel === 'email' && emailHolds.has(recipient.key)) {
            const hold = emailHolds.get(recipient.key)!;
            status = 'held';
            releaseAt = hold.until;
            reason = hold.reason;
          }
          rows.push({ id: randomUUID(), recipient: recipient.key, channel, status, reason, content, releaseAt });
        }
      }
      if (channels.includes('slack')) {
        // Slack posts to a channel, not a person: once per event.
        const message = await renderFor(undefined);
        rows.push({
          id: randomUUID(),
          recipient: 'slack',
          channel: 'slack',
          status: 'queued',
          reason: null,
          content: { ...message, link: request.link, eventName: request.eventName },
          releaseAt: null,
        });
      }
      return rows;
    });
    // One INSERT per chunk (deliveries and their inbox items in one statement), committed and pushed live per
    // chunk: the first recipients see their item before the last chunk is written, and no transaction holds
    // 10,000 rows. Exactly once still holds per row (the unique key), whichever chunk or instance writes it.
    const created: NewDelivery[] = [];
    for (let i = 0; i < rows.length; i += CLAIM_CHUNK) {
      const chunk = rows.slice(i, i + CLAIM_CHUNK);
      const claimed = await this.deps.db.transaction(tenantId, (tx) => this.claim(tx, tenantId, request, chunk));
      await this.afterCommit(tenantId, claimed);
      created.push(...claimed);
    }
    return { deliveries: created.map((d) => ({ id: d.id, recipient: d.recipient, channel: d.channel, status: d.status })) };
  }

  /** Publishes the inbox event and queues the jobs of the deliveries a transaction created. */
  async afterCommit(tenantId: string, created: readonly NewDelivery[]): Promise<void> {
    const inboxUsers = created.filter((d) => d.channel === 'inbox' && d.status === 'sent').map((d) => d.recipient.slice('user:'.length));
    for (let i = 0; i < inboxUsers.length; i += CLAIM_CHUNK) {
      await this.deps.events.publish(INBOX_EVENT, tenantId, { userIds: inboxUsers.slice(i, i + CLAIM_CHUNK) });
    }
    // One `deliver` job per batch of one channel: its deliveries are claimed, sent and recorded in one transaction
    // (delivery-worker.ts), so a batch commits when its slowest provider answers; a fast channel (webhooks) is not
    // kept waiting for email, nor re-sent after a crash because an email beside it was still in flight.
    const queued = new Map<string, string[]>();
    for (const d of created) {
      if (d.status !== 'queued') continue;
      const ids = queued.get(d.channel);
      if (ids) ids.push(d.id);
      else queued.set(d.channel, [d.id]);
    }
    const batch = Math.max(1, this.deps.sendBatch ?? 20);
    const jobs: Promise<string>[] = [];
    for (const ids of queued.values()) {
      for (let i = 0; i < ids.length; i += batch) {
        const deliveryIds = ids.slice(i, i + batch);
        jobs.push(this.deps.jobs.enqueue(DELIVER_JOB, tenantId, { deliveryIds }, { jobId: `deliver-${deliveryIds[0]}` }));
      }
    }
    await Promise.all(jobs);
  }

  /**
   * Inserts the rows; those whose (event, recipient, channel) exists already are dropped by the unique key, and
   * only the rows this call created are returned (and then acted on). Inbox items go in with their rows.
   */
  async claim(tx: SqlTransaction, tenantId: string, request: Pick<NotificationRequest, 'eventId' | 'category' | 'critical'>, rows: readonly NewDelivery[]): Promise<NewDelivery[]> {
    if (rows.length === 0) return [];
    // An inbox row's content is its subject only (the item holds the text); the item is inserted by the same
    // statement, from the rows the insert created (a row that existed already makes no second item).
    const inbox = (r: NewDelivery) => r.channel === 'inbox' && r.status === 'sent';
    const inserted = await tx.query<{ id: string }>(
      `with r as (
         select * from unnest($5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::timestamptz[], $12::text[], $13::text[], $14::text[])
           as r(id, recipient, channel, status, reason, content, release_at, title, body, link)
       ), d as (
         insert into deliveries (id, tenant_id, event_id, recipient, channel, category, critical, status, reason, content, release_at)
         select r.id, $1, $2, r.recipient, r.channel, $3, $4, r.status, r.reason, r.content, r.release_at from r
         on conflict (tenant_id, event_id, recipient, channel) do nothing
         returning id
       ), i as (
         insert into inbox_items (id, tenant_id, user_id, delivery_id, category, title, body, link)
         select gen_random_uuid(), $1, substr(r.recipient, 6), r.id, $3, r.title, r.body, r.link
         from r join d on d.id = r.id where r.title is not null
       )
       select id from d`,
      [
        tenantId,
        request.eventId,
        request.category,
        request.critical,
        rows.map((r) => r.id),
        rows.map((r) => r.recipient),
        rows.map((r) => r.channel),
        rows.map((r) => r.status),
        rows.map((r) => r.reason),
        rows.map((r) => JSON.stringify(inbox(r) ? { subject: r.content.subject, link: r.content.link } : r.content)),
        rows.map((r) => r.releaseAt?.toISOString() ?? null),
        rows.map((r) => (inbox(r) ? r.content.subject : null)),
        rows.map((r) => (inbox(r) ? r.content.text : null)),
        rows.map((r) => (inbox(r) ? (r.content.link ?? null) : null)),
      ],
    );
    const ids = new Set(inserted.map((r) => r.id));
    const created = rows.filter((r) => ids.has(r.id));
    await this.armFlushes(tenantId, created);
    return created;
  }

  /**
   * Queues the tenant's flush jobs for what this transaction creates, before it commits: one at the minute a held
   * delivery is due (quiet hours over, digest window closed), and one a few minutes after a delivery is queued, which
   * re-queues it should its send job have been lost (the instance stopped between commit and enqueue). So a tenant's
   * deliveries are flushed and swept when it has some, and the work grows with notifications sent, not with tenants:
   * a flush of every tenant every minute made a host with 100,000 tenants run 1,667 jobs a second for nobody (issue
   * #14). A job of a transaction that rolls back finds nothing to do. Job ids name the tenant and the minute, so
   * concurrent transactions and instances queue one job per tenant and minute.
   */
  private async armFlushes(tenantId: string, created: readonly NewDelivery[]): Promise<void> {
    const now = this.deps.now().getTime();
    const minutes = new Set<number>();
    for (const row of created) {
      if (row.status === 'held' && row.releaseAt) minutes.add(Math.ceil(row.releaseAt.getTime() / MINUTE_MS) * MINUTE_MS);
      else if (row.status === 'queued') minutes.add((Math.floor(now / MINUTE_MS) + SWEEP_AFTER_MINUTES) * MINUTE_MS);
    }
    if (minutes.size === 0) return;
    if (this.armed.size > 10_000) for (const [id, at] of this.armed) if (at <= now) this.armed.delete(id);
    const jobs: Promise<string>[] = [];
    for (const at of minutes) {
      const jobId = `flush-${tenantId}-${at}`;
      // Queued here for a minute still to come: its job has not run yet, so it is still waiting.
      if (at > now && this.armed.has(jobId)) continue;
      jobs.push(this.deps.jobs.enqueue(FLUSH_JOB, tenantId, undefined, { jobId, delayMs: Math.max(0, at - now) }));
      if (at > now) this.armed.set(jobId, at);
    }
    await Promise.all(jobs);
  }

  private readonly recipientUse = new Map<string, boolean>();

  private async templateUsesRecipient(tx: SqlTransaction, tenantId: string, key: string, locale: string): Promise<boolean> {
    const cacheKey = `${tenantId}|${key}|${locale}`;
    let uses = this.recipientUse.get(cacheKey);
    if (uses === undefined) {
      const t = await this.deps.templates.resolve(tenantId, key, locale, tx);
      uses = /recipient/.test(`${t.subject}${t.text}${t.html ?? ''}`);
      // Short-lived: a template saved later may start using it.
      this.recipientUse.set(cacheKey, uses);
      setTimeout(() => this.recipientUse.delete(cacheKey), 5000).unref();
    }
    return uses;
  }

  /** Email deliveries that wait (quiet hours, digest window, throttle), by recipient key, with when they go. */
  private async emailHolds(
    tx: SqlTransaction,
    tenantId: string,
    recipients: readonly Recipient[],
    request: NotificationRequest,
    settings: { defaultTimeZone?: string; throttlePerHour?: number },
    now: Date,
  ): Promise<Map<string, { until: Date; reason: string }>> {
    const holds = new Map<string, { until: Date; reason: string }>();
    const keys = recipients.filter((r) => r.email).map((r) => r.key);
    // A digest window already open for the recipient and category is joined; a new one opens otherwise.
    const open = new Map<string, Date>();
    if (keys.length > 0) {
      const rows = await tx.query<{ recipient: string; release_at: Date }>(
        `select recipient, min(release_at) as release_at from deliveries
         where tenant_id = $1 and status = 'held' and channel = 'email' and category = $2 and recipient = any($3::text[]) group by recipient`,
        [tenantId, request.category, keys],
      );
      for (const r of rows) open.set(r.recipient, new Date(r.release_at));
    }
    const throttled = new Map<string, Date>();
    const limit = settings.throttlePerHour ?? 0;
    if (limit > 0 && keys.length > 0) {
      const rows = await tx.query<{ recipient: string; n: string; oldest: Date }>(
        `select recipient, count(*) as n, min(created_at) as oldest from deliveries
         where tenant_id = $1 and channel = 'email' and status in ('queued', 'sending', 'sent', 'failed') and created_at > $2 and recipient = any($3::text[]) group by recipient`,
        [tenantId, new Date(now.getTime() - 3_600_000).toISOString(), keys],
      );
      for (const r of rows) if (Number(r.n) >= limit) throttled.set(r.recipient, new Date(new Date(r.oldest).getTime() + 3_600_000));
    }
    for (const r of recipients) {
      if (!r.email) continue;
      const c = r.contact;
      // The zone set in the notification preferences, else the person's profile, else the tenant's default.
      const timeZone = c?.timeZone ?? r.member?.timeZone ?? settings.defaultTimeZone ?? 'UTC';
      const quiet = c?.quietStart && c.quietEnd ? quietUntil(now, { start: c.quietStart, end: c.quietEnd, timeZone }) : undefined;
      const digest = (request.digestMinutes ?? 0) > 0 ? (open.get(r.key) ?? new Date(now.getTime() + request.digestMinutes! * 60_000)) : undefined;
      const throttle = throttled.get(r.key);
      const candidates: [Date | undefined, string][] = [
        [quiet, 'quiet hours'],
        [digest, 'digest window'],
        [throttle, 'throttled'],
      ];
      let latest: Date | undefined;
      let why = '';
      for (const [at, label] of candidates) {
        if (at && (!latest || at > latest)) {
          latest = at;
          why = label;
        }
      }
      if (latest) holds.set(r.key, { until: latest, reason: why });
    }
    return holds;
  }

  private async resolve(tx: SqlTransaction, tenantId: string, request: NotificationRequest, members: readonly DirectoryMember[]): Promise<Recipient[]> {
    const userIds = new Set<string>();
    const emails = new Set<string>();
    const roles: Role[] = [];
    for (const rule of request.recipients) {
      if ('userId' in rule) userIds.add(rule.userId);
      else if ('email' in rule) emails.add(rule.email.toLowerCase());
      else if ('role' in rule) roles.push(rule.role);
      else if ('emailFrom' in rule) {
        const value = request.data[rule.emailFrom];
        if (typeof value === 'string' && value.includes('@')) emails.add(value.toLowerCase());
      } else if ('owner' in rule) {
        const owner = request.data.ownerId ?? request.data.createdBy ?? request.data.userId;
        if (typeof owner === 'string' && owner) userIds.add(owner);
      }
    }
    // Members and their addresses come from the kernel's directory; the plugin's own contacts (users seen in
    // requests) add locale, time zone and quiet hours, and stand in when there is no directory.
    // A tenant whose directory lists nobody (only API keys, or a test kernel's token-only users) falls back to them.
    const directory = new Map<string, DirectoryMember>();
    if (members.length > 0) {
      const atLeast = roles.length > 0 ? Math.min(...roles.map((r) => roleRanks.indexOf(r))) : Infinity;
      for (const m of members) {
        directory.set(m.userId, m);
        if (roleRanks.indexOf(m.role) >= atLeast) userIds.add(m.userId);
      }
    } else if (roles.length > 0) for (const id of await this.deps.preferences.usersWithRoles(tx, tenantId, roles)) userIds.add(id);
    const contacts = await this.deps.preferences.contacts(tx, tenantId, [...userIds]);
    const recipients: Recipient[] = [...userIds].map((id) => {
      const contact = contacts.get(id);
      const member = directory.get(id);
      return { key: `user:${id}`, userId: id, email: member?.email ?? contact?.email ?? undefined, contact, member };
    });
    const known = new Set(recipients.map((r) => r.email).filter(Boolean));
    for (const email of emails) if (!known.has(email)) recipients.push({ key: `email:${email}`, email });
    return recipients;
  }
}

/** As LiquidJS's `escape` does, so a link put in after rendering reads as if it had been rendered. */
const htmlEntities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => htmlEntities[c]!);
