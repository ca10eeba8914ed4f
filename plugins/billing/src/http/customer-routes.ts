import { respond, type AuditLog, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { CustomerChange, CustomerInput, CustomerStore } from '../customers/customer-store';
import { billingSchemas as s } from './billing-schemas';

const email = { type: ['string', 'null'], maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' } as const;
const timeZone = { type: 'string', minLength: 1, maxLength: 64 } as const;
const stripeCustomerId = { type: ['string', 'null'], pattern: '^cus_[A-Za-z0-9]{1,64}$' } as const;
const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const idParams = { type: 'object', required: ['customerId'], properties: { customerId: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

/** The routes under `/api/v1/billing/customers`. */
export function createCustomerRoutes(customers: CustomerStore, audit: AuditLog): RouteDefinition[] {
  const create: RouteDefinition<CustomerInput> = {
    method: 'POST',
    path: '/billing/customers',
    summary: 'Create a customer (external id, currency, tax rate, time zone)',
    minRole: 'tenant-admin',
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['externalId', 'name', 'currency'],
        properties: { externalId: { type: 'string', minLength: 1, maxLength: 100 }, name, email, currency: s.currency, taxRate: s.fraction, timeZone, stripeCustomerId },
      },
    },
    handler: async (request) => {
      const customer = await customers.create(request.tenant.id, request.body);
      await audit.record({ action: 'customer.created', target: customer.id, after: customer });
      return respond(201, customer);
    },
  };
  const list: RouteDefinition<unknown, { limit?: number; after?: string }> = {
    method: 'GET',
    path: '/billing/customers',
    summary: "The tenant's customers by external id (page with `after`)",
    schema: { query: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, after: { type: 'string', maxLength: 100 } } } },
    handler: async (request) => ({ items: await customers.list(request.tenant.id, { limit: request.query.limit ?? 100, after: request.query.after }) }),
  };
  const get: RouteDefinition = {
    method: 'GET',
    path: '/billing/customers/:customerId',
    summary: 'One customer, by id or external id',
    schema: { params: idParams },
    handler: (request) => customers.get(request.tenant.id, request.params.customerId!),
  };
  const update: RouteDefinition<CustomerChange> = {
    method: 'PATCH',
    path: '/billing/customers/:customerId',
    summary: "Change a customer's name, email, tax rate, time zone or Stripe customer id",
    minRole: 'tenant-admin',
    schema: {
      params: idParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { name, email, taxRate: s.fraction, timeZone, stripeCustomerId } },
    },
    handler: async (request) => {
      const { before, after } = await customers.update(request.tenant.id, request.params.customerId!, request.body);
      await audit.record({ action: 'customer.updated', target: after.id, before, after });
      return after;
    },
  };
  const remove: RouteDefinition = {
    method: 'DELETE',
    path: '/billing/customers/:customerId',
    summary: 'Delete a customer without billing history',
    minRole: 'tenant-admin',
    schema: { params: idParams },
    handler: async (request) => {
      const customer = await customers.delete(request.tenant.id, request.params.customerId!);
      await audit.record({ action: 'customer.deleted', target: customer.id, before: customer });
      return undefined;
    },
  };
  return [create, list, get, update, remove];
}
