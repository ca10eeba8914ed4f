import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { ApiClient } from '../../api/api-client';

/** One tenant export (`/api/v1/admin/tenants/:tenantId/exports`). */
export interface TenantExport {
  readonly id: string;
  readonly tenantId: string;
  readonly state: 'pending' | 'ready' | 'failed';
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly manifest: { readonly files: readonly { readonly path: string; readonly rows: number; readonly sha256: string }[] } | null;
  readonly error: string | null;
}

/** What an erasure did, per store (`kernel` and each plugin). */
export interface ErasureReport {
  readonly pseudonym: string;
  readonly userId: string | null;
  readonly stores: Readonly<Record<string, { readonly rows?: Readonly<Record<string, number>>; readonly error?: string }>>;
}

export interface RetentionPolicies {
  readonly policies: Readonly<Record<string, number>>;
  readonly dataClasses: readonly string[];
}

const base = (tenantId: string) => `/api/v1/admin/tenants/${encodeURIComponent(tenantId)}`;

/** The data lifecycle routes of a tenant: exports, erasures, retention. */
@Injectable({ providedIn: 'root' })
export class DataApi {
  private readonly api = inject(ApiClient);
  private readonly http = inject(HttpClient);

  exports(tenantId: string): Promise<{ items: TenantExport[] }> {
    return this.api.get(`${base(tenantId)}/exports`);
  }

  startExport(tenantId: string): Promise<TenantExport> {
    return this.api.post(`${base(tenantId)}/exports`);
  }

  /** The archive's bytes (through the auth interceptor, so the bearer token never lands in a URL). */
  archive(tenantId: string, exportId: string): Promise<Blob> {
    return firstValueFrom(this.http.get(`${base(tenantId)}/exports/${encodeURIComponent(exportId)}/archive`, { responseType: 'blob' }));
  }

  erase(tenantId: string, subject: { userId?: string; email?: string; names?: string[] }): Promise<ErasureReport> {
    return this.api.post(`${base(tenantId)}/erasures`, subject);
  }

  retention(tenantId: string): Promise<RetentionPolicies> {
    return this.api.get(`${base(tenantId)}/retention`);
  }

  setRetention(tenantId: string, policies: Record<string, number>): Promise<RetentionPolicies> {
    return this.api.put(`${base(tenantId)}/retention`, { policies });
  }
}
