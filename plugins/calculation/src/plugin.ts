import { coreServices, definePlugin, type RouteDefinition } from '@valueverse/plugin-sdk';
import { calculationRef } from './calculation-api';
import { computeBudgetOf } from './compute/compute-budget';
import { sharedComputePool } from './compute/shared-compute-pool';
import { createCalculationService } from './create-calculation-service';
import { createCalculationRoutes } from './http/calculation-routes';

/**
 * The calculation plugin: financial functions, value-model evaluation, scenarios and Monte Carlo, served under
 * `/api/v1/calculate/*` and provided in-process as the `calculation` service. Value-model work runs on a worker
 * pool under each tenant's compute budget (config `computeBudgetMs`), so `/health/live` never waits on it.
 */
export const plugin = definePlugin({
  deps: {
    http: coreServices.http,
    config: coreServices.config,
    context: coreServices.context,
    metrics: coreServices.metrics,
    events: coreServices.events,
    logger: coreServices.logger,
    metadata: coreServices.metadata,
  },
  setup({ http, config, context, metrics, events, logger, metadata }, registrar) {
    const service = createCalculationService(
      {},
      {
        pool: sharedComputePool.acquire(),
        // Other plugins call the service while serving a request: the budget is that request's tenant's.
        tenantOf: () => context.current()?.tenant.id,
        budgetFor: async ({ tenantId }) => computeBudgetOf(tenantId === undefined ? undefined : await config.forTenant(tenantId)),
        // Platform metering counts Monte Carlo trials per tenant from this event (kernel metering/platform-meter.ts);
        // nothing else reads it, so it is published only when metering is on.
        onTrials:
          metadata.platformMetering === true
            ? (tenantId, trials) =>
                void events
                  .publish('calculation.trials', tenantId, { trials })
                  .catch((error: unknown) => logger.warn({ err: error, tenantId }, 'publishing calculation.trials failed'))
            : undefined,
      },
    );
    // Business counter: value-model work answered, by operation (the financial functions are not counted: their
    // path is the hot one, and the request metrics count them already).
    const evaluations = metrics.counter('model_evaluations', { help: 'Value-model evaluations answered, by operation (model, scenario, simulate, ...)', labels: ['operation'] });
    for (const route of createCalculationRoutes(service))
      http.route(modelOperations.has(route.path) ? countedRoute(route, () => evaluations.inc({ operation: route.path.slice('/calculate/'.length) })) : route);
    registrar.provide(calculationRef, service);
  },
  stop: () => sharedComputePool.release(),
});

const modelOperations = new Set(['model', 'scenario', 'sensitivity', 'goal-seek', 'risk-adjustment', 'simulate'].map((o) => `/calculate/${o}`));

/** `route`, calling `count` each time its handler answered (not when it threw). */
function countedRoute(route: RouteDefinition, count: () => void): RouteDefinition {
  const handler = route.handler.bind(route);
  return {
    ...route,
    handler: async (request) => {
      const answer = await handler(request);
      count();
      return answer;
    },
  };
}
