import { Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { AdminApi, type TenantPlugin } from '../api/admin-api';
import { ApiClient } from '../api/api-client';
import { toProblem, type Problem } from '../api/problem';
import { SessionService } from '../session/session.service';
import { navEntries, navSignature, withPluginRoutes } from './plugin-nav';

const pluginPage = () => import('./plugin-element.page').then((m) => m.PluginElementPage);

/**
 * The plugins enabled for the current tenant, the workspace navigation made from their manifests, and the
 * runtime routes of their pages. Loaded in an app initializer (so a deep link to a plugin page survives a reload)
 * and again whenever the plugin set changes.
 */
@Injectable({ providedIn: 'root' })
export class WorkspacePlugins {
  private readonly admin = inject(AdminApi);
  private readonly api = inject(ApiClient);
  private readonly router = inject(Router);
  private readonly session = inject(SessionService);
  private generation = 0;
  private signature = '';

  readonly plugins = signal<readonly TenantPlugin[]>([]);
  readonly status = signal<'idle' | 'loading' | 'ready' | 'error'>('idle');
  readonly problem = signal<Problem | undefined>(undefined);
  readonly nav = computed(() => navEntries(this.plugins()));

  isEnabled(pluginId: string): boolean {
    return this.plugins().some((p) => p.pluginId === pluginId && p.enabled);
  }

  /** Reloads the plugin set; resolves true when the navigation changed. Never rejects: failures land in `problem`. */
  async load(): Promise<boolean> {
    const tenant = this.session.tenant();
    const generation = ++this.generation;
    if (!tenant) {
      this.apply([]);
      this.status.set('idle');
      return false;
    }
    if (this.status() !== 'ready') this.status.set('loading');
    try {
      const plugins = await this.fetch(tenant.id);
      // A newer load (tenant switch, live update) started meanwhile: its answer is the one to keep.
      if (generation !== this.generation) return false;
      this.problem.set(undefined);
      this.status.set('ready');
      return this.apply(plugins);
    } catch (error) {
      if (generation !== this.generation) return false;
      this.problem.set(toProblem(error));
      this.status.set('error');
      return false;
    }
  }

  private apply(plugins: readonly TenantPlugin[]): boolean {
    const signature = navSignature(plugins);
    const changed = signature !== this.signature;
    this.signature = signature;
    this.plugins.set(plugins);
    if (changed) this.router.resetConfig(withPluginRoutes(this.router.config, this.nav(), pluginPage));
    return changed;
  }

  private async fetch(tenantId: string): Promise<readonly TenantPlugin[]> {
    try {
      return (await this.admin.tenantPlugins(tenantId)).items;
    } catch (error) {
      // The tenant plugin list is an admin route; members read their plugin set from /me when the kernel sends it.
      if (toProblem(error).status !== 403) throw error;
      const me = await this.api.get<{ plugins?: TenantPlugin[] }>('/api/v1/me');
      return (me.plugins ?? []).map((p) => ({ ...p, enabled: p.enabled ?? true }));
    }
  }
}
