/** One plugin's implementation of a multi-provider service (see `createServiceRef({ multiple: true })`). */
export interface ServiceProvider<T> {
  /** Id of the plugin that provides `service`. */
  readonly pluginId: string;
  readonly service: T;
}

/**
 * What a plugin receives for a dependency on a multi-provider ref: every provider, resolved lazily. Providers may set
 * up before or after the consumer and are enabled per tenant, so nothing is fixed at setup time; ask at use time.
 *
 * @example
 * const provider = await ai.forTenant(req.tenant.id);
 * if (!provider) return fallback();
 * const model = await provider.service.chatModel(req.tenant.id);
 */
export interface ServiceProviders<T> {
  /**
   * The provider to use for `tenantId`: the first, by plugin id, that is running and enabled for that tenant;
   * undefined when there is none (or the tenant does not exist).
   */
  forTenant(tenantId: string): Promise<ServiceProvider<T> | undefined>;
  /** Every running provider, by plugin id, whatever the tenant. */
  all(): ServiceProvider<T>[];
}
