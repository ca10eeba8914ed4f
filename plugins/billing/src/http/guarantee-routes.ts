import { respond, type AuditLog, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { GuaranteeStore } from '../outcomes/guarantee-store';
import { billingSchemas as s } from './billing-schemas';

interface GuaranteeBody {
  readonly customerId: string;
  readonly commitmentId: string;
  readonly milestoneId?: string;
  readonly credit: string;
}

/**
 * `/api/v1/billing/guarantees`: what a commitment promises a customer when a milestone is missed. The credit lands
 * on the customer's next invoice, with a link to the realization report that shows the miss.
 */
export function createGuaranteeRoutes(guarantees: GuaranteeStore, audit: AuditLog): RouteDefinition[] {
  const create: RouteDefinition<GuaranteeBody> = {
    method: 'POST',
    path: '/billing/guarantees',
    summary: "Guarantee a customer a credit when a commitment's milestone (or any of them) is missed",
    minRole: 'tenant-admin',
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['customerId', 'commitmentId', 'credit'],
        properties: {
          customerId: { type: 'string', minLength: 1, maxLength: 100 },
          commitmentId: { type: 'string', minLength: 1, maxLength: 100 },
          milestoneId: { type: 'string', minLength: 1, maxLength: 100 },
          credit: s.decimal,
        },
      },
    },
    handler: async (request) => {
      const guarantee = await guarantees.create(request.tenant.id, request.body);
      await audit.record({ action: 'guarantee.created', target: guarantee.id, after: guarantee });
      return respond(201, guarantee);
    },
  };
  const list: RouteDefinition<unknown, { customerId?: string }> = {
    method: 'GET',
    path: '/billing/guarantees',
    summary: 'Guarantees and the credits missed milestones earned (pending, or applied by an invoice)',
    schema: { query: { type: 'object', properties: { customerId: { type: 'string', minLength: 1, maxLength: 100 } } } },
    handler: (request) => guarantees.list(request.tenant.id, request.query.customerId),
  };
  return [create, list];
}
