/**
 * Names a tenant's usage events refer to (customer ids, metric definitions), kept per tenant so ingestion need not
 * read them for every request. Bounded: a tenant past `perTenant` names, or the cache past `tenants` tenants, starts
 * over. Nothing here is trusted blindly: every write checks in its statement that what it was checked against
 * still holds (see `UsageIngestor`).
 */
export class ReferenceCache<V> {
  private readonly byTenant = new Map<string, Map<string, V>>();

  constructor(
    private readonly perTenant = 20_000,
    private readonly tenants = 1_000,
  ) {}

  get(tenantId: string, name: string): V | undefined {
    return this.byTenant.get(tenantId)?.get(name);
  }

  set(tenantId: string, name: string, value: V): void {
    let names = this.byTenant.get(tenantId);
    if (!names) {
      if (this.byTenant.size >= this.tenants) this.byTenant.clear();
      this.byTenant.set(tenantId, (names = new Map()));
    }
    if (names.size >= this.perTenant) names.clear();
    names.set(name, value);
  }

  forgetTenant(tenantId: string): void {
    this.byTenant.delete(tenantId);
  }
}
