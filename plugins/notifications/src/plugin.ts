import { coreServices, definePlugin, tablePrivacy, type JobSchedule, type RouteDefinition, type VvPlugin } from '@valueverse/plugin-sdk';
import { CircuitBreaker } from './channels/circuit-breaker';
import { SmtpMailer } from './channels/smtp-mailer';
import { notificationMigrations } from './data/notification-migrations';
import { ChannelSenders } from './delivery/channel-senders';
import { DeliveryWorker, type DeliverJobData } from './delivery/delivery-worker';
import { DELIVER_JOB, FLUSH_JOB, NotificationDispatcher } from './delivery/notification-dispatcher';
import { ContentSeal } from './delivery/sealed-content';
import { createAdminRoutes } from './http/admin-routes';
import { createCategoryRoutes } from './http/category-routes';
import { createInboxRoutes } from './http/inbox-routes';
import { createPreferenceRoutes } from './http/preference-routes';
import { createSendRoutes } from './http/send-routes';
import { createUnsubscribeRoutes } from './http/unsubscribe-routes';
import { createWorkflowDefaultRoutes } from './http/workflow-default-routes';
import { InboxStore } from './inbox/inbox-store';
import { PreferenceStore } from './preferences/preference-store';
import { UnsubscribeTokens } from './preferences/unsubscribe-token';
import { TemplateStore } from './templates/template-store';
import { WorkflowRunner } from './workflows/workflow-runner';
import { WorkflowStore } from './workflows/workflow-store';

/** The event patterns workflows can match: those of the manifest's `events.subscribe` permissions. */
export const subscribedPatterns = ['commitment.*', 'realization.*', 'milestone.*', 'billing.*', 'plugin.*', 'tenant.*', 'auth.*'] as const;

export interface NotificationsOptions {
  /** The clock for quiet hours, digests and throttles (default: the system clock). Tests inject one. */
  readonly now?: () => Date;
  /** Tries of a delivery (default 5) and the first retry delay, doubling (default 5 s). */
  readonly deliveryAttempts?: number;
  readonly deliveryBackoffMs?: number;
  /** How long a claimed delivery is its sender's before another worker may take it (default 60 s). */
  readonly sendLeaseMs?: number;
  /**
   * When every tenant's held deliveries are flushed and stranded ones re-queued, besides the flush jobs each
   * notification queues for its own tenant (notification-dispatcher.ts `armFlushes`): a backstop for deliveries
   * stored before those jobs existed or whose job Redis lost (default daily at 03:17 UTC, per tenant).
   */
  readonly flushSchedule?: JobSchedule;
  /**
   * Send transactions at once per process (default 3), each holding a database connection while the providers answer
   * for its batch of up to `sendBatch` deliveries (default 20), sent at once over the tenant's SMTP pool.
   */
  readonly sendConcurrency?: number;
  readonly sendBatch?: number;
  /** SMTP circuit breaker: failures in a row before it opens, and for how long (default 3, 30 s). */
  readonly circuit?: { readonly threshold?: number; readonly openMs?: number };
}

/**
 * Notifications: email through SMTP with failover, signed webhooks, an in-app inbox and Slack, from platform events
 * (per-tenant workflows) or `POST /api/v1/notifications/send`, with templates, preferences, quiet hours, digests and
 * exactly-once delivery per (event, recipient, channel). Everything under `/api/v1/notifications`, in the plugin's
 * own `notifications` schema.
 */
export function createNotificationsPlugin(options: NotificationsOptions = {}): VvPlugin {
  const now = options.now ?? (() => new Date());
  let closeMailer: (() => void) | undefined;
  return definePlugin({
    deps: {
      http: coreServices.http,
      db: coreServices.db,
      audit: coreServices.audit,
      events: coreServices.events,
      jobs: coreServices.jobs,
      config: coreServices.config,
      outbound: coreServices.outbound,
      logger: coreServices.logger,
      directory: coreServices.directory,
      secrets: coreServices.secrets,
    },
    database: { migrations: notificationMigrations },
    setup({ http, db, audit, events, jobs, config, outbound, logger, directory, secrets }, registrar) {
      // Export, import, erasure and purge of the tenant's notification data (parents first); inbox items and the
      // delivery log expire under the tenant's `notifications` retention. The unsubscribe signing key is a secret and
      // not listed: never exported (a restored tenant makes a new one); a purged tenant's key row stays until the
      // plugin's schema is dropped.
      registrar.privacy(
        tablePrivacy(db, [
          { table: 'contacts' },
          { table: 'preferences' },
          { table: 'workflows' },
          { table: 'workflow_seeds' },
          { table: 'templates' },
          { table: 'deliveries', retention: { dataClass: 'notifications', column: 'created_at' } },
          { table: 'inbox_items', retention: { dataClass: 'notifications', column: 'created_at' } },
        ]),
      );
      // SMTP servers go through the outbound policy's destination check (loopback, private and metadata addresses
      // refused unless the operator allows them), as webhooks and Slack do.
      const resolveDestination = outbound.resolveDestination?.bind(outbound);
      const mailer = new SmtpMailer(
        new CircuitBreaker(options.circuit?.threshold, options.circuit?.openMs),
        resolveDestination ? (host, port, tenantId) => resolveDestination(host, port, { tenantId }) : undefined,
      );
      closeMailer = () => mailer.close();
      const preferences = new PreferenceStore(db);
      const templates = new TemplateStore(db);
      const workflows = new WorkflowStore(db);
      const inbox = new InboxStore(db);
      const unsubscribe = new UnsubscribeTokens(db, secrets);
      const seal = new ContentSeal(secrets);
      const dispatcher = new NotificationDispatcher({ db, config, events, jobs, logger, preferences, templates, unsubscribe, seal, directory, now, sendBatch: options.sendBatch });
      const maxAttempts = options.deliveryAttempts ?? 5;
      const worker = new DeliveryWorker({
        db,
        config,
        senders: new ChannelSenders(mailer, outbound, now),
        templates,
        dispatcher,
        seal,
        jobs,
        logger,
        now,
        maxAttempts,
        leaseMs: options.sendLeaseMs ?? 60_000,
        sendConcurrency: options.sendConcurrency,
      });
      const runner = new WorkflowRunner(workflows, dispatcher, logger);
      const routes = [
        ...createSendRoutes(dispatcher, audit),
        ...createInboxRoutes(inbox, preferences),
        ...createPreferenceRoutes(preferences),
        ...createCategoryRoutes(workflows),
        // Before the admin routes: `/workflows/defaults` is not the workflow "defaults".
        ...createWorkflowDefaultRoutes(workflows, audit),
        ...createAdminRoutes({ workflows, templates, worker, dispatcher, audit, directory }),
        ...createUnsubscribeRoutes(unsubscribe, preferences, audit),
      ];
      for (const route of routes) http.route(route as RouteDefinition);
      // A key rotation: the kernel's re-seal job seals each tenant's unsubscribe key, and its invitations still
      // waiting to be sent, again with the newest key.
      registrar.onReseal(async (tenantId) => {
        await unsubscribe.resealIfStale(tenantId);
        await seal.resealStale(db, tenantId);
      });
      jobs.define<DeliverJobData>(DELIVER_JOB, (job) => worker.run(job), { attempts: maxAttempts, backoffMs: options.deliveryBackoffMs ?? 5000 });
      jobs.define(
        FLUSH_JOB,
        async (job) => {
          await worker.flushDue(job.tenantId);
          await worker.sweep(job.tenantId);
        },
        { attempts: 3, backoffMs: 5000 },
      );
      jobs.schedule(FLUSH_JOB, options.flushSchedule ?? { everyMs: 86_400_000, offsetMs: 11_820_000, perTenant: true });
      for (const pattern of subscribedPatterns) events.subscribe(pattern, (event) => runner.handle(event));
    },
    stop() {
      closeMailer?.();
    },
  });
}

/** The plugin as the platform loads it. */
export const plugin = createNotificationsPlugin();
