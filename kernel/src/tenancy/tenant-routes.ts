import { VvError, type JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import type { CorsPolicy } from '../http/cors-policy';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
import type { KernelStore, TenantStatus } from './kernel-store';
import { brandingSettingProblems, refuseLogoSetting } from './tenant-branding';

const tenantIdSchema = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } as const;

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

export const createTenantSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: { id: tenantIdSchema, name: { type: 'string', minLength: 1, maxLength: 120 }, settings: { type: 'object' } },
};

export const patchTenantSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name: { type: 'string', minLength: 1, maxLength: 120 }, status: { enum: ['active', 'suspended'] }, settings: { type: 'object' } },
};

/** `/api/v1/admin/tenants…`: the tenants themselves (their plugin sets: plugin-sets/plugin-set-routes.ts). */
export function tenantRoutes(deps: {
  store: KernelStore;
  /** Called after a tenant changed, to invalidate caches on every instance. */
  onTenantChanged: (tenantId: string) => Promise<void>;
  auditor: Auditor;
  /** Checks a tenant's `corsOrigins` setting against the deployment's list (it may only narrow it). */
  cors?: CorsPolicy;
}): KernelRoute[] {
  const { store, onTenantChanged, auditor } = deps;
  const checkSettings = (tenantId: string, settings: Record<string, unknown> | undefined): void => {
    refuseLogoSetting(tenantId, settings);
    const problems = [...(deps.cors?.tenantSettingProblems(settings) ?? []), ...brandingSettingProblems(settings?.['branding'])];
    if (problems.length > 0) throw VvError.validation(problems);
  };
  const routes = new KernelRouteList();

  routes.get(
    '/api/v1/admin/tenants',
    {
      access: 'platform-admin',
      summary: 'Tenants sorted by id, with cursor pagination (?limit=, default 50, at most 200; ?cursor=) and ?q= (id or name contains it, any case)',
      query: tenantQuerySchema,
    },
    async (ctx, input) => {
      const query = input.query<{ q?: string; limit?: string; cursor?: string }>();
      const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 200);
      ctx.body = await store.listTenants({ q: query.q, limit, cursor: query.cursor });
    },
  );

  routes.post('/api/v1/admin/tenants', { access: 'platform-admin', summary: 'Create a tenant', body: createTenantSchema }, async (ctx, input) => {
    const body = input.body<{ id: string; name: string; settings?: Record<string, unknown> }>();
    checkSettings(body.id, body.settings);
    const tenant = await store.createTenant({ id: body.id, name: body.name, settings: body.settings });
    await auditor.record({ action: 'tenant.created', tenantId: tenant.id, target: `tenant:${tenant.id}`, after: tenant }, ctx);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/admin/tenants/${tenant.id}`);
    ctx.body = tenant;
  });

  routes.get('/api/v1/admin/tenants/:tenantId', { access: 'tenant-admin', summary: 'One tenant' }, async (ctx) => {
    const tenant = await store.getTenant(ctx.params.tenantId!);
    if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
    ctx.body = tenant;
  });

  routes.patch(
    '/api/v1/admin/tenants/:tenantId',
    { access: 'platform-admin', summary: 'Rename, suspend or reactivate a tenant, or change its settings (quotas, rate limits)', body: patchTenantSchema },
    async (ctx, input) => {
      const patch = input.body<{ name?: string; status?: TenantStatus; settings?: Record<string, unknown> }>();
      checkSettings(ctx.params.tenantId!, patch.settings);
      const before = await store.getTenant(ctx.params.tenantId!);
      const tenant = before && (await store.updateTenant(ctx.params.tenantId!, patch));
      if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
      await onTenantChanged(tenant.id);
      const action = patch.status && patch.status !== before.status ? (patch.status === 'suspended' ? 'tenant.suspended' : 'tenant.reactivated') : 'tenant.updated';
      await auditor.record({ action, tenantId: tenant.id, target: `tenant:${tenant.id}`, before, after: tenant }, ctx);
      ctx.body = tenant;
    },
  );

  routes.delete('/api/v1/admin/tenants/:tenantId', { access: 'platform-admin', summary: 'Delete a tenant with its plugin set and memberships' }, async (ctx) => {
    const before = await store.getTenant(ctx.params.tenantId!);
    if (!before || !(await store.deleteTenant(ctx.params.tenantId!))) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
    await onTenantChanged(ctx.params.tenantId!);
    await auditor.record({ action: 'tenant.deleted', tenantId: before.id, target: `tenant:${before.id}`, before }, ctx);
    ctx.status = 204;
  });

  return routes.routes;
}
