import 'reflect-metadata';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import {
  VvError,
  isOptionalServiceRef,
  type DependencyRefs,
  type PluginManifest,
  type ServiceRef,
} from '@valueverse/plugin-sdk';
import { assertServiceDeclared, isCoreRef } from './service-access';
import { PLUGIN_MANIFEST, type PluginServiceFactory } from './plugin-scope';

/**
 * The kernel's DI scopes on tsyringe: a root container per kernel (a child of tsyringe's global one, which is never
 * registered on), a child container per plugin holding its manifest and plugin-scoped services, and a child of that
 * per request (see PluginDispatcher).
 */
export class ServiceRegistry {
  private readonly root: DependencyContainer = globalContainer.createChildContainer();
  private readonly pluginContainers = new Map<string, DependencyContainer>();
  /** Services provided by plugins, by ref id. */
  private readonly provided = new Map<string, { pluginId: string; implementation: unknown }>();

  /** Registers a plugin-scoped core service, built for each plugin from its manifest. */
  registerCore<T>(ref: ServiceRef<T>, factory: PluginServiceFactory<T>): void {
    if (!isCoreRef(ref)) throw new TypeError(`Core service ref "${ref.id}" must start with "core."`);
    this.root.register(ref.id, { useFactory: (c) => factory(c.resolve<PluginManifest>(PLUGIN_MANIFEST)) });
  }

  /** The plugin's own container; created on first use. */
  containerFor(manifest: PluginManifest): DependencyContainer {
    let child = this.pluginContainers.get(manifest.id);
    if (!child) {
      child = this.root.createChildContainer();
      child.register(PLUGIN_MANIFEST, { useValue: manifest });
      this.pluginContainers.set(manifest.id, child);
    }
    return child;
  }

  /** Called by a plugin's registrar; the manifest must list the ref under `provides`. */
  provide(manifest: PluginManifest, ref: ServiceRef<unknown>, implementation: unknown): void {
    if (!(manifest.provides ?? []).includes(ref.id)) {
      throw new VvError('VV_SERVICE_NOT_DECLARED', {
        params: { plugin: manifest.id, service: ref.id, reason: 'it provides a service its manifest does not list under "provides"' },
      });
    }
    const existing = this.provided.get(ref.id);
    if (existing && existing.pluginId !== manifest.id) {
      throw new VvError('VV_CONFLICT', { detail: `Service "${ref.id}" is already provided by "${existing.pluginId}"` });
    }
    this.provided.set(ref.id, { pluginId: manifest.id, implementation });
  }

  /** Drops what a plugin provided (it failed or stopped), so dependants see it as absent. */
  withdraw(pluginId: string): void {
    for (const [id, entry] of this.provided) if (entry.pluginId === pluginId) this.provided.delete(id);
  }

  /**
   * Resolves exactly the refs a plugin declared in `deps`, after checking its manifest justifies each one.
   * `providerOf` names the plugin whose manifest provides a ref id; `isUsable` says whether that plugin is up.
   */
  resolveDependencies(
    manifest: PluginManifest,
    deps: DependencyRefs,
    providerOf: (refId: string) => string | undefined,
    isUsable: (pluginId: string) => boolean,
  ): Record<string, unknown> {
    const scope = this.containerFor(manifest);
    const resolved: Record<string, unknown> = {};
    for (const [name, dep] of Object.entries(deps)) {
      const optional = isOptionalServiceRef(dep);
      const ref = (optional ? dep.ref : dep) as ServiceRef<unknown>;
      const providerId = isCoreRef(ref) ? undefined : providerOf(ref.id);
      assertServiceDeclared(manifest, ref, optional, providerId);
      if (isCoreRef(ref)) {
        resolved[name] = scope.resolve(ref.id);
        continue;
      }
      const entry = this.provided.get(ref.id);
      if (entry && isUsable(entry.pluginId)) {
        resolved[name] = entry.implementation;
      } else if (optional) {
        resolved[name] = undefined;
      } else {
        throw new VvError('VV_SERVICE_UNKNOWN', { params: { service: ref.id, plugin: manifest.id } });
      }
    }
    return resolved;
  }

  /** Releases every container (kernel shutdown). */
  dispose(): void {
    this.pluginContainers.clear();
    this.provided.clear();
    this.root.reset();
  }
}
