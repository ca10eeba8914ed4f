import { Injectable, inject } from '@angular/core';
import { ApiClient, type QueryParams } from './api-client';

export type TenantStatus = 'active' | 'suspended';

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly status: TenantStatus;
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

/** A navigation entry as a plugin manifest declares it (`ui.nav[]`). */
export interface ManifestNavEntry {
  readonly label: string;
  readonly path: string;
  readonly icon?: string;
  readonly element?: string;
}

export interface PluginUi {
  readonly nav?: readonly ManifestNavEntry[];
  /** Custom-element bundle: a path in the plugin folder (served under /plugin-assets/<id>/) or an absolute URL. */
  readonly elements?: string;
}

/** JSON Schema of a plugin's per-tenant config; `x-secret: true` marks write-only fields. */
export interface ConfigSchema {
  readonly type: 'object';
  readonly properties?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly required?: readonly string[];
  readonly [keyword: string]: unknown;
}

/** One installed plugin as a tenant sees it (GET /admin/tenants/:id/plugins). */
export interface TenantPlugin {
  readonly pluginId: string;
  readonly displayName: string;
  readonly description?: string;
  readonly version: string;
  /** Kernel-wide state: running, failed, blocked, ... */
  readonly state: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly enabled: boolean;
  /** Config with secrets masked as "••••". */
  readonly config: Readonly<Record<string, unknown>>;
  readonly configSchema?: ConfigSchema;
  readonly requires: readonly string[];
  readonly dependants: readonly string[];
  readonly ui?: PluginUi;
}

export interface PluginChange {
  readonly pluginId: string;
  readonly enabled: boolean;
  readonly configChanged: boolean;
  readonly reason: string;
}

export interface PluginChangePlan {
  readonly tenantId: string;
  readonly changes: readonly PluginChange[];
  readonly dryRun: boolean;
  readonly plugins: readonly TenantPlugin[];
}

export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly action: string;
  readonly actor?: string | null;
  /** The actor's current email, when the actor is a user. */
  readonly actorEmail?: string | null;
  readonly tenantId?: string | null;
  readonly target?: unknown;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface TenantPage {
  readonly items: readonly Tenant[];
  readonly nextCursor: string | null;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  readonly nextCursor?: string | null;
}

export interface AuditFilter {
  readonly tenantId?: string;
  readonly action?: string;
  readonly actor?: string;
  /** ISO date-time. */
  readonly from?: string;
  readonly to?: string;
}

export interface PluginHealth {
  readonly id: string;
  readonly version: string;
  readonly state: string;
  readonly since?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface HealthReport {
  readonly status: string;
  readonly kernel?: string;
  readonly plugins: readonly PluginHealth[];
}

/** The kernel's admin routes (kernel/src/admin/admin-routes.ts), typed. */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly api = inject(ApiClient);

  /** One page of tenants by id; `q` keeps those whose id or name contains it. */
  tenants(query: { q?: string; cursor?: string; limit?: number } = {}): Promise<TenantPage> {
    return this.api.get('/api/v1/admin/tenants', { q: query.q || undefined, cursor: query.cursor, limit: query.limit ?? 50 });
  }

  tenant(id: string): Promise<Tenant> {
    return this.api.get(`/api/v1/admin/tenants/${encodeURIComponent(id)}`);
  }

  createTenant(body: { id: string; name: string }): Promise<Tenant> {
    return this.api.post('/api/v1/admin/tenants', body);
  }

  updateTenant(id: string, body: { name?: string; status?: TenantStatus }): Promise<Tenant> {
    return this.api.patch(`/api/v1/admin/tenants/${encodeURIComponent(id)}`, body);
  }

  deleteTenant(id: string): Promise<void> {
    return this.api.delete(`/api/v1/admin/tenants/${encodeURIComponent(id)}`);
  }

  tenantPlugins(tenantId: string): Promise<{ items: TenantPlugin[] }> {
    return this.api.get(`/api/v1/admin/tenants/${encodeURIComponent(tenantId)}/plugins`);
  }

  /** PUT a plugin's enabled flag and/or config; `dryRun` reports what would change (cascade included) and writes nothing. */
  changePlugin(
    tenantId: string,
    pluginId: string,
    change: { enabled?: boolean; config?: Record<string, unknown> },
    options: { cascade?: boolean; dryRun?: boolean } = {},
  ): Promise<PluginChangePlan> {
    const query: QueryParams = { cascade: options.cascade ? 'true' : undefined, dryRun: options.dryRun ? 'true' : undefined };
    return this.api.put(`/api/v1/admin/tenants/${encodeURIComponent(tenantId)}/plugins/${encodeURIComponent(pluginId)}`, change, query);
  }

  audit(filter: AuditFilter, cursor?: string, limit = 50): Promise<AuditPage> {
    return this.api.get('/api/v1/admin/audit', { ...filter, cursor, limit });
  }

  health(): Promise<HealthReport> {
    return this.api.get('/health/ready');
  }
}
