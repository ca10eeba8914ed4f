import { Router } from '@koa/router';
import type { JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { bodyOf, requireRole, requireTenantAccess } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { SchemaValidator } from '../http/schema-validator';
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
  validator: SchemaValidator;
  /** Called after a tenant's plugin set changed, to invalidate caches on every instance. */
  onTenantChanged: (tenantId: string) => Promise<void>;
  auditor: Auditor;
}): Router<RequestState> {
  const { catalog, pluginSets, validator, onTenantChanged, auditor } = deps;
  const router = new Router<RequestState>({ prefix: '/api/v1' });
  const putPlugin = bodyOf<{ enabled?: boolean; config?: Record<string, unknown> }>(validator, putPluginSchema);

  router.get('/admin/plugins', (ctx) => {
    requireRole(ctx, 'tenant-admin');
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

  router.get('/admin/tenants/:tenantId/plugins', async (ctx) => {
    requireTenantAccess(ctx, ctx.params.tenantId!, 'tenant-admin');
    ctx.body = { items: await pluginSets.list(ctx.params.tenantId!) };
  });

  router.put('/admin/tenants/:tenantId/plugins/:pluginId', async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    requireTenantAccess(ctx, tenantId, 'tenant-admin');
    const flag = (name: string) => ctx.query[name] === 'true' || ctx.query[name] === '1';
    const dryRun = flag('dryRun');
    const change = putPlugin(ctx);
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
  });

  return router;
}
