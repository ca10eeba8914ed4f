import { Router } from '@koa/router';
import { VvError, type JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { bodyOf, requireTenantAccess } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { SchemaValidator } from '../http/schema-validator';
import type { KernelStore } from '../tenancy/kernel-store';
import type { InvitationStore } from './invitation-store';
import { INVITATION_ACCEPT_PATH, publicInvitation, type InvitationService } from './invitation-service';

export const acceptInvitationSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 200 },
    password: { type: 'string', minLength: 12, maxLength: 1024 },
  },
};

/**
 * `GET|DELETE /api/v1/admin/tenants/:tenantId/invitations…` (the tenant's pending invitations, for its admins) and
 * the public `POST /api/v1/auth/invitations/accept` `{token[, password]}`, where the token is the credential.
 * Invitations are created by `POST …/members` (identity-routes.ts).
 */
export function invitationRoutes(deps: {
  store: KernelStore;
  invitations: InvitationStore;
  service: InvitationService;
  auditor: Auditor;
  validator: SchemaValidator;
}): { admin: Router<RequestState>; accept: Router<RequestState> } {
  const admin = new Router<RequestState>({ prefix: '/api/v1' });
  const tenantOrThrow = async (tenantId: string) => {
    if (!(await deps.store.getTenant(tenantId))) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
  };

  admin.get('/admin/tenants/:tenantId/invitations', async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    requireTenantAccess(ctx, tenantId, 'tenant-admin');
    await tenantOrThrow(tenantId);
    ctx.body = { items: (await deps.invitations.listPending(tenantId)).map(publicInvitation) };
  });

  admin.delete('/admin/tenants/:tenantId/invitations/:invitationId', async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    requireTenantAccess(ctx, tenantId, 'tenant-admin');
    if (!(await deps.invitations.revoke(tenantId, ctx.params.invitationId!))) {
      throw new VvError('VV_NOT_FOUND', { params: { reason: `No pending invitation "${ctx.params.invitationId}" in tenant "${tenantId}"` } });
    }
    await deps.auditor.record({ action: 'member.invitation-revoked', tenantId, target: `invitation:${ctx.params.invitationId}` }, ctx);
    ctx.status = 204;
  });

  const accept = new Router<RequestState>();
  const acceptBody = bodyOf<{ token: string; password?: string }>(deps.validator, acceptInvitationSchema);
  accept.post(INVITATION_ACCEPT_PATH, async (ctx) => {
    const body = acceptBody(ctx);
    const accepted = await deps.service.accept(body.token, body.password, ctx);
    const member = { userId: accepted.userId, tenantId: accepted.invitation.tenantId, role: accepted.role, email: accepted.email };
    await deps.auditor.record(
      { action: 'member.added', actor: accepted.userId, tenantId: member.tenantId, target: `user:${member.userId}`, after: { ...member, invitation: accepted.invitation.id } },
      ctx,
    );
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ...member, accountCreated: accepted.created };
  });

  return { admin, accept };
}
