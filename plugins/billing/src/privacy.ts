import { tablePrivacy, type PluginDatabase, type PluginPrivacy } from '@valueverse/plugin-sdk';

/**
 * Billing's part of the privacy contract: every table of the `billing` schema, parents before the rows that refer to
 * them (import inserts in this order, purge deletes in the reverse). Customers' emails and names are personal data;
 * erasing a person pseudonymises them in place, so invoices and usage keep adding up.
 */
export function billingPrivacy(db: PluginDatabase): PluginPrivacy {
  return tablePrivacy(db, [
    { table: 'customers' },
    { table: 'metrics' },
    { table: 'plans' },
    { table: 'usage_events', retention: { dataClass: 'usage-events', column: 'occurred_at' } },
    { table: 'usage_rollups' },
    { table: 'usage_rollup_deltas' },
    { table: 'subscriptions' },
    { table: 'invoice_sequences' },
    { table: 'invoices' },
    { table: 'credit_notes' },
    { table: 'stripe_events' },
  ]);
}
