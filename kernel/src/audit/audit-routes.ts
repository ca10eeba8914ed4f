import { VvError, type JsonSchema } from '@valueverse/plugin-sdk';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
import type { KernelStore } from '../tenancy/kernel-store';
import type { AuditStore } from './audit-store';

export const auditQuerySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tenantId: { type: 'string', minLength: 1, maxLength: 63 },
    action: { type: 'string', minLength: 1, maxLength: 120 },
    actor: { type: 'string', minLength: 1, maxLength: 200 },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    cursor: { type: 'string', pattern: '^[0-9]{1,18}$' },
    limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
  },
};

/** `GET /api/v1/admin/audit`: the audit log, newest first, filtered, with cursor pagination. */
export function auditRoutes(deps: { store: KernelStore; audit: AuditStore }): KernelRoute[] {
  const { store, audit } = deps;
  const routes = new KernelRouteList();

  routes.get(
    '/api/v1/admin/audit',
    { access: 'tenant-admin', summary: 'The audit log, newest first, filtered, with cursor pagination', query: auditQuerySchema },
    async (ctx, input) => {
      const query = input.query<Record<string, string>>();
      const principal = ctx.state.principal!;
      // Tenant admins read their own tenant's log; platform admins any, or all.
      if (!principal.platformAdmin && query.tenantId !== undefined && query.tenantId !== principal.tenant.id) {
        throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: query.tenantId } });
      }
      const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 200);
      // `actor` may be a user id or, for people, their email.
      let actor = query.actor;
      if (actor?.includes('@')) actor = (await store.findUserByEmail(actor))?.id ?? actor;
      const page = await audit.list({
        tenantId: principal.platformAdmin ? query.tenantId : principal.tenant.id,
        action: query.action,
        actor,
        from: query.from,
        to: query.to,
        cursor: query.cursor,
        limit,
      });
      // Entries keep the actor's id (emails change); the listing adds the current email of user actors.
      const emails = new Map<string, string>();
      for (const id of new Set(page.items.map((e) => e.actor).filter((a): a is string => a !== null && !a.includes(':')))) {
        const user = await store.getUser(id);
        if (user) emails.set(id, user.email);
      }
      ctx.body = { ...page, items: page.items.map((e) => ({ ...e, actorEmail: e.actor ? (emails.get(e.actor) ?? null) : null })) };
    },
  );

  return routes.routes;
}
