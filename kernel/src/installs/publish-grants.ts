import type { PluginManifest } from '@valueverse/plugin-sdk';

const PUBLISH = 'events.publish:';

/** Whether an event pattern stays inside a plugin's namespace (`<id>.…`); `*` and other prefixes do not. */
export function insideNamespace(pattern: string, pluginId: string): boolean {
  return pattern.startsWith(`${pluginId}.`);
}

/**
 * The permissions of an installed package that an operator must approve at install (`approvePermissions`): every
 * `events.publish:<pattern>` outside the plugin's own namespace, `events.publish:*` included.
 */
export function permissionsNeedingApproval(manifest: PluginManifest): string[] {
  return (manifest.permissions ?? []).filter((p) => p.startsWith(PUBLISH) && !insideNamespace(p.slice(PUBLISH.length), manifest.id));
}

/** The `events.publish` patterns an installed package may use: those it declares inside its namespace, and the approved others. */
export function grantedPublishPatterns(manifest: PluginManifest, approved: readonly string[]): string[] {
  return (manifest.permissions ?? [])
    .filter((p) => p.startsWith(PUBLISH))
    .filter((p) => insideNamespace(p.slice(PUBLISH.length), manifest.id) || approved.includes(p))
    .map((p) => p.slice(PUBLISH.length));
}
