import type { Auditor } from '../audit/auditor';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
import { requireKeyRotation, type KeyRotation } from './key-rotation';

/**
 * `/api/v1/admin/keys…` (platform admins): the signing key ring and the encryption keys' re-seal progress; rotate the
 * signing key now; re-seal secrets with the newest encryption key now.
 */
export function keyRoutes(deps: { rotation?: KeyRotation; auditor: Auditor; startReseal: () => Promise<void> }): KernelRoute[] {
  const { auditor } = deps;
  const routes = new KernelRouteList();

  routes.get(
    '/api/v1/admin/keys',
    { access: 'platform-admin', summary: 'Signing keys (which signs, when each retires) and the encryption keys’ re-seal progress' },
    async (ctx) => {
      ctx.body = await requireKeyRotation(deps.rotation).status();
    },
  );

  routes.post(
    '/api/v1/admin/keys/signing/rotate',
    { access: 'platform-admin', summary: 'Add a signing key (it signs once every instance knows it); older keys retire after their last tokens expire' },
    async (ctx) => {
      const status = await requireKeyRotation(deps.rotation).rotateSigningKey();
      await auditor.record({ action: 'keys.signing-rotated', target: 'keys:signing', after: { keys: status.signing } }, ctx);
      ctx.body = status;
    },
  );

  routes.post(
    '/api/v1/admin/keys/reseal',
    { access: 'platform-admin', summary: 'Re-seal every secret with the newest encryption key (a job); poll GET /api/v1/admin/keys' },
    async (ctx) => {
      requireKeyRotation(deps.rotation);
      await deps.startReseal();
      await auditor.record({ action: 'keys.reseal-started', target: 'keys:encryption' }, ctx);
      ctx.status = 202;
      ctx.body = await deps.rotation!.status();
    },
  );

  return routes.routes;
}
