const PUBLISH = 'events.publish:';

/**
 * The permissions an operator must approve at install, by the kernel's rule (kernel/src/installs/publish-grants.ts):
 * every `events.publish:<pattern>` outside the plugin's own namespace (`<id>.…`), `*` included. These are what
 * `approvePermissions` carries; the rest of what a plugin asks for is shown for information.
 */
export function permissionsNeedingApproval(pluginId: string, permissions: readonly string[]): string[] {
  return permissions.filter((p) => p.startsWith(PUBLISH) && !p.slice(PUBLISH.length).startsWith(`${pluginId}.`));
}
