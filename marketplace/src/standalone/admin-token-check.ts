import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * The standalone registry's admin check: `Authorization: Bearer <VV_MARKETPLACE_ADMIN_TOKEN>`, compared in constant
 * time (over SHA-256 digests, so lengths do not leak either). Without a configured token nobody is admin.
 */
export function adminTokenCheck(adminToken: string | undefined): (ctx: Context) => Promise<void> {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return async (ctx: Context) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
    if (!match) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'This route needs the registry admin token or a publisher token as a bearer credential' } });
    if (!expected) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'This registry has no admin (VV_MARKETPLACE_ADMIN_TOKEN is not set)' } });
    if (!timingSafeEqual(digest(match[1]!), expected)) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'The admin token is not valid' } });
  };
}
