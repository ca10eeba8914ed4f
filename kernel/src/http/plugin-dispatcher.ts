import type { Context, Next } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';
import type { PluginRecord } from '../lifecycle/plugin-state';
import type { TenantView } from '../tenancy/plugin-set-cache';
import type { PluginRouter } from './plugin-router';
import type { RequestState } from './request-state';
import type { RouteOwnership } from './route-ownership';

const API = '/api/v1';

/**
 * Dispatches `/api/v1/<prefix>/...` to the plugin that owns the prefix, after the per-tenant checks: a plugin
 * disabled for the tenant answers 404 VV_PLUGIN_NOT_ENABLED, a failed or blocked one 503 with Retry-After —
 * on its own routes only.
 */
export function pluginDispatcher(ownership: RouteOwnership, records: ReadonlyMap<string, PluginRecord>, routers: ReadonlyMap<string, PluginRouter>) {
  const middlewares = new Map<string, ReturnType<PluginRouter['koaRouter']['routes']>>();
  return async (ctx: Context & { state: RequestState & { tenantView?: TenantView } }, next: Next): Promise<void> => {
    const owner = ownership.ownerOf(ctx.path.slice(API.length));
    if (!owner || owner.pluginId === 'kernel') return next();
    const { pluginId } = owner;
    ctx.state.plugin = pluginId;
    const view = ctx.state.tenantView!;
    const config = view.enabled.get(pluginId);
    if (config === undefined) throw new VvError('VV_PLUGIN_NOT_ENABLED', { params: { plugin: pluginId, tenant: view.tenant.id } });
    const record = records.get(pluginId)!;
    if (record.state !== 'running') {
      throw new VvError('VV_PLUGIN_FAILED', {
        params: { plugin: pluginId, state: record.state, reason: record.error?.message ?? 'not running' },
        headers: { 'Retry-After': '30' },
      });
    }
    ctx.state.pluginConfig = config;
    let middleware = middlewares.get(pluginId);
    if (!middleware) {
      middleware = routers.get(pluginId)!.koaRouter.routes();
      middlewares.set(pluginId, middleware);
    }
    await middleware(ctx as never, async () => {
      throw new VvError('VV_NOT_FOUND', { params: { reason: `No route ${ctx.method} ${ctx.path} in plugin "${pluginId}"` } });
    });
  };
}
