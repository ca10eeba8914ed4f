import { VvError, isVvError, validateManifest, type PluginManifest, type VvPlugin } from '@valueverse/plugin-sdk';
import { PluginGraph } from '../graph/plugin-graph';
import { RouteOwnership } from '../http/route-ownership';
import type { PluginRecord } from '../lifecycle/plugin-state';
import type { KernelLogger } from '../observability/kernel-logger';
import type { SandboxStatus } from '../sandbox/plugin-sandbox';
import { discoverPlugins, loadPluginModule } from './plugin-discovery';

/** A plugin handed to the kernel directly (tests, embedding) instead of discovered on disk. */
export interface InlinePlugin {
  readonly manifest: unknown;
  readonly plugin: VvPlugin;
  readonly dir?: string;
  /** A plugin that runs sandboxed (`loadSandboxedPlugin`): its sandbox's status, for health and metrics. */
  readonly sandbox?: SandboxStatus;
}

/** The plugins the kernel will run: a record for each (failed ones with their error), the graph, the route owners. */
export interface LoadedPlugins {
  readonly records: Map<string, PluginRecord>;
  /** Rebuilt when a plugin is installed, upgraded or removed at run time. */
  graph: PluginGraph;
  readonly ownership: RouteOwnership;
}

/**
 * Discovers, validates and orders the plugins: every problem (a bad manifest, a module that does not load, a route
 * prefix another plugin owns, a cycle, a missing or incompatible dependency) becomes a failed or blocked record;
 * nothing stops the boot.
 */
export async function loadPlugins(
  options: {
    readonly pluginDirs?: readonly string[];
    readonly plugins?: readonly InlinePlugin[];
    readonly preferSource?: boolean;
    /** Apps the host mounts in the kernel: no plugin may claim their prefixes. */
    readonly mounts?: readonly { readonly prefix: string }[];
  },
  version: string,
  logger: KernelLogger,
): Promise<LoadedPlugins> {
  const records = new Map<string, PluginRecord>();
  const ownership = new RouteOwnership(options.mounts);
  const now = () => new Date().toISOString();

  // 1. Discover and validate.
  const invalid = new Map<string, VvError>();
  const manifests: PluginManifest[] = [];
  const accept = (manifest: PluginManifest, plugin: VvPlugin | undefined, dir: string | undefined, error?: VvError, sandbox?: SandboxStatus) => {
    if (records.has(manifest.id)) {
      logger.error({ plugin: manifest.id, dir }, `plugin id "${manifest.id}" is installed twice; keeping the first`);
      return;
    }
    records.set(manifest.id, { id: manifest.id, dir, manifest, plugin, state: error ? 'failed' : 'installed', error, since: now(), sandbox });
    manifests.push(manifest);
    if (error) invalid.set(manifest.id, error);
  };
  for (const found of await discoverPlugins(options.pluginDirs ?? [], { preferSource: options.preferSource })) {
    if (!found.manifest) {
      const id = `invalid:${found.dir.split(/[\\/]/).pop()}`;
      records.set(id, { id, dir: found.dir, manifest: { id, version: '0.0.0', displayName: id, kernel: '*', main: '' }, state: 'failed', error: found.error, since: now() });
      continue;
    }
    try {
      accept(found.manifest, loadPluginModule(found.entry), found.dir);
    } catch (error) {
      accept(found.manifest, undefined, found.dir, asVvError(error, found.manifest.id));
    }
  }
  for (const inline of options.plugins ?? []) {
    try {
      accept(validateManifest(inline.manifest, inline.dir ?? 'inline'), inline.plugin, inline.dir, undefined, inline.sandbox);
    } catch (error) {
      const id = `invalid:${String((inline.manifest as { id?: unknown })?.id ?? 'inline')}`;
      records.set(id, { id, manifest: { id, version: '0.0.0', displayName: id, kernel: '*', main: '' }, state: 'failed', error: asVvError(error, id), since: now() });
    }
  }

  // 2. Route prefixes: a conflict fails the later plugin (by id), naming both.
  for (const manifest of [...manifests].sort((a, b) => a.id.localeCompare(b.id))) {
    if (invalid.has(manifest.id)) continue;
    try {
      ownership.claim(manifest.id, manifest.routes ?? []);
    } catch (error) {
      const record = records.get(manifest.id)!;
      record.state = 'failed';
      record.error = asVvError(error, manifest.id);
      invalid.set(manifest.id, record.error);
    }
  }

  // 3. Dependency graph: cycles, missing and incompatible dependencies, and what they block.
  const graph = PluginGraph.build(manifests, { kernelVersion: version, invalid });
  for (const entry of graph.entries) {
    const record = records.get(entry.id);
    if (!record || entry.status === 'ok' || record.state === 'failed') continue;
    record.state = entry.status === 'blocked' ? 'blocked' : 'failed';
    record.error = entry.error;
  }

  return { records, graph, ownership };
}

function asVvError(error: unknown, plugin: string): VvError {
  return isVvError(error) ? error : new VvError('VV_PLUGIN_FAILED', { params: { plugin, state: 'failed', reason: (error as Error)?.message ?? String(error) }, cause: error });
}
