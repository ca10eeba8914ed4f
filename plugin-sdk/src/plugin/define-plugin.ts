import type { PluginPrivacy } from '../privacy/plugin-privacy';
import type { PluginDataModel } from '../services/core-service-types';
import { isOptionalServiceRef, isServiceRef, type MultiServiceRef, type OptionalServiceRef, type ServiceRef } from '../services/create-service-ref';
import type { ServiceProviders } from '../services/service-providers';

/** The refs a plugin depends on, by the name it wants to receive them under. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DependencyRefs = Readonly<Record<string, ServiceRef<any> | OptionalServiceRef<any>>>;

/** What one dependency resolves to: `T`, `T | undefined` when optional, `ServiceProviders<T>` for a multi-provider ref. */
export type ResolvedDependency<R> =
  R extends MultiServiceRef<infer T>
    ? ServiceProviders<T>
    : R extends ServiceRef<infer T>
      ? T
      : R extends OptionalServiceRef<infer T, infer Inner>
        ? Inner extends MultiServiceRef<T>
          ? ServiceProviders<T>
          : T | undefined
        : never;

/** The resolved services for a `DependencyRefs` map. */
export type ResolvedDependencies<D extends DependencyRefs> = {
  readonly [K in keyof D]: ResolvedDependency<D[K]>;
};

/** Lets a plugin provide the services its manifest lists under `provides`. */
export interface PluginRegistrar {
  provide<T>(ref: ServiceRef<T>, implementation: T): void;
  /**
   * Registers the plugin's privacy contract: how the kernel exports, imports, erases and purges its data (required
   * when the manifest says `"personalData": true`; see `tablePrivacy`).
   */
  privacy(handlers: PluginPrivacy): void;
  /**
   * Registers the plugin's part of an encryption-key rotation: the kernel's re-seal job (`POST
   * /api/v1/admin/keys/reseal`) calls `hook` for every tenant that has the plugin enabled, after the kernel's own
   * secrets, and reports the re-seal done only once every call succeeded (a failed call is reported with the plugin
   * id and made again by the next run). The hook seals again, with `core.secrets`, every value of the tenant whose
   * `isCurrent` is false; it must be idempotent.
   */
  onReseal(hook: (tenantId: string) => Promise<void> | void): void;
}

export interface PluginDefinition<D extends DependencyRefs> {
  readonly deps: D;
  /**
   * The plugin's tables: entities and migrations in its own schema (needs manifest permission `db`). The kernel
   * applies pending migrations before `setup`, on install and on upgrade.
   */
  readonly database?: PluginDataModel;
  /** Registers routes, subscriptions, jobs and provided services. Runs in dependency order, with a timeout. */
  setup(deps: ResolvedDependencies<D>, registrar: PluginRegistrar): void | Promise<void>;
  /** Runs after every plugin finished setup. */
  start?(): void | Promise<void>;
  /** Runs at shutdown, in reverse start order. */
  stop?(): void | Promise<void>;
}

/** A plugin, as the kernel receives it from the module named by the manifest's `main` (export `plugin`). */
export interface VvPlugin {
  readonly $$type: 'valueverse.plugin';
  readonly version: 'v1';
  readonly deps: DependencyRefs;
  readonly database?: PluginDataModel;
  setup(deps: Record<string, unknown>, registrar: PluginRegistrar): void | Promise<void>;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/**
 * Defines a plugin. Export the result as `plugin` from the module named by the manifest's `main`.
 *
 * @example
 * export const plugin = definePlugin({
 *   deps: { http: coreServices.http },
 *   setup({ http }) {
 *     http.route({ method: 'GET', path: '/hello', handler: (req) => ({ hello: req.tenant.name }) });
 *   },
 * });
 */
export function definePlugin<D extends DependencyRefs>(definition: PluginDefinition<D>): VvPlugin {
  for (const [name, ref] of Object.entries(definition.deps)) {
    if (!isServiceRef(ref) && !isOptionalServiceRef(ref)) {
      throw new TypeError(`definePlugin: dependency "${name}" is not a service ref (use createServiceRef)`);
    }
  }
  if (typeof definition.setup !== 'function') throw new TypeError('definePlugin: setup must be a function');
  return Object.freeze({
    $$type: 'valueverse.plugin',
    version: 'v1',
    deps: definition.deps,
    database: definition.database,
    setup: definition.setup as VvPlugin['setup'],
    start: definition.start,
    stop: definition.stop,
  });
}

/** The one place that decides whether a module export is a plugin of this SDK's contract. */
export function isVvPlugin(value: unknown): value is VvPlugin {
  const v = value as VvPlugin | null;
  return typeof v === 'object' && v !== null && v.$$type === 'valueverse.plugin' && v.version === 'v1' && typeof v.setup === 'function';
}
