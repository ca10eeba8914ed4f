import { randomUUID } from 'node:crypto';
import { Router } from '@koa/router';
import { roles, VvError, type Role, type JsonSchema } from '@valueverse/plugin-sdk';
import type { AccessChange } from './access-changes';
import type { Auditor } from '../audit/auditor';
import { hasRole } from './role-rank';
import { bodyOf, requireRole, requireTenantAccess } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { SchemaValidator } from '../http/schema-validator';
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
  validator: SchemaValidator;
  hashPassword: (password: string) => Promise<string>;
  /** Tells every instance that access was taken away (a key revoked, a member demoted or removed). */
  onAccessChanged?: (change: AccessChange) => Promise<void>;
  /** What `POST …/members` of a tenant admin does: invite (invitation-service.ts). */
  invitations: InvitationService;
}): Router<RequestState> {
  const { store, identityStore, identity, auditor, validator } = deps;
  const accessChanged = deps.onAccessChanged ?? (async () => {});
  /** The user's tokens stop working everywhere (their role or membership shrank); a refresh gets the new role. */
  const endSessionsOf = async (userId: string) => {
    await identityStore.bumpSessionVersion(userId);
    await accessChanged({ kind: 'user', id: userId });
  };
  const router = new Router<RequestState>({ prefix: '/api/v1' });
  const keyBody = bodyOf<{ name: string; role: Role }>(validator, createApiKeySchema);

  router.get('/admin/tenants/:tenantId/api-keys', async (ctx) => {
    requireTenantAccess(ctx, ctx.params.tenantId!, 'tenant-admin');
    if (!(await store.getTenant(ctx.params.tenantId!))) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: ctx.params.tenantId } });
    ctx.body = { items: (await identityStore.listApiKeys(ctx.params.tenantId!)).map(publicKey) };
  });

  router.post('/admin/tenants/:tenantId/api-keys', async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    requireTenantAccess(ctx, tenantId, 'tenant-admin');
    const body = keyBody(ctx);
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
  });

  router.delete('/admin/tenants/:tenantId/api-keys/:keyId', async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    requireTenantAccess(ctx, tenantId, 'tenant-admin');
    if (!(await identityStore.revokeApiKey(tenantId, ctx.params.keyId!))) {
      throw new VvError('VV_NOT_FOUND', { params: { reason: `No live API key "${ctx.params.keyId}" in tenant "${tenantId}"` } });
    }
    await accessChanged({ kind: 'api-key', id: ctx.params.keyId! });
    await auditor.record({ action: 'api-key.revoked', tenantId, target: `api-key:${ctx.params.keyId}` }, ctx);
    ctx.status = 204;
  });

  const memberBody = bodyOf<{ email: string; role: Role; password?: string }>(validator, addMemberSchema);
  const roleBody = bodyOf<{ role: Role }>(validator, memberRoleSchema);
  const tenantOrThrow = async (tenantId: string) => {
    const tenant = await store.getTenant(tenantId);
    if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
    return tenant;
  };
  const notAbove = (ctx: { state: RequestState }, role: Role) => {
    const own = ctx.state.principal!.user.role;
    if (!hasRole(own, role)) throw new VvError('VV_FORBIDDEN', { params: { reason: `You cannot grant a role stronger than your own ("${own}")` } });
  };

  router.get('/admin/tenants/:tenantId/members', async (ctx) => {
    requireTenantAccess(ctx, ctx.params.tenantId!, 'tenant-admin');
    await tenantOrThrow(ctx.params.tenantId!);
    ctx.body = { items: await store.listTenantMembers(ctx.params.tenantId!) };
  });

  router.post('/admin/tenants/:tenantId/members', async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    requireTenantAccess(ctx, tenantId, 'tenant-admin');
    const body = memberBody(ctx);
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
      if (members.some((m) => m.email.toLowerCase() === body.email.toLowerCase())) throw new VvError('VV_CONFLICT', { detail: `${body.email} is already a member of "${tenantId}"` });
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
  });

  router.patch('/admin/tenants/:tenantId/members/:userId', async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    requireTenantAccess(ctx, tenantId, 'tenant-admin');
    const { role } = roleBody(ctx);
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

  router.delete('/admin/tenants/:tenantId/members/:userId', async (ctx) => {
    const tenantId = ctx.params.tenantId!;
    requireTenantAccess(ctx, tenantId, 'tenant-admin');
    const before = (await store.listTenantMembers(tenantId)).find((m) => m.userId === ctx.params.userId);
    if (!before) throw new VvError('VV_NOT_FOUND', { params: { reason: `No member "${ctx.params.userId}" in tenant "${tenantId}"` } });
    notAbove(ctx, before.role);
    await store.removeMembership(before.userId, tenantId);
    await endSessionsOf(before.userId);
    await auditor.record({ action: 'member.removed', tenantId, target: `user:${before.userId}`, before }, ctx);
    ctx.status = 204;
  });

  const statusBody = bodyOf<{ disabled: boolean }>(validator, userStatusSchema);
  // Disabling ends every session of the user on every instance (tokens, streams) and refuses sign-in and refresh;
  // enabling lets the user sign in again (old tokens stay ended).
  router.patch('/admin/users/:userId', async (ctx) => {
    requireRole(ctx, 'platform-admin');
    const { disabled } = statusBody(ctx);
    const user = await store.getUser(ctx.params.userId!);
    if (!user) throw new VvError('VV_NOT_FOUND', { params: { reason: `No user "${ctx.params.userId}"` } });
    if (disabled && user.id === ctx.state.principal!.user.id) throw new VvError('VV_CONFLICT', { detail: 'You cannot disable your own account' });
    const state = await identityStore.setUserDisabled(user.id, disabled);
    await accessChanged({ kind: 'user', id: user.id });
    await auditor.record({ action: disabled ? 'user.disabled' : 'user.enabled', target: `user:${user.id}` }, ctx);
    ctx.body = { id: user.id, email: user.email, platformAdmin: user.platformAdmin, disabled: state.disabled };
  });

  return router;
}
