import { coreServices, definePlugin, type VvPlugin } from '@valueverse/plugin-sdk';
import { CustomerStore } from './customers/customer-store';
import { billingMigrations } from './data/billing-migrations';
import { createCustomerRoutes } from './http/customer-routes';
import { createMetricRoutes } from './http/metric-routes';
import { createQuoteRoutes } from './http/quote-routes';
import { createUsageRoutes } from './http/usage-routes';
import { MetricStore } from './metrics/metric-store';
import { UsageIngestor } from './usage/usage-ingestor';

/**
 * Billing: a tenant (a vendor) meters its customers' usage exactly once, prices it with decimal arithmetic, and
 * invoices it. Everything under `/api/v1/billing`, in the plugin's own `billing` schema.
 */
export function createBillingPlugin(): VvPlugin {
  return definePlugin({
    deps: { http: coreServices.http, db: coreServices.db, audit: coreServices.audit },
    database: { migrations: billingMigrations },
    setup({ http, db, audit }) {
      const customers = new CustomerStore(db);
      const metrics = new MetricStore(db);
      const ingestor = new UsageIngestor(db);
      const routes = [
        ...createQuoteRoutes(),
        ...createCustomerRoutes(customers, audit),
        ...createMetricRoutes(metrics, audit),
        ...createUsageRoutes({ db, ingestor, customers, metrics }),
      ];
      for (const route of routes) http.route(route);
    },
  });
}

/** The plugin as the platform loads it. */
export const plugin = createBillingPlugin();
