import { randomUUID } from 'node:crypto';
import type { Kernel } from '@valueverse/kernel';

export const DEMO_TENANT = 'demo';

/**
 * On the first boot (no users yet): a platform admin, a demo tenant with every running plugin enabled, and the
 * admin as that tenant's admin. Returns who was seeded, or undefined on later boots; the password is not returned
 * (the caller prints it only if it generated it).
 *
 * AI providers are left off: each talks to an outside service that needs an address and usually a key, so an admin
 * enables one with its configuration; until then value-architect uses its driver library.
 */
export async function seedFirstBoot(kernel: Kernel, options: { adminEmail: string; adminPassword: string }): Promise<{ email: string; tenantId: string } | undefined> {
  if (await kernel.store.findUserByEmail(options.adminEmail)) return undefined;
  if (!(await kernel.store.getTenant(DEMO_TENANT))) await kernel.store.createTenant({ id: DEMO_TENANT, name: 'Demo Company' });
  const user = await kernel.store.createUser({
    id: randomUUID(),
    email: options.adminEmail,
    passwordHash: await kernel.passwords.hash(options.adminPassword),
    platformAdmin: true,
  });
  await kernel.store.setMembership({ userId: user.id, tenantId: DEMO_TENANT, role: 'tenant-admin' });
  for (const plugin of kernel.plugins()) {
    if (plugin.state !== 'running' || plugin.manifest.provides?.includes('ai.chat')) continue;
    try {
      await kernel.pluginSets.change(DEMO_TENANT, plugin.id, { enabled: true }, { cascade: true });
    } catch (error) {
      kernel.logger.warn({ err: error, plugin: plugin.id }, `could not enable "${plugin.id}" for the demo tenant`);
    }
  }
  kernel.invalidateTenant(DEMO_TENANT);
  return { email: options.adminEmail, tenantId: DEMO_TENANT };
}
