import type { Context } from 'koa';
import { VvError, type JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { KernelRouteList, type KernelRoute, type KernelRouteInput } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { PluginCatalog } from '../plugin-sets/plugin-catalog';
import type { TenantView } from '../plugin-sets/plugin-set-cache';
import type { KernelStore, UserProfile } from '../tenancy/kernel-store';
import type { AccessChange } from './access-changes';
import { attemptKeys, type AttemptThrottle } from './attempt-throttle';
import type { IdentityStore } from './identity-store';
import type { IdentityService } from './identity-service';
import { checkUserProfile, userProfileResponse, userProfileSchema } from './user-profile';

const recoveryCodesResponse: JsonSchema = {
  type: 'object',
  required: ['recoveryCodes'],
  properties: { recoveryCodes: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9]{5}-[a-z0-9]{5}$' } } },
};

export const totpCodeSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code'],
  properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } },
};

export const changePasswordSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['currentPassword', 'newPassword'],
  properties: { currentPassword: { type: 'string', minLength: 1, maxLength: 1024 }, newPassword: { type: 'string', minLength: 12, maxLength: 1024 } },
};

/**
 * The caller about themselves: `GET /api/v1/me`, the second factor (`/api/v1/me/totp…`) and `POST
 * /api/v1/me/password`.
 */
export function meRoutes(deps: {
  store: KernelStore;
  catalog: PluginCatalog;
  identityStore: IdentityStore;
  identity: IdentityService;
  auditor: Auditor;
  /** Brute-force protection of the second-factor codes and of the current password on a password change. */
  throttle: AttemptThrottle;
  passwords: { hash(password: string): Promise<string>; verify(password: string, stored: string): Promise<boolean> };
  /** Tells every instance that the user's sessions ended (after a password change). */
  onAccessChanged?: (change: AccessChange) => Promise<void>;
}): KernelRoute[] {
  const { store, catalog, identityStore, identity, auditor } = deps;
  const routes = new KernelRouteList();

  routes.get('/api/v1/me', { access: 'self', summary: "The caller, its tenant, and the tenant's enabled plugins" }, (ctx) => {
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

  const currentUser = async (ctx: { state: RequestState }, what = 'have no second factor') => {
    const principal = ctx.state.principal!;
    if (principal.user.kind !== 'user') throw new VvError('VV_FORBIDDEN', { params: { reason: `API keys ${what}` } });
    const user = await store.getUser(principal.user.id);
    if (!user) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'The user no longer exists' } });
    return user;
  };

  // The caller's profile: what messages addressed to them use (notifications' name, template locale and quiet-hours
  // zone, through core.directory). Not per tenant: a person has one name, language and clock.
  routes.get('/api/v1/me/profile', { access: 'self', summary: "The caller's display name, locale (BCP 47) and time zone (IANA)", response: userProfileResponse }, async (ctx) => {
    const user = await currentUser(ctx, 'have no profile');
    ctx.body = (await store.getUserProfile(user.id)) ?? { displayName: null, locale: null, timeZone: null };
  });

  routes.put(
    '/api/v1/me/profile',
    {
      access: 'self',
      summary: "Set the caller's display name, locale (BCP 47, stored canonical) and time zone (IANA); null or blank clears one",
      body: userProfileSchema,
      response: userProfileResponse,
    },
    async (ctx, input) => {
      const user = await currentUser(ctx, 'have no profile');
      const profile = checkUserProfile(input.body<UserProfile>());
      const before = await store.getUserProfile(user.id);
      if (!(await store.setUserProfile(user.id, profile))) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'The user no longer exists' } });
      await auditor.record({ action: 'user.profile-changed', target: `user:${user.id}`, before, after: profile }, ctx);
      ctx.body = profile;
    },
  );

  routes.get('/api/v1/me/totp', { access: 'self', summary: "Whether the caller's TOTP second factor is on or pending" }, async (ctx) => {
    const user = await currentUser(ctx);
    const record = await identityStore.getTotp(user.id);
    const enabled = record?.enabled === true;
    ctx.body = { enabled, pending: record !== undefined && !record.enabled, recoveryCodesLeft: enabled ? await identity.recoveryCodesLeft(user.id) : 0 };
  });

  routes.post('/api/v1/me/totp', { access: 'self', summary: 'Start TOTP enrolment: a new secret and its otpauth:// URI' }, async (ctx) => {
    const user = await currentUser(ctx);
    ctx.body = await identity.enrolTotp(user);
    ctx.status = 201;
  });

  /** A code check under the same throttle as sign-in: the account and the client address. */
  const checkCode = async (
    ctx: Context & { state: RequestState },
    input: KernelRouteInput,
    user: { id: string; email: string },
    change: 'enable' | 'disable' | 'recovery-codes',
  ) => {
    const code = input.body<{ code: string }>().code;
    const keys = attemptKeys(user.id, user.email, ctx.ip);
    await deps.throttle.check(keys);
    let codes: string[] | undefined;
    try {
      codes = await identity.confirmTotp(user.id, code, change);
    } catch (error) {
      if ((error as VvError).code === 'VV_VALIDATION')
        await deps.throttle.fail(keys, { factor: 'code', action: 'auth.code-failed', userId: user.id, email: user.email.toLowerCase() }, ctx);
      throw error;
    }
    await deps.throttle.succeed(keys);
    return codes;
  };

  routes.post(
    '/api/v1/me/totp/confirm',
    { access: 'self', summary: 'Turn TOTP on with a current code; answers 10 single-use recovery codes, shown this once', body: totpCodeSchema, response: recoveryCodesResponse },
    async (ctx, input) => {
      const user = await currentUser(ctx);
      const recoveryCodes = await checkCode(ctx, input, user, 'enable');
      await auditor.record({ action: 'auth.totp-enabled', target: `user:${user.id}` }, ctx);
      await auditor.record({ action: 'auth.recovery-codes-generated', target: `user:${user.id}`, after: { count: recoveryCodes!.length } }, ctx);
      ctx.body = { recoveryCodes };
    },
  );

  routes.post(
    '/api/v1/me/totp/recovery-codes',
    {
      access: 'self',
      summary: 'Replace the recovery codes with 10 new ones (a current TOTP code is needed); the old ones stop working',
      body: totpCodeSchema,
      response: recoveryCodesResponse,
    },
    async (ctx, input) => {
      const user = await currentUser(ctx);
      const recoveryCodes = await checkCode(ctx, input, user, 'recovery-codes');
      await auditor.record({ action: 'auth.recovery-codes-generated', target: `user:${user.id}`, after: { count: recoveryCodes!.length } }, ctx);
      ctx.body = { recoveryCodes };
    },
  );

  routes.post('/api/v1/me/totp/disable', { access: 'self', summary: 'Turn TOTP off with a current code', body: totpCodeSchema }, async (ctx, input) => {
    const user = await currentUser(ctx);
    await checkCode(ctx, input, user, 'disable');
    await auditor.record({ action: 'auth.totp-disabled', target: `user:${user.id}` }, ctx);
    ctx.status = 204;
  });

  // The current password proves it is the account's owner at the keyboard (not a borrowed session), under the
  // sign-in throttle. Every session of the user ends, this one too: the console signs in again with the new one.
  routes.post(
    '/api/v1/me/password',
    { access: 'self', summary: "Change the caller's password (the current one confirms); ends every session of the user", body: changePasswordSchema },
    async (ctx, input) => {
      const user = await currentUser(ctx);
      const body = input.body<{ currentPassword: string; newPassword: string }>();
      const keys = attemptKeys(user.id, user.email, ctx.ip);
      await deps.throttle.check(keys);
      if (!(await deps.passwords.verify(body.currentPassword, user.passwordHash))) {
        await deps.throttle.fail(keys, { factor: 'password', action: 'auth.password-change-failed', userId: user.id, email: user.email.toLowerCase() }, ctx);
        throw VvError.validation([{ pointer: '/currentPassword', message: 'is not your current password' }]);
      }
      await deps.throttle.succeed(keys);
      if (body.newPassword === body.currentPassword) throw VvError.validation([{ pointer: '/newPassword', message: 'must differ from the current password' }]);
      await store.setPasswordHash(user.id, await deps.passwords.hash(body.newPassword));
      await identityStore.revokeRefreshTokensOf(user.id);
      await identityStore.bumpSessionVersion(user.id);
      await deps.onAccessChanged?.({ kind: 'user', id: user.id });
      await auditor.record({ action: 'auth.password-changed', target: `user:${user.id}` }, ctx);
      ctx.status = 204;
    },
  );

  return routes.routes;
}
