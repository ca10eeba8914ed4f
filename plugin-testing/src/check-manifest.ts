import { validateManifest, type PluginManifest } from '@valueverse/plugin-sdk';

/**
 * Validates a plugin's `plugin.json` exactly as the kernel will when it loads the plugin: the strict manifest schema
 * (unknown keys are errors, semver and semver ranges parsed), then the rules a schema cannot express (no
 * self-dependency, namespaced `provides`, no nested route prefixes, a config schema that compiles).
 *
 * @example
 * import manifest from '../plugin.json';
 * expect(checkManifest(manifest)).toMatchObject({ id: 'my-plugin' });
 *
 * @returns the manifest, typed and frozen
 * @throws VvError `VV_MANIFEST_INVALID` whose `errors` list every problem with its JSON pointer
 */
export function checkManifest(raw: unknown, source = 'plugin.json'): PluginManifest {
  return validateManifest(raw, source);
}
