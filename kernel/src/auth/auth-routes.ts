import { Router } from '@koa/router';
import { VvError } from '@valueverse/plugin-sdk';
import { bodyOf } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { SchemaValidator } from '../http/schema-validator';
import type { KernelStore } from '../tenancy/kernel-store';
import type { PasswordHasher } from './password-hasher';
import type { TokenService } from './token-service';

interface LoginBody {
  email: string;
  password: string;
  tenantId?: string;
}

/** POST /api/v1/auth/login and GET /.well-known/jwks.json: the routes that need no token. */
export function authRoutes(store: KernelStore, hasher: PasswordHasher, tokens: TokenService, validator: SchemaValidator): Router<RequestState> {
  const router = new Router<RequestState>();
  const loginBody = bodyOf<LoginBody>(validator, {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password'],
    properties: { email: { type: 'string', minLength: 3, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 1024 }, tenantId: { type: 'string' } },
  });
  // A hash to compare against when the user does not exist, so response time does not reveal which emails exist.
  const decoy = hasher.hash('decoy-password-for-timing');

  router.post('/api/v1/auth/login', async (ctx) => {
    const body = loginBody(ctx);
    const user = await store.findUserByEmail(body.email);
    const ok = await hasher.verify(body.password, user?.passwordHash ?? (await decoy));
    if (!user || !ok) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'Email or password is wrong' } });
    const memberships = await store.listMemberships(user.id);
    const tenants = await Promise.all(memberships.map(async (m) => ({ id: m.tenantId, name: (await store.getTenant(m.tenantId))?.name ?? m.tenantId, role: m.role })));
    if (user.platformAdmin && tenants.length === 0) {
      for (const t of await store.listTenants()) tenants.push({ id: t.id, name: t.name, role: 'platform-admin' });
    }
    const chosen = body.tenantId ? tenants.find((t) => t.id === body.tenantId) : tenants[0];
    if (!chosen) {
      if (body.tenantId && user.platformAdmin && (await store.getTenant(body.tenantId))) {
        tenants.push({ id: body.tenantId, name: body.tenantId, role: 'platform-admin' });
      } else {
        throw new VvError(body.tenantId ? 'VV_TENANT_UNKNOWN' : 'VV_FORBIDDEN', { params: { tenant: body.tenantId, reason: 'This user belongs to no tenant' } });
      }
    }
    const tenant = chosen ?? tenants[tenants.length - 1]!;
    const accessToken = await tokens.issue({ sub: user.id, tid: tenant.id, role: user.platformAdmin ? 'platform-admin' : tenant.role, email: user.email, pa: user.platformAdmin });
    ctx.body = {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: tokens.expiresIn,
      user: { id: user.id, email: user.email, platformAdmin: user.platformAdmin },
      tenant: { id: tenant.id, name: tenant.name, role: user.platformAdmin ? 'platform-admin' : tenant.role },
      tenants,
    };
  });

  router.get('/.well-known/jwks.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = tokens.jwks();
  });
  return router;
}
