import { respond, VvError, type AuditLog, type PluginDatabase, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { CustomerStore } from '../customers/customer-store';
import type { InvoiceStatus } from '../invoices/invoice-model';
import { renderInvoicePdf } from '../invoices/invoice-pdf';
import type { InvoiceStore } from '../invoices/invoice-store';
import type { PlanStore } from '../plans/plan-store';
import type { BillingCycle } from '../subscriptions/billing-cycle';

const idParams = { type: 'object', required: ['invoiceId'], properties: { invoiceId: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

export interface InvoiceRouteDeps {
  readonly db: PluginDatabase;
  readonly invoices: InvoiceStore;
  readonly customers: CustomerStore;
  readonly audit: AuditLog;
  readonly cycle: BillingCycle;
  readonly plans: PlanStore;
}

/** The routes under `/api/v1/billing/invoices` (paying is in the payment routes). */
export function createInvoiceRoutes({ db, invoices, customers, audit, cycle, plans }: InvoiceRouteDeps): RouteDefinition[] {
  const list: RouteDefinition<unknown, { customerId?: string; status?: InvoiceStatus; limit?: number }> = {
    method: 'GET',
    path: '/billing/invoices',
    summary: 'Invoices, newest first (filter by customer and status)',
    schema: {
      query: {
        type: 'object',
        properties: {
          customerId: { type: 'string', maxLength: 100 },
          status: { enum: ['draft', 'finalized', 'paid', 'void', 'uncollectible'] },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
        },
      },
    },
    handler: async (request) => {
      const customer = request.query.customerId ? await customers.get(request.tenant.id, request.query.customerId) : undefined;
      return { items: await invoices.list(request.tenant.id, { customerId: customer?.id, status: request.query.status, limit: request.query.limit ?? 100 }) };
    },
  };
  const get: RouteDefinition = {
    method: 'GET',
    path: '/billing/invoices/:invoiceId',
    summary: 'One invoice with its lines, tiers and credit notes',
    schema: { params: idParams },
    handler: (request) => invoices.get(request.tenant.id, request.params.invoiceId!),
  };
  const pdf: RouteDefinition = {
    method: 'GET',
    path: '/billing/invoices/:invoiceId/pdf',
    summary: 'The invoice as a PDF',
    schema: { params: idParams },
    handler: async (request) => {
      const invoice = await invoices.get(request.tenant.id, request.params.invoiceId!);
      const customer = await customers.get(request.tenant.id, invoice.customerId);
      const body = await renderInvoicePdf(invoice, customer, { name: request.tenant.name });
      return respond(200, body, { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${invoice.number ?? `draft-${invoice.id}`}.pdf"` });
    },
  };
  const settle = (to: 'void' | 'uncollectible'): RouteDefinition => ({
    method: 'POST',
    path: `/billing/invoices/:invoiceId/${to === 'void' ? 'void' : 'mark-uncollectible'}`,
    summary: to === 'void' ? 'Void a finalized (unpaid) invoice' : 'Mark a finalized invoice uncollectible',
    minRole: 'tenant-admin',
    schema: { params: idParams },
    handler: async (request) => {
      const { before, after } = await invoices.settle(request.tenant.id, request.params.invoiceId!, to, new Date());
      await audit.record({ action: `invoice.${to}`, target: after.id, before: { status: before.status }, after: { status: after.status } });
      return after;
    },
  });
  const credit: RouteDefinition<{ amountCents: number; reason: string }> = {
    method: 'POST',
    path: '/billing/invoices/:invoiceId/credit-notes',
    summary: 'Issue a credit note on a finalized or paid invoice (a paid one becomes customer credit for the next invoices)',
    minRole: 'tenant-admin',
    idempotency: 'optional',
    schema: {
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['amountCents', 'reason'],
        properties: { amountCents: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, reason: { type: 'string', minLength: 1, maxLength: 500 } },
      },
    },
    handler: async (request) => {
      const id = request.params.invoiceId!;
      await invoices.get(request.tenant.id, id);
      const note = await db.transaction(request.tenant.id, (tx) => invoices.creditNote(tx, request.tenant.id, id, request.body.amountCents, request.body.reason, new Date()));
      await audit.record({ action: 'credit_note.issued', target: id, after: note });
      return respond(201, note);
    },
  };
  const upcoming: RouteDefinition = {
    method: 'GET',
    path: '/billing/subscriptions/:subscriptionId/upcoming-invoice',
    summary: 'The current period so far, priced as its invoice will be: fee, every usage charge (percentage and outcome included) and tax',
    schema: { params: { type: 'object', required: ['subscriptionId'], properties: { subscriptionId: { type: 'string', minLength: 1, maxLength: 100 } } } },
    handler: async (request) => {
      const subscription = await cycle.get(request.tenant.id, request.params.subscriptionId!);
      if (subscription.status !== 'active')
        throw new VvError('VV_CONFLICT', { params: { reason: `Subscription ${subscription.id} is ${subscription.status}: it has no upcoming invoice` } });
      const [customer, plan] = await Promise.all([customers.get(request.tenant.id, subscription.customerId), plans.get(request.tenant.id, subscription.planCode)]);
      return invoices.upcoming(request.tenant.id, customer, subscription, plan, new Date());
    },
  };
  return [list, get, pdf, settle('void'), settle('uncollectible'), credit, upcoming];
}
