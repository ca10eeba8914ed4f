import { coreServices, definePlugin, type VvPlugin } from '@valueverse/plugin-sdk';
import { createQuoteRoutes } from './http/quote-routes';

/**
 * Billing: a tenant (a vendor) meters its customers' usage, prices it with decimal arithmetic, and invoices it.
 * Everything under `/api/v1/billing`.
 */
export function createBillingPlugin(): VvPlugin {
  return definePlugin({
    deps: { http: coreServices.http },
    setup({ http }) {
      for (const route of createQuoteRoutes()) http.route(route);
    },
  });
}

/** The plugin as the platform loads it. */
export const plugin = createBillingPlugin();
