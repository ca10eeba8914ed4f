import { Injectable, inject } from '@angular/core';
import { ApiClient } from '../../api/api-client';
import type { ApiRequestBody, ApiResponse } from '../../api/api-types';

// Most install routes declare request schemas but no response schemas (their OpenAPI answers are `unknown`), so those
// answers are declared here after the kernel's types: kernel/src/installs/install-store.ts and install-service.ts.
// Request bodies and the package details come from the generated types, so a changed schema breaks the build.

/** One plugin of the configured registry's catalog (`GET /api/v1/admin/marketplace`). */
export interface CatalogItem {
  readonly id: string;
  readonly displayName: string;
  readonly description?: string;
  readonly categories?: readonly string[];
  readonly latestVersion: string;
  readonly publisher?: { readonly id: string; readonly name: string } | null;
  readonly downloads?: number;
  /** The latest version's manifest `kernel` range. */
  readonly kernel?: string;
  /** Whether this deployment's kernel satisfies `kernel`; null when the registry does not say. */
  readonly compatible: boolean | null;
  readonly installed: { readonly version: string; readonly state: InstallRecord['state'] } | null;
}

/** What one instance (host or worker) made of an install. */
export interface InstanceInstallState {
  readonly pluginId: string;
  readonly instanceId: string;
  readonly version: string | null;
  readonly state: 'running' | 'failed' | 'removed';
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly updatedAt: string;
}

export type TrustLevel = 'in-process' | 'sandboxed';

/** The desired state of one installed package, shared by every instance. */
export interface InstallRecord {
  readonly pluginId: string;
  readonly version: string;
  /** What a roll-back returns to; null after a first install. */
  readonly previousVersion: string | null;
  readonly integrity: string;
  readonly signerKeyId: string | null;
  readonly trust: TrustLevel | 'unsigned';
  readonly source: 'registry' | 'upload';
  readonly approvedPermissions: readonly string[];
  readonly approvedBy: string | null;
  /** `uninstalled`: stopped everywhere, its data kept until `purgeAfter`. */
  readonly state: 'installed' | 'uninstalled';
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly purgeAfter: string | null;
}

/** `GET /api/v1/admin/installs`: an install with every instance's state. */
export interface InstallView extends InstallRecord {
  readonly instances: readonly InstanceInstallState[];
}

export interface TrustedKey {
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly name: string;
  readonly trust: TrustLevel;
  readonly addedBy: string;
  readonly addedAt: string;
}

/**
 * A package of the configured registry with this deployment's view of it (`GET /api/v1/admin/marketplace/:pluginId`):
 * versions newest first, each with its permissions, kernel range and whether this kernel satisfies it, and its
 * signer with whether this deployment trusts the key. Declared by the route's response schema.
 */
export type PackageDetails = ApiResponse<'/api/v1/admin/marketplace/{pluginId}', 'get'>;

type InstallBody = ApiRequestBody<'/api/v1/admin/installs', 'post'>;
type ChangeBody = ApiRequestBody<'/api/v1/admin/installs/{pluginId}', 'put'>;
type TrustBody = ApiRequestBody<'/api/v1/admin/trusted-keys', 'post'>;

/** The kernel's marketplace admin routes (kernel/src/installs/install-routes.ts): platform admins only. */
@Injectable({ providedIn: 'root' })
export class MarketplaceApi {
  private readonly api = inject(ApiClient);

  catalog(q: string): Promise<{ items: CatalogItem[] }> {
    return this.api.get('/api/v1/admin/marketplace', { q: q || undefined });
  }

  /** Through the kernel, so that the details come from whichever registry `VV_MARKETPLACE_URL` names. */
  details(pluginId: string): Promise<PackageDetails> {
    return this.api.get(`/api/v1/admin/marketplace/${encodeURIComponent(pluginId)}`);
  }

  installs(): Promise<{ items: InstallView[] }> {
    return this.api.get('/api/v1/admin/installs');
  }

  install(body: InstallBody): Promise<InstallRecord> {
    return this.api.post('/api/v1/admin/installs', body);
  }

  /** Installs (or changes the version of) the plugin in an uploaded package file. */
  async upload(file: Blob, approvePermissions: readonly string[]): Promise<InstallRecord> {
    const response = await this.api.postResponse<InstallRecord>('/api/v1/admin/installs', file, {
      headers: { 'content-type': 'application/octet-stream' },
      query: { approvePermissions: approvePermissions.join(',') || undefined },
    });
    return response.body;
  }

  /** Upgrade, or roll back to an earlier version. */
  changeVersion(pluginId: string, body: ChangeBody): Promise<InstallRecord> {
    return this.api.put(`/api/v1/admin/installs/${encodeURIComponent(pluginId)}`, body);
  }

  /** 409 VV_PLUGIN_IN_USE while tenants have it enabled, unless `force` (which disables it for them). */
  uninstall(pluginId: string, force = false): Promise<InstallRecord & { disabledFor: string[] }> {
    return this.api.delete(`/api/v1/admin/installs/${encodeURIComponent(pluginId)}${force ? '?force=true' : ''}`);
  }

  trustedKeys(): Promise<{ items: TrustedKey[] }> {
    return this.api.get('/api/v1/admin/trusted-keys');
  }

  trustKey(body: TrustBody): Promise<TrustedKey> {
    return this.api.post('/api/v1/admin/trusted-keys', body);
  }

  removeKey(keyId: string): Promise<void> {
    return this.api.delete(`/api/v1/admin/trusted-keys/${encodeURIComponent(keyId)}`);
  }
}
