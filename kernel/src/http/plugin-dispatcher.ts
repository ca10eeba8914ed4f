import type { Context } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';
import type { PluginRecord } from '../lifecycle/plugin-state';
import type { TenantView } from '../plugin-sets/plugin-set-cache';
import { tenantContextOf } from '../tenancy/tenant-branding';
import type { CompiledRoute, PluginRouter } from './plugin-router';
import type { RequestState } from './request-state';
import type { RouteOwnership } from './route-ownership';

const API = '/api/v1';

/** The plugin that owns an `/api/v1/...` path, or undefined when the kernel or nobody does. */
export type PluginOwnerLookup = (path: string) => string | undefined;

export function pluginOwnerLookup(ownership: RouteOwnership): PluginOwnerLookup {
  return (path) => {
    if (!path.startsWith(API)) return undefined;
    const owner = ownership.ownerOf(path.slice(API.length));
    return owner && owner.pluginId !== 'kernel' ? owner.pluginId : undefined;
  };
}

/**
 * Serves `/api/v1/<prefix>/...` for the plugin that owns the prefix, after the per-tenant checks: a plugin
 * disabled for the tenant answers 404 VV_PLUGIN_NOT_ENABLED, a failed or blocked one 503 with Retry-After — on its
 * own routes only. Runs after authentication (the tenant view is on ctx.state). Undefined when the handler
 * answered synchronously; else a promise of its answer being written.
 */
export function pluginDispatcher(records: ReadonlyMap<string, PluginRecord>, routers: ReadonlyMap<string, PluginRouter>) {
  return (ctx: Context & { state: RequestState & { tenantView?: TenantView } }, pluginId: string): Promise<void> | undefined => {
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
    // ctx.request, not ctx: Koa's delegating accessors are slow on a hot path (kernel-http.ts `front`).
    const { method, path } = ctx.request;
    const found = routers.get(pluginId)?.match(method === 'HEAD' ? 'GET' : method, path.slice(API.length));
    if (!found) throw new VvError('VV_NOT_FOUND', { params: { reason: `No route ${ctx.method} ${ctx.path} in plugin "${pluginId}"` } });
    const serving = found.route.handle(ctx, found.params);
    if (serving === undefined) return undefined;
    // Counted on the record the request found: an upgrade swaps the record and waits for the old one's count to reach 0.
    record.inFlight = (record.inFlight ?? 0) + 1;
    return serving.finally(() => {
      record.inFlight! -= 1;
    });
  };
}

/** A tenant id as the kernel creates them (tenant-routes.ts): anything else names no tenant, unread. */
const tenantIdPattern = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * Serves a public plugin route (`access: 'public'`, matched before authentication) for the tenant its `:tenantId`
 * names. A tenant that does not exist, is suspended or has not enabled the plugin gets the very answer an unknown
 * path gets (404 VV_NOT_FOUND), so a stranger learns nothing about which tenants exist or what they run.
 */
export function publicPluginDispatcher(records: ReadonlyMap<string, PluginRecord>, tenantView: (tenantId: string) => TenantView | undefined | Promise<TenantView | undefined>) {
  return async (
    ctx: Context & { state: RequestState & { tenantView?: TenantView } },
    pluginId: string,
    found: { readonly route: CompiledRoute; readonly params: Record<string, string> },
  ): Promise<void> => {
    ctx.state.plugin = pluginId;
    const tenantId = found.params.tenantId ?? '';
    const view = tenantIdPattern.test(tenantId) ? await tenantView(tenantId) : undefined;
    const config = view && view.tenant.status !== 'suspended' ? view.enabled.get(pluginId) : undefined;
    if (view === undefined || config === undefined) throw new VvError('VV_NOT_FOUND', { detail: `No route ${ctx.method} ${ctx.path}` });
    const record = records.get(pluginId)!;
    if (record.state !== 'running') {
      throw new VvError('VV_PLUGIN_FAILED', {
        params: { plugin: pluginId, state: record.state, reason: record.error?.message ?? 'not running' },
        headers: { 'Retry-After': '30' },
      });
    }
    ctx.state.tenantView = view;
    ctx.state.publicTenant = tenantContextOf(view);
    ctx.state.pluginConfig = config;
    const serving = found.route.handle(ctx, found.params);
    if (serving === undefined) return;
    record.inFlight = (record.inFlight ?? 0) + 1;
    try {
      await serving;
    } finally {
      record.inFlight! -= 1;
    }
  };
}
