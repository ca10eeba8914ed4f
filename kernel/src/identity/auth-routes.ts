import { VvError, type JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
import type { IdentityService } from './identity-service';
import type { KernelStore } from '../tenancy/kernel-store';
import { attemptKeys, type AttemptThrottle } from './attempt-throttle';
import type { PasswordHasher } from './password-hasher';
import type { TokenService } from './token-service';

interface LoginBody {
  email: string;
  password: string;
  totp?: string;
  recoveryCode?: string;
  tenantId?: string;
}

const refreshTokenSchema = { type: 'string', minLength: 8, maxLength: 200 } as const;

export const loginSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', minLength: 3, maxLength: 320 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
    totp: { type: 'string', pattern: '^[0-9]{6}$' },
    recoveryCode: { type: 'string', minLength: 10, maxLength: 20, description: 'A TOTP recovery code, in place of `totp`; each works once' },
    tenantId: { type: 'string', minLength: 1, maxLength: 63 },
  },
};

export const refreshSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['refreshToken'],
  properties: { refreshToken: refreshTokenSchema, tenantId: { type: 'string', minLength: 1, maxLength: 63 } },
};

export const logoutSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['refreshToken'],
  properties: { refreshToken: refreshTokenSchema },
};

/** The routes that need no access token: sign-in, refresh, sign-out, and the JWKS. */
export function authRoutes(deps: {
  store: KernelStore;
  hasher: PasswordHasher;
  tokens: TokenService;
  identity: IdentityService;
  auditor: Auditor;
  throttle: AttemptThrottle;
}): KernelRoute[] {
  const { store, hasher, tokens, identity, auditor, throttle } = deps;
  const routes = new KernelRouteList();
  // Unknown emails cost a hash too, so timing does not tell which accounts exist.
  const decoy = hasher.hash('decoy-password-for-timing');

  routes.post(
    '/api/v1/auth/login',
    {
      access: 'public',
      summary:
        'Sign in with email and password (and a TOTP code when the user has one); returns access and refresh tokens; 429 VV_TOO_MANY_ATTEMPTS with Retry-After while the account or client address is locked out',
      body: loginSchema,
    },
    async (ctx, input) => {
      const body = input.body<LoginBody>();
      const user = await store.findUserByEmail(body.email);
      const email = body.email.toLowerCase();
      const keys = attemptKeys(user?.id, email, ctx.ip);
      // Before the password is looked at: while locked, the right password is refused too.
      await throttle.check(keys);
      const ok = await hasher.verify(body.password, user?.passwordHash ?? (await decoy));
      if (!user || !ok) {
        await throttle.fail(keys, { factor: 'password', action: 'auth.sign-in-failed', userId: user?.id ?? null, email }, ctx);
        throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'Email or password is wrong' } });
      }
      let second: { recoveryCodesLeft?: number };
      try {
        second = await identity.checkSecondFactor(user, body.totp, body.recoveryCode);
      } catch (error) {
        // A wrong recovery code counts towards the same limits as a wrong TOTP code or password.
        if ((error as VvError).code !== 'VV_MFA_REQUIRED')
          await throttle.fail(keys, { factor: body.recoveryCode === undefined ? 'totp' : 'recovery-code', action: 'auth.sign-in-failed', userId: user.id, email }, ctx);
        throw error;
      }
      await throttle.succeed(keys);
      const session = await identity.openSession(user, body.tenantId);
      if (second.recoveryCodesLeft !== undefined)
        await auditor.record(
          { action: 'auth.recovery-code-used', actor: user.id, tenantId: session.tenant.id, target: `user:${user.id}`, after: { left: second.recoveryCodesLeft } },
          ctx,
        );
      await auditor.record({ action: 'auth.signed-in', actor: user.id, tenantId: session.tenant.id, target: `user:${user.id}` }, ctx);
      ctx.body = session;
    },
  );

  routes.post(
    '/api/v1/auth/refresh',
    {
      access: 'public',
      summary: 'Rotate a refresh token; presenting a spent one revokes every token of that sign-in; a tenant the user is not in is refused before the token is spent',
      body: refreshSchema,
    },
    async (ctx, input) => {
      const body = input.body<{ refreshToken: string; tenantId?: string }>();
      ctx.body = await identity.refresh(body.refreshToken, body.tenantId, { requestId: ctx.state.requestId, ip: ctx.ip });
    },
  );

  routes.post('/api/v1/auth/logout', { access: 'public', summary: "Sign out: revoke the refresh token's family", body: logoutSchema }, async (ctx, input) => {
    const body = input.body<{ refreshToken: string }>();
    const ended = await identity.logout(body.refreshToken);
    if (ended) await auditor.record({ action: 'auth.signed-out', actor: ended.userId, tenantId: ended.tenantId, target: `user:${ended.userId}` }, ctx);
    ctx.status = 204;
  });

  routes.get('/.well-known/jwks.json', { access: 'public', summary: 'Public keys (EdDSA) that sign access tokens' }, (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = tokens.jwks();
  });
  return routes.routes;
}
