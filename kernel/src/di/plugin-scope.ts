import type { PluginManifest } from '@valueverse/plugin-sdk';

/** tsyringe token under which each plugin container holds its manifest. */
export const PLUGIN_MANIFEST = Symbol('valueverse.plugin-manifest');

/** What a plugin-scoped core service factory receives: the manifest of the plugin it builds for. */
export type PluginServiceFactory<T> = (manifest: PluginManifest) => T;
