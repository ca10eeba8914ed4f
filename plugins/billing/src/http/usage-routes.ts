import { VvError, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { IngestResult, UsageEventInput, UsageIngestor } from '../usage/usage-ingestor';
import { readUsageSummary, type Granularity } from '../usage/usage-summary';
import type { UsageThresholds } from '../usage/usage-thresholds';
import type { PluginDatabase } from '@valueverse/plugin-sdk';

const event = {
  type: 'object',
  additionalProperties: false,
  required: ['transactionId', 'customerId', 'metric', 'timestamp'],
  properties: {
    transactionId: { type: 'string', minLength: 1, maxLength: 200 },
    customerId: { type: 'string', minLength: 1, maxLength: 100 },
    metric: { type: 'string', minLength: 1, maxLength: 63 },
    timestamp: { type: 'string', format: 'date-time' },
    properties: { type: 'object', maxProperties: 50 },
  },
} as const;

/** Up to this many events per request. */
export const maxBatch = 1000;

export interface UsageRouteDeps {
  readonly db: PluginDatabase;
  readonly ingestor: UsageIngestor;
}

/** `POST /billing/usage` and `GET /billing/usage/summary`. */
export function createUsageRoutes({ db, ingestor }: UsageRouteDeps): RouteDefinition[] {
  const ingest: RouteDefinition<UsageEventInput | { events: UsageEventInput[] }> = {
    method: 'POST',
    path: '/billing/usage',
    summary: 'Record usage: one event or {events} (up to 1,000), each counted once per transaction id; the answer lists duplicates',
    minRole: 'member',
    idempotency: 'optional',
    schema: {
      body: {
        oneOf: [
          event,
          { type: 'object', additionalProperties: false, required: ['events'], properties: { events: { type: 'array', minItems: 1, maxItems: maxBatch, items: event } } },
        ],
      },
    },
    handler: async (request): Promise<IngestResult> => {
      const options = { graceHours: Number(request.config.usageGraceHours ?? 72), thresholds: request.config.usageThresholds as UsageThresholds | undefined };
      const body = request.body;
      if ('events' in body) return ingestor.ingest(request.tenant.id, body.events, options, (index) => `/events/${index}`);
      return ingestor.ingest(request.tenant.id, [body], options, () => '');
    },
  };
  const summary: RouteDefinition<unknown, { customerId: string; metric: string; from?: string; to?: string; granularity?: Granularity }> = {
    method: 'GET',
    path: '/billing/usage/summary',
    summary: "A customer's usage of one metric per hour, day or month (days in the customer's time zone), with the total",
    schema: {
      query: {
        type: 'object',
        required: ['customerId', 'metric'],
        properties: {
          customerId: { type: 'string', minLength: 1, maxLength: 100 },
          metric: { type: 'string', minLength: 1, maxLength: 63 },
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
          granularity: { enum: ['hour', 'day', 'month'], default: 'day' },
        },
      },
    },
    handler: async (request) => {
      const { query } = request;
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
      if (!(from < to)) throw VvError.validation([{ pointer: '/from', message: 'must be before to', in: 'query' }]);
      if (to.getTime() - from.getTime() > 1_000 * 86_400_000) throw VvError.validation([{ pointer: '/from', message: 'the range is at most 1,000 days', in: 'query' }]);
      return readUsageSummary(db, request.tenant.id, { customer: query.customerId, metric: query.metric, from, to, granularity: query.granularity ?? 'day' });
    },
  };
  return [ingest, summary];
}
