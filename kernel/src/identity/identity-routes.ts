import { randomUUID } from 'node:crypto';
import { roles, VvError, type Role, type JsonSchema } from '@valueverse/plugin-sdk';
import type { AccessChange } from './access-changes';
import type { Auditor } from '../audit/auditor';
import { hasRole } from './role-rank';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { KernelStore } from '../tenancy/kernel-store';
import { quotaOf } from '../tenancy/tenant-quota';
import type { ApiKeyRecord, IdentityStore } from './identity-store';
import type { IdentityService } from './identity-service';
import type { InvitationService } from './invitation-service';

const publicKey = (k: ApiKeyRecord) => ({ id: k.id, name: k.name, role: k.role, prefix: k.prefix, createdBy: k.createdBy, createdAt: k.createdAt, revokedAt: k.revokedAt });

export const createApiKeySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 120 }, role: { enum: roles.filter((r) => r !== 'platform-admin') } },
};

export const addMemberSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'role'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 320 },
    role: { enum: roles.filter((r) => r !== 'platform-admin') },
    password: { type: 'string', minLength: 12, maxLength: 1024 },
  },
};

export const userStatusSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['disabled'],
  properties: { disabled: { type: 'boolean' } },
};

export const memberRoleSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: { role: { enum: roles.filter((r) => r !== 'platform-admin') } },
};

/** `/api/v1/admin/tenants/:tenantId/api-keys…`, `…/members…` and `/api/v1/admin/users/:userId`. */
export function identityRoutes(deps: {
  store: KernelStore;
  identityStore: IdentityStore;
  identity: IdentityService;
  auditor: Auditor;
  hashPassword: (password: string) => Promise<string>;
  /** Tells every instance that access was taken away (a key revoked, a member demoted or removed). */
  onAccessChanged?: (change: AccessChange) => Promise<void>;
  /** What `POST …/members` of a tenant admin does: invite (invitation-service.ts). */
  invitations: InvitationService;
}): KernelRoute[] {
  const { store, identityStore, identity, auditor } = deps;
  const accessChanged = deps.onAccessChanged ?? (async () => {});
  /** The user's tokens stop working everywhere (their role or membership shrank); a refresh gets the new role. */
  const endSessionsOf = async (userId: string) => {
    await identityStore.bumpSessionVersion(userId);
    await accessChanged({ kind: 'user', id: userId });
  };
  const routes = new KernelRouteList();

  routes.get('/api/v1/admin/tenants/:tenantId/api-keys', { access: 'tenant-admin', summary: "The tenant's API keys (never the keys themselves)" }, async (ctx) => {
    if (!(await store.getTenant(ctx.params.tenantId!))) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
    ctx.body = { items: (await identityStore.listApiKeys(ctx.params.tenantId!)).map(publicKey) };
  });

  routes.post(
    '/api/v1/admin/tenants/:tenantId/api-keys',
    { access: 'tenant-admin', summary: 'Create an API key; the key is in this response only', body: createApiKeySchema },
    async (ctx, input) => {
      const tenantId = ctx.params.tenantId!;
      const body = input.body<{ name: string; role: Role }>();
      const principal = ctx.state.principal!;
      if (!hasRole(principal.user.role, body.role)) {
        throw new VvError('VV_FORBIDDEN', { params: { reason: `A key cannot have a stronger role than its creator ("${principal.user.role}")` } });
      }
      const tenant = await store.getTenant(tenantId);
      if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
      const limit = quotaOf(tenant.settings, 'maxApiKeys');
      if (limit !== undefined) {
        const live = (await identityStore.listApiKeys(tenantId)).filter((k) => !k.revokedAt).length;
        if (live >= limit) throw new VvError('VV_QUOTA_EXCEEDED', { params: { tenant: tenantId, limit, what: 'API keys' } });
      }
      const { record, key } = await identity.createApiKey(tenantId, body.name, body.role, principal.user.id);
      await auditor.record({ action: 'api-key.created', tenantId, target: `api-key:${record.id}`, after: publicKey(record) }, ctx);
      ctx.status = 201;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { ...publicKey(record), key };
    },
  );

  routes.delete('/api/v1/admin/tenants/:tenantId/api-keys/:keyId', { access: 'tenant-admin', summary: 'Revoke an API key' }, async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    if (!(await identityStore.revokeApiKey(tenantId, ctx.params.keyId!))) {
      throw new VvError('VV_NOT_FOUND', { params: { reason: `No live API key "${ctx.params.keyId}" in tenant "${tenantId}"` } });
    }
    await accessChanged({ kind: 'api-key', id: ctx.params.keyId! });
    await auditor.record({ action: 'api-key.revoked', tenantId, target: `api-key:${ctx.params.keyId}` }, ctx);
    ctx.status = 204;
  });

  const tenantOrThrow = async (tenantId: string) => {
    const tenant = await store.getTenant(tenantId);
    if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
    return tenant;
  };
  const notAbove = (ctx: { state: RequestState }, role: Role) => {
    const own = ctx.state.principal!.user.role;
    if (!hasRole(own, role)) throw new VvError('VV_FORBIDDEN', { params: { reason: `You cannot grant a role stronger than your own ("${own}")` } });
  };

  routes.get('/api/v1/admin/tenants/:tenantId/members', { access: 'tenant-admin', summary: "The tenant's members and their roles" }, async (ctx) => {
    await tenantOrThrow(ctx.params.tenantId!);
    ctx.body = { items: await store.listTenantMembers(ctx.params.tenantId!) };
  });

  routes.post(
    '/api/v1/admin/tenants/:tenantId/members',
    {
      access: 'tenant-admin',
      summary:
        'Tenant admins: invite an email address (202, the same answer whether it has an account; a member only once the invitee accepts). Platform admins: add an existing user, or a new one with a password (201)',
      body: addMemberSchema,
    },
    async (ctx, input) => {
      const tenantId = ctx.params.tenantId!;
      const body = input.body<{ email: string; role: Role; password?: string }>();
      notAbove(ctx, body.role);
      const tenant = await tenantOrThrow(tenantId);
      const members = await store.listTenantMembers(tenantId);
      const limit = quotaOf(tenant.settings, 'maxUsers');
      const principal = ctx.state.principal!;
      if (!principal.platformAdmin) {
        // Tenant admins invite (issue #10, finding 8): the address's owner accepts, and until then nothing about the
        // account is touched or told — the answer is the same whether the address has an account or not. Whether it is
        // already a member here is no secret to this tenant's admin (the member list shows it).
        if (body.password !== undefined) throw VvError.validation([{ pointer: '/password', message: 'is chosen by the invitee when accepting the invitation' }]);
        if (members.some((m) => m.email.toLowerCase() === body.email.toLowerCase()))
          throw new VvError('VV_CONFLICT', { detail: `${body.email} is already a member of "${tenantId}"` });
        if (limit !== undefined && members.length >= limit) throw new VvError('VV_QUOTA_EXCEEDED', { params: { tenant: tenantId, limit, what: 'users' } });
        const invitedBy = principal.user.kind === 'api-key' ? `apikey:${principal.user.id}` : principal.user.id;
        const invitation = await deps.invitations.invite(tenant, body.email, body.role, invitedBy);
        await auditor.record({ action: 'member.invited', tenantId, target: `invitation:${invitation.id}`, after: invitation }, ctx);
        ctx.status = 202;
        ctx.body = { status: 'invited', invitation };
        return;
      }
      // Platform admins (the operator) add directly: an existing account, or a new one with the password given.
      let user = await store.findUserByEmail(body.email);
      if (user && members.some((m) => m.userId === user!.id)) throw new VvError('VV_CONFLICT', { detail: `${body.email} is already a member of "${tenantId}"` });
      if (limit !== undefined && members.length >= limit) throw new VvError('VV_QUOTA_EXCEEDED', { params: { tenant: tenantId, limit, what: 'users' } });
      if (!user) {
        if (!body.password) throw VvError.validation([{ pointer: '/password', message: 'a new user needs a password (at least 12 characters)' }]);
        user = await store.createUser({ id: `u-${randomUUID()}`, email: body.email, passwordHash: await deps.hashPassword(body.password), platformAdmin: false });
      }
      await store.setMembership({ userId: user.id, tenantId, role: body.role });
      const member = { userId: user.id, tenantId, role: body.role, email: user.email };
      await auditor.record({ action: 'member.added', tenantId, target: `user:${user.id}`, after: member }, ctx);
      ctx.status = 201;
      ctx.body = member;
    },
  );

  routes.patch('/api/v1/admin/tenants/:tenantId/members/:userId', { access: 'tenant-admin', summary: "Change a member's role", body: memberRoleSchema }, async (ctx, input) => {
    const tenantId = ctx.params.tenantId!;
    const { role } = input.body<{ role: Role }>();
    notAbove(ctx, role);
    const before = (await store.listTenantMembers(tenantId)).find((m) => m.userId === ctx.params.userId);
    if (!before) throw new VvError('VV_NOT_FOUND', { params: { reason: `No member "${ctx.params.userId}" in tenant "${tenantId}"` } });
    notAbove(ctx, before.role);
    await store.setMembership({ userId: before.userId, tenantId, role });
    // A promotion needs no revocation: the old token asks for less than the user now has.
    if (!hasRole(role, before.role)) await endSessionsOf(before.userId);
    await auditor.record({ action: 'member.role-changed', tenantId, target: `user:${before.userId}`, before, after: { ...before, role } }, ctx);
    ctx.body = { ...before, role };
  });

  routes.delete('/api/v1/admin/tenants/:tenantId/members/:userId', { access: 'tenant-admin', summary: 'Remove a member from the tenant' }, async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    const before = (await store.listTenantMembers(tenantId)).find((m) => m.userId === ctx.params.userId);
    if (!before) throw new VvError('VV_NOT_FOUND', { params: { reason: `No member "${ctx.params.userId}" in tenant "${tenantId}"` } });
    notAbove(ctx, before.role);
    await store.removeMembership(before.userId, tenantId);
    await endSessionsOf(before.userId);
    await auditor.record({ action: 'member.removed', tenantId, target: `user:${before.userId}`, before }, ctx);
    ctx.status = 204;
  });

  // Disabling ends every session of the user on every instance (tokens, streams) and refuses sign-in and refresh;
  // enabling lets the user sign in again (old tokens stay ended).
  routes.patch(
    '/api/v1/admin/users/:userId',
    {
      access: 'platform-admin',
      summary: 'Disable (or enable again) a user account: disabling ends its sessions and event streams everywhere and refuses sign-in',
      body: userStatusSchema,
    },
    async (ctx, input) => {
      const { disabled } = input.body<{ disabled: boolean }>();
      const user = await store.getUser(ctx.params.userId!);
      if (!user) throw new VvError('VV_NOT_FOUND', { params: { reason: `No user "${ctx.params.userId}"` } });
      if (disabled && user.id === ctx.state.principal!.user.id) throw new VvError('VV_CONFLICT', { detail: 'You cannot disable your own account' });
      const state = await identityStore.setUserDisabled(user.id, disabled);
      await accessChanged({ kind: 'user', id: user.id });
      await auditor.record({ action: disabled ? 'user.disabled' : 'user.enabled', target: `user:${user.id}` }, ctx);
      ctx.body = { id: user.id, email: user.email, platformAdmin: user.platformAdmin, disabled: state.disabled };
    },
  );

  return routes.routes;
}
