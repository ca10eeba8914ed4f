import { Router } from '@koa/router';
import { VvError } from '@valueverse/plugin-sdk';
import { bodyOf, requireRole, requireTenantAccess } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { SchemaValidator } from '../http/schema-validator';
import type { KernelStore, TenantStatus } from '../tenancy/kernel-store';
import type { PluginCatalog } from '../tenancy/plugin-catalog';
import type { PluginSetService } from '../tenancy/plugin-set-service';

const tenantIdSchema = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } as const;

/** Kernel-owned routes under /api/v1: me, admin/plugins, admin/tenants and each tenant's plugin set. */
export function adminRoutes(deps: {
  store: KernelStore;
  catalog: PluginCatalog;
  pluginSets: PluginSetService;
  validator: SchemaValidator;
  /** Called after a tenant or its plugin set changed, to invalidate caches on every instance. */
  onTenantChanged: (tenantId: string) => Promise<void>;
}): Router<RequestState> {
  const { store, catalog, pluginSets, validator, onTenantChanged } = deps;
  const router = new Router<RequestState>({ prefix: '/api/v1' });
  const createTenant = bodyOf<{ id: string; name: string; settings?: Record<string, unknown> }>(validator, {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'name'],
    properties: { id: tenantIdSchema, name: { type: 'string', minLength: 1, maxLength: 120 }, settings: { type: 'object' } },
  });
  const patchTenant = bodyOf<{ name?: string; status?: TenantStatus; settings?: Record<string, unknown> }>(validator, {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: { name: { type: 'string', minLength: 1, maxLength: 120 }, status: { enum: ['active', 'suspended'] }, settings: { type: 'object' } },
  });
  const putPlugin = bodyOf<{ enabled?: boolean; config?: Record<string, unknown> }>(validator, {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: { enabled: { type: 'boolean' }, config: { type: 'object' } },
  });

  router.get('/me', (ctx) => {
    const p = ctx.state.principal!;
    ctx.body = { user: p.user, tenant: p.tenant, platformAdmin: p.platformAdmin };
  });

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

  router.get('/admin/tenants', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    ctx.body = { items: await store.listTenants() };
  });

  router.post('/admin/tenants', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    const body = createTenant(ctx);
    const tenant = await store.createTenant({ id: body.id, name: body.name, settings: body.settings });
    ctx.status = 201;
    ctx.set('Location', `/api/v1/admin/tenants/${tenant.id}`);
    ctx.body = tenant;
  });

  router.get('/admin/tenants/:tenantId', async (ctx) => {
    requireTenantAccess(ctx, ctx.params.tenantId!, 'tenant-admin');
    const tenant = await store.getTenant(ctx.params.tenantId!);
    if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
    ctx.body = tenant;
  });

  router.patch('/admin/tenants/:tenantId', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    const tenant = await store.updateTenant(ctx.params.tenantId!, patchTenant(ctx));
    if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
    await onTenantChanged(tenant.id);
    ctx.body = tenant;
  });

  router.delete('/admin/tenants/:tenantId', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    if (!(await store.deleteTenant(ctx.params.tenantId!))) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
    await onTenantChanged(ctx.params.tenantId!);
    ctx.status = 204;
  });

  router.get('/admin/tenants/:tenantId/plugins', async (ctx) => {
    requireTenantAccess(ctx, ctx.params.tenantId!, 'tenant-admin');
    ctx.body = { items: await pluginSets.list(ctx.params.tenantId!) };
  });

  router.put('/admin/tenants/:tenantId/plugins/:pluginId', async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    requireTenantAccess(ctx, tenantId, 'tenant-admin');
    const flag = (name: string) => ctx.query[name] === 'true' || ctx.query[name] === '1';
    const plan = await pluginSets.change(tenantId, ctx.params.pluginId!, putPlugin(ctx), { cascade: flag('cascade'), dryRun: flag('dryRun') });
    if (!flag('dryRun')) await onTenantChanged(tenantId);
    ctx.body = { ...plan, dryRun: flag('dryRun'), plugins: await pluginSets.list(tenantId) };
  });

  return router;
}
