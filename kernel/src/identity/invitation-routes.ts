import { VvError, type JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
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
export function invitationRoutes(deps: { store: KernelStore; invitations: InvitationStore; service: InvitationService; auditor: Auditor }): KernelRoute[] {
  const routes = new KernelRouteList();
  const tenantOrThrow = async (tenantId: string) => {
    if (!(await deps.store.getTenant(tenantId))) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
  };

  routes.get('/api/v1/admin/tenants/:tenantId/invitations', { access: 'tenant-admin', summary: "The tenant's pending invitations (never their tokens)" }, async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    await tenantOrThrow(tenantId);
    ctx.body = { items: (await deps.invitations.listPending(tenantId)).map(publicInvitation) };
  });

  routes.delete('/api/v1/admin/tenants/:tenantId/invitations/:invitationId', { access: 'tenant-admin', summary: 'Withdraw a pending invitation' }, async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    if (!(await deps.invitations.revoke(tenantId, ctx.params.invitationId!))) {
      throw new VvError('VV_NOT_FOUND', { params: { reason: `No pending invitation "${ctx.params.invitationId}" in tenant "${tenantId}"` } });
    }
    await deps.auditor.record({ action: 'member.invitation-revoked', tenantId, target: `invitation:${ctx.params.invitationId}` }, ctx);
    ctx.status = 204;
  });

  routes.post(
    INVITATION_ACCEPT_PATH,
    { access: 'public', summary: 'Accept an invitation with its token: a new address sets its password, an existing account confirms with its own', body: acceptInvitationSchema },
    async (ctx, input) => {
      const body = input.body<{ token: string; password?: string }>();
      const accepted = await deps.service.accept(body.token, body.password, ctx);
      const member = { userId: accepted.userId, tenantId: accepted.invitation.tenantId, role: accepted.role, email: accepted.email };
      await deps.auditor.record(
        { action: 'member.added', actor: accepted.userId, tenantId: member.tenantId, target: `user:${member.userId}`, after: { ...member, invitation: accepted.invitation.id } },
        ctx,
      );
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { ...member, accountCreated: accepted.created };
    },
  );

  return routes.routes;
}
