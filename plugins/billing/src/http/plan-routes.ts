import { respond, type AuditLog, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { PlanInput, PlanStore } from '../plans/plan-store';
import { billingSchemas as s } from './billing-schemas';
import { checkPlanCharges } from './quote-routes';

const codeParams = { type: 'object', required: ['planCode'], properties: { planCode: s.code } } as const;

/** The routes under `/api/v1/billing/plans`. */
export function createPlanRoutes(plans: PlanStore, audit: AuditLog): RouteDefinition[] {
  const create: RouteDefinition<PlanInput> = {
    method: 'POST',
    path: '/billing/plans',
    summary: 'Create a plan: currency, interval, recurring fee (decimal string), trial days and usage charges',
    minRole: 'tenant-admin',
    schema: { body: { ...s.planBody, required: ['code', 'currency', 'amount', 'charges'] } },
    handler: async (request) => {
      checkPlanCharges(request.body, '');
      const plan = await plans.create(request.tenant.id, request.body);
      await audit.record({ action: 'plan.created', target: plan.code, after: plan });
      return respond(201, plan);
    },
  };
  const list: RouteDefinition = {
    method: 'GET',
    path: '/billing/plans',
    summary: "The tenant's plans",
    handler: async (request) => ({ items: await plans.list(request.tenant.id) }),
  };
  const get: RouteDefinition = {
    method: 'GET',
    path: '/billing/plans/:planCode',
    summary: 'One plan',
    schema: { params: codeParams },
    handler: (request) => plans.get(request.tenant.id, request.params.planCode!),
  };
  const remove: RouteDefinition = {
    method: 'DELETE',
    path: '/billing/plans/:planCode',
    summary: 'Delete a plan no subscription used',
    minRole: 'tenant-admin',
    schema: { params: codeParams },
    handler: async (request) => {
      const plan = await plans.delete(request.tenant.id, request.params.planCode!);
      await audit.record({ action: 'plan.deleted', target: plan.code, before: plan });
      return undefined;
    },
  };
  return [create, list, get, remove];
}
