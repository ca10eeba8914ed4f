import type { JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
import type { PluginCatalog } from './plugin-catalog';
import type { PluginSetService } from './plugin-set-service';

export const putPluginSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { enabled: { type: 'boolean' }, config: { type: 'object' } },
};

/** The installed plugins (`GET /api/v1/admin/plugins`) and each tenant's plugin set (`…/tenants/:tenantId/plugins…`). */
export function pluginSetRoutes(deps: {
  catalog: PluginCatalog;
  pluginSets: PluginSetService;
  /** Called after a tenant's plugin set changed, to invalidate caches on every instance. */
  onTenantChanged: (tenantId: string) => Promise<void>;
  auditor: Auditor;
}): KernelRoute[] {
  const { catalog, pluginSets, onTenantChanged, auditor } = deps;
  const routes = new KernelRouteList();

  routes.get('/api/v1/admin/plugins', { access: 'tenant-admin', summary: 'Installed plugins: manifest, state, requirements and dependants' }, (ctx) => {
    ctx.body = {
      items: catalog.all().map((r) => ({
        id: r.id,
        version: r.manifest.version,
        manifest: r.manifest,
        state: r.state,
        since: r.since,
        error: r.error ? { code: r.error.code, message: r.error.message } : undefined,
        requires: Object.keys(r.manifest.requires ?? {}),
        dependants: catalog.dependantsOf(r.id),
      })),
    };
  });

  routes.get(
    '/api/v1/admin/tenants/:tenantId/plugins',
    { access: 'tenant-admin', summary: "The tenant's plugin set: every plugin, enabled or not, with its config (secrets masked)" },
    async (ctx) => {
      ctx.body = { items: await pluginSets.list(ctx.params.tenantId!) };
    },
  );

  routes.put(
    '/api/v1/admin/tenants/:tenantId/plugins/:pluginId',
    { access: 'tenant-admin', summary: 'Enable, disable or configure a plugin for the tenant (?cascade=true, ?dryRun=true)', body: putPluginSchema },
    async (ctx, input) => {
      const tenantId = ctx.params.tenantId!;
      const flag = (name: string) => ctx.query[name] === 'true' || ctx.query[name] === '1';
      const dryRun = flag('dryRun');
      const change = input.body<{ enabled?: boolean; config?: Record<string, unknown> }>();
      // The listing masks secrets: before/after in the audit log never hold a secret.
      const before = dryRun ? [] : await pluginSets.list(tenantId);
      const plan = await pluginSets.change(tenantId, ctx.params.pluginId!, change, { cascade: flag('cascade'), dryRun });
      const after = await pluginSets.list(tenantId);
      if (!dryRun) {
        await onTenantChanged(tenantId);
        const pick = (list: typeof after) => list.filter((p) => plan.changes.some((c) => c.pluginId === p.pluginId));
        const action = change.enabled === true ? 'plugin.enabled' : change.enabled === false ? 'plugin.disabled' : 'plugin.configured';
        await auditor.record({ action, tenantId, target: `plugin:${ctx.params.pluginId}`, before: pick(before), after: pick(after) }, ctx);
      }
      ctx.body = { ...plan, dryRun, plugins: after };
    },
  );

  return routes.routes;
}
