import { coreServices, definePlugin, optionalRef, type JobQueue, type JobSchedule, type VvPlugin } from '@valueverse/plugin-sdk';
import { realizationRef } from '@valueverse/plugin-value-executor/api';
import { billingPaymentsRef } from './billing-api';
import { billingPrivacy } from './privacy';
import { CustomerStore } from './customers/customer-store';
import { billingMigrations } from './data/billing-migrations';
import { createCustomerRoutes } from './http/customer-routes';
import { createGuaranteeRoutes } from './http/guarantee-routes';
import { createInvoiceRoutes } from './http/invoice-routes';
import { createMetricRoutes } from './http/metric-routes';
import { createPaymentRoutes } from './http/payment-routes';
import { createStripeWebhookRoutes } from './http/stripe-webhook-routes';
import { createPlanRoutes } from './http/plan-routes';
import { createQuoteRoutes } from './http/quote-routes';
import { createSubscriptionRoutes } from './http/subscription-routes';
import { createUsageRoutes } from './http/usage-routes';
import { InvoiceStore } from './invoices/invoice-store';
import { MetricStore } from './metrics/metric-store';
import { GuaranteeStore, type MilestoneMissed } from './outcomes/guarantee-store';
import { realizationOutcomeSource } from './outcomes/outcome-source';
import { InvoicePayments } from './payments/invoice-payments';
import { PlanStore } from './plans/plan-store';
import { meterPlatformUsage, type PlatformUsage } from './platform/platform-usage';
import { BillingCycle } from './subscriptions/billing-cycle';
import { UsageIngestor } from './usage/usage-ingestor';
import { ThresholdAnnouncer } from './usage/usage-thresholds';

export interface BillingOptions {
  /**
   * When periods are closed without a request. Default: every hour at :05 UTC, once per tenant; customers' periods
   * end at their local midnight, which falls on some hour of UTC.
   */
  readonly closeSchedule?: JobSchedule;
  /** How long the dunning retry after `hours` waits, in ms (default: that many hours). Tests shorten it. */
  readonly dunningDelayMs?: (hours: number) => number;
}

/**
 * Billing: a tenant (a vendor) meters its customers' usage exactly once, prices it with decimal arithmetic,
 * subscribes them to plans and invoices each period in their time zone. Everything under `/api/v1/billing`, in the
 * plugin's own `billing` schema.
 */
export function createBillingPlugin(options: BillingOptions = {}): VvPlugin {
  const stopping: (() => Promise<void>)[] = [];
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
      realization: optionalRef(realizationRef),
    },
    database: { migrations: billingMigrations },
    setup({ http, db, audit, events, jobs, config, outbound, logger, realization }, registrar) {
      const customers = new CustomerStore(db);
      const metrics = new MetricStore(db);
      const plans = new PlanStore(db);
      const announcer = new ThresholdAnnouncer(db, events);
      // Crossings are announced after the write commits; the sweep that announces what a stopped instance left is
      // queued with the write, for its tenant only (issue #14: a sweep of every tenant every 5 minutes was 333 jobs a
      // second on a host with 100,000 tenants). The daily schedule below is the backstop.
      const ingestor = new UsageIngestor(db, {
        onCrossings: (tenantId, crossings) => announcer.announce(tenantId, crossings),
        onCrossingsRecorded: (tenantId) => announceSweep(jobs, tenantId, Date.now()),
        onMergeError: (tenantId, error) => logger.warn({ err: error, tenantId }, 'merging usage rollup deltas failed; the scheduled merge retries'),
      });
      stopping.push(() => ingestor.close());
      const guarantees = new GuaranteeStore(db, customers);
      const invoices = new InvoiceStore(db, metrics, realizationOutcomeSource(realization), guarantees);
      const cycle = new BillingCycle({ db, customers, plans, invoices, events });
      const payments = new InvoicePayments({ db, invoices, customers, config, outbound, events, jobs, audit, logger, dunningDelayMs: options.dunningDelayMs });
      const routes = [
        ...createQuoteRoutes(plans),
        ...createCustomerRoutes(customers, audit),
        ...createMetricRoutes(metrics, audit),
        ...createUsageRoutes({ db, ingestor }),
        ...createPlanRoutes(plans, audit),
        ...createSubscriptionRoutes(cycle, audit),
        ...createInvoiceRoutes({ db, invoices, customers, audit, cycle, plans }),
        ...createPaymentRoutes(payments),
        ...createGuaranteeRoutes(guarantees, audit),
      ];
      for (const route of routes) http.route(route);
      for (const route of createStripeWebhookRoutes(payments)) http.route(route);
      jobs.define(
        'close-periods',
        async (job) => {
          const settings = await config.forTenant(job.tenantId);
          await cycle.closeDue(job.tenantId, { graceHours: Number(settings.invoiceGraceHours ?? 0), now: new Date() });
        },
        { attempts: 5, backoffMs: 5000 },
      );
      jobs.define<{ invoiceId: string; afterAttempt: number }>('retry-payment', (job) => payments.retry(job.tenantId, job.data.invoiceId, job.data.afterAttempt), {
        attempts: 3,
        backoffMs: 60_000,
      });
      // A missed milestone earns the credits its commitment's guarantees promise, once per guarantee and milestone.
      events.subscribe<MilestoneMissed>('milestone.missed', async (event) => {
        const made = await guarantees.milestoneMissed(event.tenantId, event.payload);
        for (const credit of made) {
          await audit.record({ action: 'guarantee.credit_earned', tenantId: event.tenantId, actor: 'plugin:billing', target: credit.id, after: credit });
        }
      });
      // The operator's tenant meters the platform's own usage (the kernel's `platform.usage`, VV_PLATFORM_METERING_TENANT).
      events.subscribe<PlatformUsage>('platform.usage', async (event) => {
        await meterPlatformUsage({ db, ingestor, config, logger }, event.tenantId, event.payload);
      });
      registrar.privacy(billingPrivacy(db));
      registrar.provide(billingPaymentsRef, { handleStripeWebhook: (tenantId, rawBody, signature) => payments.webhook(tenantId, rawBody, signature) });
      jobs.define(ANNOUNCE_JOB, (job) => announcer.announcePending(job.tenantId).then(() => undefined), { attempts: 3, backoffMs: 10_000 });
      jobs.schedule(ANNOUNCE_JOB, { everyMs: 86_400_000, offsetMs: 12_120_000, perTenant: true });
      jobs.schedule('close-periods', options.closeSchedule ?? { cron: '5 * * * *', perTenant: true });
      // Writes merge their rollup deltas a second later, and readers add the deltas not merged yet, so this only
      // tidies up after a failure or a stop in between: daily, not every minute for every tenant (issue #14).
      jobs.define('merge-usage-deltas', (job) => ingestor.mergeDeltas(job.tenantId).then(() => undefined), { attempts: 3, backoffMs: 10_000 });
      jobs.schedule('merge-usage-deltas', { everyMs: 86_400_000, offsetMs: 12_420_000, perTenant: true });
    },
    stop: async () => {
      await Promise.all(stopping.splice(0).map((stop) => stop()));
    },
  });
}

/** The job that announces a tenant's crossings left unannounced (`ThresholdAnnouncer.announcePending`). */
export const ANNOUNCE_JOB = 'announce-threshold-crossings';

/**
 * Queues the tenant's announcement sweep for two minutes on (crossings left unannounced for a minute are its), one
 * job per tenant and minute: concurrent writes, on any instance, share it.
 */
export async function announceSweep(jobs: Pick<JobQueue, 'enqueue'>, tenantId: string, now: number): Promise<void> {
  const at = (Math.floor(now / 60_000) + 2) * 60_000;
  await jobs.enqueue(ANNOUNCE_JOB, tenantId, undefined, { jobId: `announce-${tenantId}-${at}`, delayMs: at - now });
}

/** The plugin as the platform loads it. */
export const plugin = createBillingPlugin();
