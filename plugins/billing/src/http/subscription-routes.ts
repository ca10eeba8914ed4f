import { respond, type AuditLog, type PluginRequest, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { BillingCycle, CycleOptions } from '../subscriptions/billing-cycle';
import { billingSchemas as s } from './billing-schemas';

const idParams = { type: 'object', required: ['subscriptionId'], properties: { subscriptionId: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

/** The tenant's billing settings for a request, read from the plugin config. */
export function cycleOptions(request: PluginRequest<unknown, unknown>): CycleOptions {
  return { graceHours: Number(request.config.invoiceGraceHours ?? 0), now: new Date() };
}

/** The routes under `/api/v1/billing/subscriptions`. */
export function createSubscriptionRoutes(cycle: BillingCycle, audit: AuditLog): RouteDefinition[] {
  const create: RouteDefinition<{ customerId: string; planCode: string; startDate?: string }> = {
    method: 'POST',
    path: '/billing/subscriptions',
    summary: 'Subscribe a customer to a plan from a start date (today by default, in the customer’s time zone)',
    minRole: 'tenant-admin',
    idempotency: 'optional',
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['customerId', 'planCode'],
        properties: { customerId: { type: 'string', minLength: 1, maxLength: 100 }, planCode: s.code, startDate: { type: 'string', format: 'date' } },
      },
    },
    handler: async (request) => {
      const subscription = await cycle.subscribe(request.tenant.id, request.body, cycleOptions(request));
      await audit.record({ action: 'subscription.created', target: subscription.id, after: subscription });
      return respond(201, subscription);
    },
  };
  const list: RouteDefinition<unknown, { customerId?: string; status?: string }> = {
    method: 'GET',
    path: '/billing/subscriptions',
    summary: 'Subscriptions, newest first (filter by customer and status)',
    schema: { query: { type: 'object', properties: { customerId: { type: 'string', maxLength: 100 }, status: { enum: ['active', 'canceled'] } } } },
    handler: async (request) => ({ items: await cycle.list(request.tenant.id, request.query) }),
  };
  const get: RouteDefinition = {
    method: 'GET',
    path: '/billing/subscriptions/:subscriptionId',
    summary: 'One subscription',
    schema: { params: idParams },
    handler: (request) => cycle.get(request.tenant.id, request.params.subscriptionId!),
  };
  const change: RouteDefinition<{ planCode: string }> = {
    method: 'POST',
    path: '/billing/subscriptions/:subscriptionId/plan',
    summary: 'Change plan: an upgrade (daily fee ≥ the old one) applies today with proration; a downgrade at the period end',
    minRole: 'tenant-admin',
    idempotency: 'optional',
    schema: { params: idParams, body: { type: 'object', additionalProperties: false, required: ['planCode'], properties: { planCode: s.code } } },
    handler: async (request) => {
      const before = await cycle.get(request.tenant.id, request.params.subscriptionId!);
      const result = await cycle.changePlan(request.tenant.id, request.params.subscriptionId!, request.body.planCode, cycleOptions(request));
      await audit.record({ action: `subscription.${result.kind}`, target: before.id, before, after: result.subscription });
      return result;
    },
  };
  const cancel: RouteDefinition<{ when?: 'now' | 'period_end' }> = {
    method: 'POST',
    path: '/billing/subscriptions/:subscriptionId/cancel',
    summary: 'Cancel now (days used are invoiced at once, unused days paid in advance credited) or at the period end',
    minRole: 'tenant-admin',
    idempotency: 'optional',
    schema: { params: idParams, body: { type: 'object', additionalProperties: false, properties: { when: { enum: ['now', 'period_end'], default: 'period_end' } } } },
    handler: async (request) => {
      const before = await cycle.get(request.tenant.id, request.params.subscriptionId!);
      const after = await cycle.cancel(request.tenant.id, request.params.subscriptionId!, request.body.when ?? 'period_end', cycleOptions(request));
      await audit.record({ action: 'subscription.canceled', target: after.id, before, after });
      return after;
    },
  };
  const close: RouteDefinition = {
    method: 'POST',
    path: '/billing/periods/close',
    summary: 'Close every billing period that has ended and finalize drafts past their grace (the hourly job does the same)',
    minRole: 'tenant-admin',
    handler: (request) => cycle.closeDue(request.tenant.id, cycleOptions(request)),
  };
  return [create, list, get, change, cancel, close];
}
