/**
 * A typed handle to a service. The type parameter only exists at compile time; at run time a ref is a branded,
 * versioned object identified by `id`.
 */
export interface ServiceRef<T> {
  readonly $$type: 'valueverse.service-ref';
  readonly version: 'v1';
  readonly id: string;
  /** True for a ref that many plugins may provide (see `MultiServiceRef`); false or absent otherwise. */
  readonly multiple?: boolean;
  /** Phantom member carrying `T`; never set. Not named `T`: API Extractor fails on a member named like a type parameter. */
  readonly serviceType?: T;
}

/**
 * A ref that any number of plugins may provide (e.g. `ai.chat`, one per AI provider plugin). A plugin depending on
 * it receives `ServiceProviders<T>`, not `T`, and lists the ref id under `uses` in its manifest instead of naming
 * providers under `requires`: which provider serves a tenant is decided per call, among the running plugins
 * enabled for that tenant.
 */
export interface MultiServiceRef<T> extends ServiceRef<T> {
  readonly multiple: true;
}

/**
 * A dependency that may be absent: the plugin receives `undefined` when no enabled provider exists. For a
 * multi-provider ref there is no difference from depending on the ref itself: the plugin receives
 * `ServiceProviders<T>`, which may be empty.
 */
export interface OptionalServiceRef<T, R extends ServiceRef<T> = ServiceRef<T>> {
  readonly $$type: 'valueverse.optional-service-ref';
  readonly version: 'v1';
  readonly ref: R;
}

/**
 * Creates a typed service ref. Plugins export the refs they provide from their package entry so that other
 * plugins can depend on the *type* without importing the code.
 *
 * With `multiple: true` many plugins may provide the ref, and dependants receive `ServiceProviders<T>` (see
 * `MultiServiceRef`). Every ref with one id must agree on `multiple`. Whether the kernel builds a service once or
 * per plugin is the kernel's business (its core services are per plugin), not the ref's.
 *
 * @example
 * export const calculationRef = createServiceRef<CalculationService>({ id: 'calculation' });
 * export const aiChatRef = createServiceRef<AiChatProvider>({ id: 'ai.chat', multiple: true });
 */
export function createServiceRef<T>(options: { id: string; multiple: true }): MultiServiceRef<T>;
export function createServiceRef<T>(options: { id: string; multiple?: false }): ServiceRef<T>;
export function createServiceRef<T>(options: { id: string; multiple?: boolean }): ServiceRef<T> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/.test(options.id)) {
    throw new TypeError(`Service ref id "${options.id}" must be lower-case dot-separated words`);
  }
  return Object.freeze({ $$type: 'valueverse.service-ref', version: 'v1', id: options.id, multiple: options.multiple === true });
}

/**
 * Marks a dependency optional: `deps: { calc: optionalRef(calculationRef) }` gives `calc: CalculationService |
 * undefined`. The manifest must list the providing plugin under `optional`. For a multi-provider ref the plugin
 * receives `ServiceProviders<T>` either way, and the manifest lists the ref under `uses`.
 */
export function optionalRef<T>(ref: MultiServiceRef<T>): OptionalServiceRef<T, MultiServiceRef<T>>;
export function optionalRef<T>(ref: ServiceRef<T>): OptionalServiceRef<T>;
export function optionalRef<T>(ref: ServiceRef<T>): OptionalServiceRef<T> {
  return Object.freeze({ $$type: 'valueverse.optional-service-ref', version: 'v1', ref });
}

/** The runtime check for a ref coming from any copy of the SDK. */
export function isServiceRef(value: unknown): value is ServiceRef<unknown> {
  const v = value as ServiceRef<unknown> | null;
  return typeof v === 'object' && v !== null && v.$$type === 'valueverse.service-ref' && v.version === 'v1' && typeof v.id === 'string';
}

/** True for a ref created with `multiple: true` (by any copy of the SDK). */
export function isMultiServiceRef(value: unknown): value is MultiServiceRef<unknown> {
  return isServiceRef(value) && value.multiple === true;
}

export function isOptionalServiceRef(value: unknown): value is OptionalServiceRef<unknown> {
  const v = value as OptionalServiceRef<unknown> | null;
  return typeof v === 'object' && v !== null && v.$$type === 'valueverse.optional-service-ref' && isServiceRef(v.ref);
}
