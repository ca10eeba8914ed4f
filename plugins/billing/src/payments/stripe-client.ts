import Stripe from 'stripe';
import { VvError, type OutboundHttp } from '@valueverse/plugin-sdk';

/** The tenant's Stripe settings (plugin config; the keys are `x-secret`, decrypted here). */
export interface StripeSettings {
  readonly stripeSecretKey?: string;
  readonly stripeWebhookSecret?: string;
  /** Where the Stripe API is; the default is Stripe's. Tests point it at a loopback fake. */
  readonly stripeApiUrl?: string;
}

/**
 * A Stripe client for one tenant that sends through the kernel's outbound service (checked destination, no
 * sockets of the plugin's own), or `VV_BILLING_PAYMENTS_NOT_CONFIGURED` when the tenant has no secret key.
 */
export function stripeFor(tenantId: string, settings: StripeSettings, outbound: OutboundHttp): Stripe {
  if (!settings.stripeSecretKey) throw new VvError('VV_BILLING_PAYMENTS_NOT_CONFIGURED', { params: { tenant: tenantId } });
  const api = new URL(settings.stripeApiUrl ?? 'https://api.stripe.com');
  return new Stripe(settings.stripeSecretKey, {
    httpClient: Stripe.createFetchHttpClient((input, init) => outbound.fetch(input as string, { ...init, tenantId })),
    host: api.hostname,
    port: Number(api.port || (api.protocol === 'http:' ? 80 : 443)),
    protocol: api.protocol === 'http:' ? 'http' : 'https',
    // Retries belong to us: the idempotency key is ours (invoice and attempt), and a failed call is answered.
    maxNetworkRetries: 0,
    timeout: 20_000,
  });
}
