import { coreServices, definePlugin, type JobSchedule, type VvPlugin } from '@valueverse/plugin-sdk';
import { billingPaymentsRef } from './billing-api';
import { billingPrivacy } from './privacy';
import { CustomerStore } from './customers/customer-store';
import { billingMigrations } from './data/billing-migrations';
import { createCustomerRoutes } from './http/customer-routes';
import { createInvoiceRoutes } from './http/invoice-routes';
import { createMetricRoutes } from './http/metric-routes';
import { createPaymentRoutes } from './http/payment-routes';
import { createPlanRoutes } from './http/plan-routes';
import { createQuoteRoutes } from './http/quote-routes';
import { createSubscriptionRoutes } from './http/subscription-routes';
import { createUsageRoutes } from './http/usage-routes';
import { InvoiceStore } from './invoices/invoice-store';
import { MetricStore } from './metrics/metric-store';
import { InvoicePayments } from './payments/invoice-payments';
import { PlanStore } from './plans/plan-store';
import { BillingCycle } from './subscriptions/billing-cycle';
import { UsageIngestor } from './usage/usage-ingestor';

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
    },
    database: { migrations: billingMigrations },
    setup({ http, db, audit, events, jobs, config, outbound, logger }, registrar) {
      const customers = new CustomerStore(db);
      const metrics = new MetricStore(db);
      const plans = new PlanStore(db);
      const ingestor = new UsageIngestor(db);
      const invoices = new InvoiceStore(db, metrics);
      const cycle = new BillingCycle({ db, customers, plans, invoices, events });
      const payments = new InvoicePayments({ db, invoices, customers, config, outbound, events, jobs, audit, logger, dunningDelayMs: options.dunningDelayMs });
      const routes = [
        ...createQuoteRoutes(plans),
        ...createCustomerRoutes(customers, audit),
        ...createMetricRoutes(metrics, audit),
        ...createUsageRoutes({ db, ingestor, customers, metrics }),
        ...createPlanRoutes(plans, audit),
        ...createSubscriptionRoutes(cycle, audit),
        ...createInvoiceRoutes({ db, invoices, customers, audit }),
        ...createPaymentRoutes(payments),
      ];
      for (const route of routes) http.route(route);
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
      registrar.privacy(billingPrivacy(db));
      registrar.provide(billingPaymentsRef, { handleStripeWebhook: (tenantId, rawBody, signature) => payments.webhook(tenantId, rawBody, signature) });
      jobs.schedule('close-periods', options.closeSchedule ?? { cron: '5 * * * *', perTenant: true });
    },
  });
}

/** The plugin as the platform loads it. */
export const plugin = createBillingPlugin();
