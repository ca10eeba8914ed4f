import type { RouteDefinition } from '@valueverse/plugin-sdk';
import type { InvoicePayments, PaymentResult } from '../payments/invoice-payments';

/** `POST /billing/invoices/:id/pay`. */
export function createPaymentRoutes(payments: InvoicePayments): RouteDefinition[] {
  const pay: RouteDefinition<{ paymentMethod?: string }> = {
    method: 'POST',
    path: '/billing/invoices/:invoiceId/pay',
    summary: 'Pay what is due on a finalized invoice through Stripe (Idempotency-Key required); failures retry on the dunning schedule',
    minRole: 'member',
    idempotency: 'required',
    schema: {
      params: { type: 'object', required: ['invoiceId'], properties: { invoiceId: { type: 'string', minLength: 1, maxLength: 100 } } },
      body: { type: 'object', additionalProperties: false, properties: { paymentMethod: { type: 'string', pattern: '^pm_[A-Za-z0-9_]{1,200}$' } } },
    },
    handler: (request): Promise<PaymentResult> => payments.pay(request.tenant.id, request.params.invoiceId!, request.body.paymentMethod),
  };
  return [pay];
}
