import type { PluginManifest } from '@valueverse/plugin-sdk';
import type { PluginRouter } from '../http/plugin-router';

/** Where the routers of plugins being installed at run time wait, and what those plugins may publish. */
export interface PluginStaging {
  readonly ids: Set<string>;
  readonly routers: Map<string, PluginRouter>;
  /** The `events.publish` patterns a plugin may use, or undefined for its manifest's (first-party plugins). */
  publishPatterns(manifest: PluginManifest): readonly string[] | undefined;
}
