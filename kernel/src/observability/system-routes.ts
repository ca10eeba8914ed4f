import { pluginStates, type PluginRecord } from '../lifecycle/plugin-state';
import type { KernelMetrics } from './kernel-metrics';
import type { Readiness } from './readiness';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';

/** Unauthenticated operational routes: liveness, readiness with each plugin's state, Prometheus metrics, OpenAPI. */
export function systemRoutes(deps: {
  records: () => readonly PluginRecord[];
  metrics: KernelMetrics;
  openapi: () => unknown;
  draining: () => boolean;
  version: string;
  readiness: Readiness;
}): KernelRoute[] {
  const routes = new KernelRouteList();
  routes.get('/health/live', { access: 'public', summary: 'Liveness: the process answers' }, (ctx) => {
    ctx.body = { status: 'ok' };
  });
  routes.get('/health/ready', { access: 'public', summary: "Readiness, with each plugin's state and error" }, async (ctx) => {
    const records = deps.records();
    const plugins = records.map((r) => ({
      id: r.id,
      version: r.manifest.version,
      state: r.state,
      since: r.since,
      error: r.error ? { code: r.error.code, message: r.error.message } : undefined,
      sandbox: r.sandbox
        ? { state: r.sandbox.state, restarts: r.sandbox.restarts, budgetHits: r.sandbox.budgetHits, lastExit: r.sandbox.lastExit, budgets: r.sandbox.budgets }
        : undefined,
    }));
    // The states and status codes are explained in readiness.ts: a failed plugin or Redis down is `degraded` (200,
    // the instance keeps serving everything else); the database down is `unavailable` (503).
    const report = await deps.readiness.report(records, deps.draining());
    ctx.status = report.httpStatus;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: report.status, kernel: deps.version, dependencies: report.dependencies, notRunning: report.notRunning, plugins };
  });
  routes.get('/metrics', { access: 'public', summary: 'Prometheus metrics', produces: 'text/plain' }, async (ctx) => {
    for (const r of deps.records()) {
      for (const state of pluginStates) {
        deps.metrics.pluginState.set({ plugin: r.id, state }, r.state === state ? 1 : 0);
      }
      if (r.sandbox) {
        deps.metrics.sandboxRestarts.set({ plugin: r.id }, r.sandbox.restarts);
        for (const [budget, hits] of Object.entries(r.sandbox.budgetHits)) deps.metrics.sandboxBudgetHits.set({ plugin: r.id, budget }, hits);
      }
    }
    const report = await deps.readiness.report(deps.records(), deps.draining());
    for (const [dependency, state] of Object.entries(report.dependencies)) deps.metrics.dependencyUp.set({ dependency }, state === 'ok' ? 1 : 0);
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  routes.get('/api/openapi.json', { access: 'public', summary: 'This document' }, (ctx) => {
    ctx.body = deps.openapi();
  });
  return routes.routes;
}
