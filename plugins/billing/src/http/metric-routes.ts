import { respond, type AuditLog, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { Aggregation, MetricStore } from '../metrics/metric-store';
import { billingSchemas as s } from './billing-schemas';

const property = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,62}$' } as const;
const codeParams = { type: 'object', required: ['metricCode'], properties: { metricCode: s.code } } as const;

/** The routes under `/api/v1/billing/metrics`. */
export function createMetricRoutes(metrics: MetricStore, audit: AuditLog): RouteDefinition[] {
  const create: RouteDefinition<{ code: string; name: string; aggregation: Aggregation; field?: string; groupBy?: string[] }> = {
    method: 'POST',
    path: '/billing/metrics',
    summary: 'Create a billable metric: count, sum, max, unique_count or latest over an event property',
    minRole: 'tenant-admin',
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'name', 'aggregation'],
        properties: {
          code: s.code,
          name: { type: 'string', minLength: 1, maxLength: 200 },
          aggregation: { enum: ['count', 'sum', 'max', 'unique_count', 'latest'] },
          field: property,
          groupBy: { type: 'array', maxItems: 3, uniqueItems: true, items: property },
        },
      },
    },
    handler: async (request) => {
      const metric = await metrics.create(request.tenant.id, request.body);
      await audit.record({ action: 'metric.created', target: metric.code, after: metric });
      return respond(201, metric);
    },
  };
  const list: RouteDefinition = {
    method: 'GET',
    path: '/billing/metrics',
    summary: "The tenant's billable metrics",
    handler: async (request) => ({ items: await metrics.list(request.tenant.id) }),
  };
  const get: RouteDefinition = {
    method: 'GET',
    path: '/billing/metrics/:metricCode',
    summary: 'One billable metric',
    schema: { params: codeParams },
    handler: (request) => metrics.get(request.tenant.id, request.params.metricCode!),
  };
  const rename: RouteDefinition<{ name: string }> = {
    method: 'PATCH',
    path: '/billing/metrics/:metricCode',
    summary: 'Rename a metric (its aggregation is fixed: stored usage depends on it)',
    minRole: 'tenant-admin',
    schema: {
      params: codeParams,
      body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } },
    },
    handler: async (request) => {
      const { before, after } = await metrics.rename(request.tenant.id, request.params.metricCode!, request.body.name);
      await audit.record({ action: 'metric.renamed', target: after.code, before, after });
      return after;
    },
  };
  const remove: RouteDefinition = {
    method: 'DELETE',
    path: '/billing/metrics/:metricCode',
    summary: 'Delete a metric no event has used',
    minRole: 'tenant-admin',
    schema: { params: codeParams },
    handler: async (request) => {
      const metric = await metrics.delete(request.tenant.id, request.params.metricCode!);
      await audit.record({ action: 'metric.deleted', target: metric.code, before: metric });
      return undefined;
    },
  };
  return [create, list, get, rename, remove];
}
