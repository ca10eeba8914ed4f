// tsyringe throws when it is imported without a Reflect metadata polyfill (its index checks `Reflect.getMetadata`),
// even though nothing here uses decorators or their metadata; so the polyfill stays, imported before tsyringe.
import 'reflect-metadata';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import { VvError, isOptionalServiceRef, type DependencyRefs, type PluginManifest, type ServiceProvider, type ServiceProviders, type ServiceRef } from '@valueverse/plugin-sdk';
import { assertServiceDeclared, isCoreRef } from './service-access';
import { PLUGIN_MANIFEST, type PluginServiceFactory } from './plugin-scope';

/** The plugins enabled for a tenant (undefined for an unknown tenant), as the per-tenant plugin set cache knows them. */
export type EnabledPluginsLookup = (tenantId: string) => Promise<{ has(pluginId: string): boolean } | undefined>;

export interface ServiceRegistryOptions {
  /** Backs `ServiceProviders.forTenant` of multi-provider refs. */
  readonly enabledPlugins: EnabledPluginsLookup;
}

interface ProvidedService {
  readonly pluginId: string;
  readonly implementation: unknown;
}

/**
 * The kernel's DI scopes on tsyringe: a root container per kernel (a child of tsyringe's global one, which is never
 * registered on), a child container per plugin holding its manifest and plugin-scoped services, and a child of that
 * per request (see PluginDispatcher).
 *
 * A service id has one provider, unless its ref is multi-provider (`createServiceRef({ multiple: true })`): only the
 * ref object says which, so the duplicate check lives here, where refs are seen, not in the manifest graph.
 */
export class ServiceRegistry {
  private readonly root: DependencyContainer = globalContainer.createChildContainer();
  private readonly pluginContainers = new Map<string, DependencyContainer>();
  /** Services provided by plugins, by ref id; each list sorted by plugin id (one entry unless the ref is multiple). */
  private readonly provided = new Map<string, ProvidedService[]>();
  /** Whether each ref id is multi-provider, fixed by the first plugin to provide or depend on it, and who that was. */
  private readonly kinds = new Map<string, { multiple: boolean; pluginId: string }>();

  constructor(private readonly options: ServiceRegistryOptions) {}

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
    this.assertKind(manifest, ref);
    const others = (this.provided.get(ref.id) ?? []).filter((entry) => entry.pluginId !== manifest.id);
    if (others.length > 0 && ref.multiple !== true) {
      throw new VvError('VV_CONFLICT', {
        detail: `Service "${ref.id}" is already provided by "${others[0].pluginId}"; only a multi-provider ref (createServiceRef({ multiple: true })) may have several providers`,
      });
    }
    const entries = [...others, { pluginId: manifest.id, implementation }];
    entries.sort((a, b) => (a.pluginId < b.pluginId ? -1 : a.pluginId > b.pluginId ? 1 : 0));
    this.provided.set(ref.id, entries);
  }

  /** Drops what a plugin provided (it failed or stopped), so dependants see it as absent. */
  withdraw(pluginId: string): void {
    for (const [id, entries] of this.provided) {
      const kept = entries.filter((entry) => entry.pluginId !== pluginId);
      if (kept.length > 0) this.provided.set(id, kept);
      else this.provided.delete(id);
    }
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
      this.assertKind(manifest, ref);
      if (ref.multiple === true) {
        resolved[name] = this.providersOf(ref.id, isUsable);
        continue;
      }
      const entry = this.provided.get(ref.id)?.[0];
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

  /**
   * Forgets a plugin's container, so that the next version installed at run time gets its core services built from
   * its own manifest. What the running version already resolved stays with it.
   */
  forget(pluginId: string): void {
    this.pluginContainers.delete(pluginId);
  }

  /** Releases every container (kernel shutdown). */
  dispose(): void {
    this.pluginContainers.clear();
    this.provided.clear();
    this.kinds.clear();
    this.root.reset();
  }

  /**
   * The lazy view a consumer of a multi-provider ref receives. It reads the registry and the plugins' states on every
   * call, so providers that set up after the consumer, fail later or are enabled for a tenant later are seen as they
   * are now; nothing about providers is fixed at the consumer's setup.
   */
  private providersOf(refId: string, isUsable: (pluginId: string) => boolean): ServiceProviders<unknown> {
    const running = (): ServiceProvider<unknown>[] =>
      (this.provided.get(refId) ?? []).filter((entry) => isUsable(entry.pluginId)).map((entry) => ({ pluginId: entry.pluginId, service: entry.implementation }));
    return Object.freeze({
      all: running,
      forTenant: async (tenantId: string) => {
        const enabled = await this.options.enabledPlugins(tenantId);
        // Providers are read after the await: the lookup may have waited on the store while states changed.
        return enabled ? running().find((provider) => enabled.has(provider.pluginId)) : undefined;
      },
    });
  }

  /** Every ref with one id must agree on being multi-provider; the first plugin to use the id decides. */
  private assertKind(manifest: PluginManifest, ref: ServiceRef<unknown>): void {
    const multiple = ref.multiple === true;
    const known = this.kinds.get(ref.id);
    if (!known) {
      this.kinds.set(ref.id, { multiple, pluginId: manifest.id });
      return;
    }
    if (known.multiple === multiple) return;
    const kind = (m: boolean) => (m ? 'a multi-provider ref' : 'a single-provider ref');
    throw new VvError('VV_CONFLICT', {
      detail: `Plugin "${manifest.id}" uses service "${ref.id}" as ${kind(multiple)}, but "${known.pluginId}" uses it as ${kind(known.multiple)}; refs with one id must agree on "multiple"`,
    });
  }
}
