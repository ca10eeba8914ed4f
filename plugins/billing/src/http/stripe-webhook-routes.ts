import type { PublicRouteDefinition } from '@valueverse/plugin-sdk';
import type { InvoicePayments } from '../payments/invoice-payments';

/**
 * `POST /billing/webhooks/stripe/:tenantId`: where a tenant points its Stripe webhook endpoint. Public (Stripe has
 * no ValueVerse credential): the kernel resolves the tenant and hands over the exact bytes, and the delivery is
 * authenticated by its `Stripe-Signature` (`stripe.webhooks.constructEvent` with the tenant's webhook secret). Each
 * event id is applied once, in any order, so Stripe's retries (for up to three days) and reorderings are harmless.
 */
export function createStripeWebhookRoutes(payments: InvoicePayments): PublicRouteDefinition[] {
  const webhook: PublicRouteDefinition = {
    method: 'POST',
    path: '/billing/webhooks/stripe/:tenantId',
    operationId: 'receiveStripeWebhook',
    summary: "Stripe's webhook deliveries for a tenant (public; verified by the Stripe-Signature header, applied once per event id)",
    access: 'public',
    rawBody: true,
    schema: {
      params: { type: 'object', required: ['tenantId'], properties: { tenantId: { type: 'string', minLength: 1, maxLength: 63 } } },
      responses: {
        200: {
          type: 'object',
          required: ['received', 'duplicate'],
          properties: { received: { const: true }, duplicate: { type: 'boolean', description: 'true when this event id was applied before' } },
        },
      },
    },
    handler: (request) => payments.webhook(request.tenant.id, request.rawBody ?? Buffer.alloc(0), request.headers['stripe-signature']),
  };
  return [webhook];
}
