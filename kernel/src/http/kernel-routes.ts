import { auditRoutes } from '../audit/audit-routes';
import type { CoreServices } from '../di/core-services';
import type { EventStreamRoutes } from '../events/event-stream-routes';
import { authRoutes } from '../identity/auth-routes';
import type { Identity } from '../identity/identity';
import { identityRoutes } from '../identity/identity-routes';
import { invitationRoutes } from '../identity/invitation-routes';
import { meRoutes } from '../identity/me-routes';
import { jobRoutes } from '../jobs/job-routes';
import type { KernelOptions } from '../kernel-options';
import { systemRoutes } from '../observability/system-routes';
import type { PluginSets } from '../plugin-sets/plugin-sets';
import { pluginSetRoutes } from '../plugin-sets/plugin-set-routes';
import { tenantBrandingRoutes } from '../tenancy/tenant-branding';
import { tenantRoutes } from '../tenancy/tenant-routes';
import type { CorsPolicy } from './cors-policy';
import type { InstallService } from '../installs/install-service';
import type { InstallStore } from '../installs/install-store';
import type { PackageCodec } from '../installs/package-codec';
import { installRoutes } from '../installs/install-routes';
import type { DataLifecycle } from '../privacy/data-lifecycle';
import { dataLifecycleRoutes } from '../privacy/data-lifecycle-routes';
import type { KeyRotation } from '../keys/key-rotation';
import { keyRoutes } from '../keys/key-routes';
import type { KernelRoute } from './kernel-route';

/** Every route the kernel itself serves, each declared once in its feature's `*-routes.ts`. */
export function kernelRoutes(
  options: KernelOptions,
  parts: {
    core: CoreServices;
    identity: Identity;
    plugins: PluginSets;
    cors: CorsPolicy;
    stream: EventStreamRoutes;
    system: Parameters<typeof systemRoutes>[0];
    installs: { service: InstallService; store: InstallStore; codec?: PackageCodec };
    dataLifecycle: DataLifecycle;
    keys: { rotation?: KeyRotation; startReseal: () => Promise<void> };
  },
): KernelRoute[] {
  const { core, identity, plugins, cors, stream } = parts;
  const { store } = options;
  const { auditor } = core;
  const onTenantChanged = (tenantId: string) => identity.access.publish({ kind: 'tenant', id: tenantId });
  return [
    ...systemRoutes(parts.system),
    ...authRoutes({ store, hasher: identity.passwords, tokens: identity.tokens, identity: identity.identity, auditor, throttle: identity.throttle }),
    ...meRoutes({
      store,
      catalog: plugins.catalog,
      identityStore: identity.identityStore,
      identity: identity.identity,
      auditor,
      throttle: identity.throttle,
      passwords: identity.passwords,
      onAccessChanged: (change) => identity.access.publish(change),
    }),
    ...tenantRoutes({ store, auditor, cors, onTenantChanged }),
    ...tenantBrandingRoutes({ store, auditor, onTenantChanged }),
    ...pluginSetRoutes({ catalog: plugins.catalog, pluginSets: plugins.pluginSets, auditor, onTenantChanged }),
    ...identityRoutes({
      store,
      identityStore: identity.identityStore,
      identity: identity.identity,
      auditor,
      hashPassword: (password) => identity.passwords.hash(password),
      onAccessChanged: (change) => identity.access.publish(change),
      invitations: identity.invitations,
    }),
    ...invitationRoutes({ store, invitations: identity.invitationStore, service: identity.invitations, auditor }),
    ...auditRoutes({ store, audit: core.auditStore }),
    ...jobRoutes({ jobs: core.jobs, auditor }),
    ...installRoutes({ installs: parts.installs.service, store: parts.installs.store, codec: parts.installs.codec, auditor }),
    ...dataLifecycleRoutes({ lifecycle: parts.dataLifecycle, auditor }),
    ...keyRoutes({ ...parts.keys, auditor }),
    ...stream.routes,
  ];
}
