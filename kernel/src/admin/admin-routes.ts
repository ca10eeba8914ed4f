import { Router } from '@koa/router';
import { VvError, type JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import type { CorsPolicy } from '../http/cors-policy';
import { bodyOf, requireRole, requireTenantAccess } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { TenantView } from '../tenancy/plugin-set-cache';
import type { SchemaValidator } from '../http/schema-validator';
import type { KernelStore, TenantStatus } from '../tenancy/kernel-store';
import type { PluginCatalog } from '../tenancy/plugin-catalog';
import type { PluginSetService } from '../tenancy/plugin-set-service';

const tenantIdSchema = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } as const;

export const createTenantSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: { id: tenantIdSchema, name: { type: 'string', minLength: 1, maxLength: 120 }, settings: { type: 'object' } },
};

/** `GET /api/v1/admin/tenants`: cursor pages like every list (limit 1-200, default 50) and `q`, a search by id or name. */
export const tenantQuerySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200 },
    limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
    cursor: { type: 'string', minLength: 1, maxLength: 1000 },
  },
};

export const patchTenantSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name: { type: 'string', minLength: 1, maxLength: 120 }, status: { enum: ['active', 'suspended'] }, settings: { type: 'object' } },
};

export const putPluginSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { enabled: { type: 'boolean' }, config: { type: 'object' } },
};

/** Kernel-owned routes under /api/v1: me, admin/plugins, admin/tenants and each tenant's plugin set. */
export function adminRoutes(deps: {
  store: KernelStore;
  catalog: PluginCatalog;
  pluginSets: PluginSetService;
  validator: SchemaValidator;
  /** Called after a tenant or its plugin set changed, to invalidate caches on every instance. */
  onTenantChanged: (tenantId: string) => Promise<void>;
  auditor: Auditor;
  /** Checks a tenant's `corsOrigins` setting against the deployment's list (it may only narrow it). */
  cors?: CorsPolicy;
}): Router<RequestState> {
  const { store, catalog, pluginSets, validator, onTenantChanged, auditor } = deps;
  const checkSettings = (settings: Record<string, unknown> | undefined): void => {
    const problems = deps.cors?.tenantSettingProblems(settings) ?? [];
    if (problems.length > 0) throw VvError.validation(problems);
  };
  const router = new Router<RequestState>({ prefix: '/api/v1' });
  const createTenant = bodyOf<{ id: string; name: string; settings?: Record<string, unknown> }>(validator, createTenantSchema);
  const patchTenant = bodyOf<{ name?: string; status?: TenantStatus; settings?: Record<string, unknown> }>(validator, patchTenantSchema);
  const putPlugin = bodyOf<{ enabled?: boolean; config?: Record<string, unknown> }>(validator, putPluginSchema);
  const tenantQuery = validator.compile(tenantQuerySchema, 'query');

  router.get('/me', (ctx) => {
    const p = ctx.state.principal!;
    // The plugins this tenant has on, with what the workspace needs to build its navigation (no config: members
    // may read this, and config can hold secrets).
    const enabled = (ctx.state as RequestState & { tenantView?: TenantView }).tenantView?.enabled ?? new Map();
    const plugins = [...enabled.keys()].sort().flatMap((id) => {
      const record = catalog.get(id);
      if (!record) return [];
      const { displayName, description, version, ui } = record.manifest;
      return [{ pluginId: id, displayName, description, version, state: record.state, enabled: true, ui }];
    });
    ctx.body = { user: p.user, tenant: p.tenant, platformAdmin: p.platformAdmin, plugins };
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
    const query = ctx.query as Record<string, string>;
    const problems = tenantQuery(query);
    if (problems.length > 0) throw VvError.validation(problems);
    const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 200);
    ctx.body = await store.listTenants({ q: query.q, limit, cursor: query.cursor });
  });

  router.post('/admin/tenants', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    const body = createTenant(ctx);
    checkSettings(body.settings);
    const tenant = await store.createTenant({ id: body.id, name: body.name, settings: body.settings });
    await auditor.record({ action: 'tenant.created', tenantId: tenant.id, target: `tenant:${tenant.id}`, after: tenant }, ctx);
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
    const patch = patchTenant(ctx);
    checkSettings(patch.settings);
    const before = await store.getTenant(ctx.params.tenantId!);
    const tenant = before && (await store.updateTenant(ctx.params.tenantId!, patch));
    if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
    await onTenantChanged(tenant.id);
    const action = patch.status && patch.status !== before.status ? (patch.status === 'suspended' ? 'tenant.suspended' : 'tenant.reactivated') : 'tenant.updated';
    await auditor.record({ action, tenantId: tenant.id, target: `tenant:${tenant.id}`, before, after: tenant }, ctx);
    ctx.body = tenant;
  });

  router.delete('/admin/tenants/:tenantId', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    const before = await store.getTenant(ctx.params.tenantId!);
    if (!before || !(await store.deleteTenant(ctx.params.tenantId!))) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
    await onTenantChanged(ctx.params.tenantId!);
    await auditor.record({ action: 'tenant.deleted', tenantId: before.id, target: `tenant:${before.id}`, before }, ctx);
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
