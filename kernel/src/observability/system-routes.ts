import { Router } from '@koa/router';
import type { RequestState } from '../http/request-state';
import { pluginStates, type PluginRecord } from '../lifecycle/plugin-state';
import type { KernelMetrics } from './kernel-metrics';

/** Unauthenticated operational routes: liveness, readiness with each plugin's state, Prometheus metrics, OpenAPI. */
export function systemRoutes(deps: {
  records: () => readonly PluginRecord[];
  metrics: KernelMetrics;
  openapi: () => unknown;
  draining: () => boolean;
  version: string;
}): Router<RequestState> {
  const router = new Router<RequestState>();
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', (ctx) => {
    const plugins = deps.records().map((r) => ({
      id: r.id,
      version: r.manifest.version,
      state: r.state,
      since: r.since,
      error: r.error ? { code: r.error.code, message: r.error.message } : undefined,
    }));
    const draining = deps.draining();
    // Ready means the kernel serves; a failed plugin is reported (and answers 503 on its own routes) but does not
    // take the instance out of the load balancer, since every other plugin keeps working.
    ctx.status = draining ? 503 : 200;
    ctx.body = { status: draining ? 'draining' : 'ready', kernel: deps.version, plugins };
  });
  router.get('/metrics', async (ctx) => {
    for (const r of deps.records()) {
      for (const state of pluginStates) {
        deps.metrics.pluginState.set({ plugin: r.id, state }, r.state === state ? 1 : 0);
      }
    }
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = deps.openapi();
  });
  return router;
}
