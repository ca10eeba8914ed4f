import { VvError, type PluginManifest, type ServiceRef } from '@valueverse/plugin-sdk';

/**
 * Which manifest entry justifies each core service. A plugin that depends on a ref its manifest does not justify
 * fails setup with VV_SERVICE_NOT_DECLARED: permissions are reviewed from the manifest alone, never from code.
 */
const coreRequirements: Readonly<Record<string, (m: PluginManifest) => string | undefined>> = {
  'core.logger': () => undefined,
  'core.config': () => undefined,
  'core.context': () => undefined,
  'core.metadata': () => undefined,
  'core.metrics': () => undefined,
  'core.secrets': () => undefined,
  'core.plugins': () => undefined,
  'core.branding': () => undefined,
  'core.http': (m) => ((m.routes ?? []).length > 0 ? undefined : 'the manifest declares no "routes"'),
  'core.db': (m) => (m.permissions?.includes('db') ? undefined : 'the manifest lacks permission "db"'),
  'core.jobs': (m) => (m.permissions?.includes('jobs') ? undefined : 'the manifest lacks permission "jobs"'),
  'core.audit': (m) => (m.permissions?.includes('audit') ? undefined : 'the manifest lacks permission "audit"'),
  'core.outbound': (m) => (m.permissions?.includes('http.outbound') ? undefined : 'the manifest lacks permission "http.outbound"'),
  'core.directory': (m) => (m.permissions?.includes('directory') ? undefined : 'the manifest lacks permission "directory"'),
  'core.events': (m) => (m.permissions?.some((p) => p.startsWith('events.')) ? undefined : 'the manifest lacks an "events.publish:" or "events.subscribe:" permission'),
};

/** True for the refs the kernel itself provides. */
export function isCoreRef(ref: ServiceRef<unknown>): boolean {
  return ref.id.startsWith('core.');
}

/**
 * Checks that `manifest` justifies depending on `ref`. `providerId` is the plugin whose manifest `provides` the ref
 * (undefined when none is installed). Required refs need the provider under `requires`; optional refs under
 * `requires` or `optional`. A multi-provider ref names no provider: the manifest lists the ref id under `uses`.
 */
export function assertServiceDeclared(manifest: PluginManifest, ref: ServiceRef<unknown>, optional: boolean, providerId: string | undefined): void {
  const fail = (reason: string): never => {
    throw new VvError('VV_SERVICE_NOT_DECLARED', { params: { plugin: manifest.id, service: ref.id, reason } });
  };
  if (ref.multiple === true) {
    // Listing it under "provides" too is refused by the manifest validator.
    if (!(manifest.uses ?? []).includes(ref.id)) fail('it is a multi-provider service, which the manifest must list under "uses"');
    return;
  }
  if (isCoreRef(ref)) {
    const rule = coreRequirements[ref.id];
    if (!rule) throw new VvError('VV_SERVICE_UNKNOWN', { params: { service: ref.id, plugin: manifest.id } });
    const reason = rule(manifest);
    if (reason) fail(reason);
    return;
  }
  if (providerId === undefined) {
    if (optional) return;
    throw new VvError('VV_SERVICE_UNKNOWN', { params: { service: ref.id, plugin: manifest.id } });
  }
  if (providerId === manifest.id) fail('a plugin cannot depend on a service it provides itself');
  if (manifest.requires?.[providerId] !== undefined) return;
  if (optional && manifest.optional?.[providerId] !== undefined) return;
  // "uses" is only for multi-provider refs: say so, or the author wonders why listing the id there did not help.
  const hint = (manifest.uses ?? []).includes(ref.id) ? ' ("uses" only applies to multi-provider refs)' : '';
  fail(`it is provided by "${providerId}", which the manifest does not list under ${optional ? '"requires" or "optional"' : '"requires"'}${hint}`);
}
