/** Where a service lives: one for the whole kernel, or one per plugin (built for each plugin that asks). */
export type ServiceScope = 'root' | 'plugin';

/**
 * A typed handle to a service. The type parameter only exists at compile time; at run time a ref is a branded,
 * versioned object identified by `id`.
 */
export interface ServiceRef<T, S extends ServiceScope = ServiceScope> {
  readonly $$type: 'valueverse.service-ref';
  readonly version: 'v1';
  readonly id: string;
  readonly scope: S;
  /** Phantom member carrying `T`; never set. */
  readonly T?: T;
}

/** A dependency that may be absent: the plugin receives `undefined` when no enabled provider exists. */
export interface OptionalServiceRef<T> {
  readonly $$type: 'valueverse.optional-service-ref';
  readonly version: 'v1';
  readonly ref: ServiceRef<T>;
}

/**
 * Creates a typed service ref. Plugins export the refs they provide from their package entry so that other
 * plugins can depend on the *type* without importing the code.
 *
 * @example
 * export const calculationRef = createServiceRef<CalculationService>({ id: 'calculation' });
 */
export function createServiceRef<T>(options: { id: string; scope?: ServiceScope }): ServiceRef<T> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/.test(options.id)) {
    throw new TypeError(`Service ref id "${options.id}" must be lower-case dot-separated words`);
  }
  return Object.freeze({ $$type: 'valueverse.service-ref', version: 'v1', id: options.id, scope: options.scope ?? 'root' });
}

/**
 * Marks a dependency optional: `deps: { ai: optionalRef(aiChatRef) }` gives `ai: AiChat | undefined`.
 * The manifest must list the providing plugin under `optional`.
 */
export function optionalRef<T>(ref: ServiceRef<T>): OptionalServiceRef<T> {
  return Object.freeze({ $$type: 'valueverse.optional-service-ref', version: 'v1', ref });
}

/** The runtime check for a ref coming from any copy of the SDK. */
export function isServiceRef(value: unknown): value is ServiceRef<unknown> {
  const v = value as ServiceRef<unknown> | null;
  return typeof v === 'object' && v !== null && v.$$type === 'valueverse.service-ref' && v.version === 'v1' && typeof v.id === 'string';
}

export function isOptionalServiceRef(value: unknown): value is OptionalServiceRef<unknown> {
  const v = value as OptionalServiceRef<unknown> | null;
  return typeof v === 'object' && v !== null && v.$$type === 'valueverse.optional-service-ref' && isServiceRef(v.ref);
}
