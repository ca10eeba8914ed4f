import { ChangeDetectionStrategy, Component, inject, input, resource, signal } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { MatSlideToggleModule, type MatSlideToggleChange } from '@angular/material/slide-toggle';
import { RouterLink } from '@angular/router';
import { AdminApi, type TenantPlugin } from '../../api/admin-api';
import { describeProblem, toProblem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { LiveUpdates } from '../../shell/live-updates';
import { WorkspacePlugins } from '../../shell/workspace-plugins';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { cascadeOf, describeCascade } from './cascade';

/**
 * Every installed plugin for one tenant: state, version, what it requires and what requires it, and a switch that
 * asks the kernel first (dry run) what else would change, explains that cascade, and only then acts.
 */
@Component({
  selector: 'vv-tenant-plugins',
  imports: [RouterLink, MatSlideToggleModule, RequestState],
  templateUrl: './tenant-plugins.html',
  styleUrl: './tenant-plugins.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TenantPlugins {
  private readonly admin = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly session = inject(SessionService);
  private readonly workspace = inject(WorkspacePlugins);
  private readonly live = inject(LiveUpdates);

  readonly tenantId = input.required<string>();

  protected readonly plugins = resource({ params: () => this.tenantId(), loader: ({ params }) => this.admin.tenantPlugins(params).then((r) => r.items) });
  protected readonly pending = signal<string | undefined>(undefined);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly failure = signal<{ pluginId: string; text: string; needsConfig: boolean } | undefined>(undefined);

  protected problem() {
    const e = this.plugins.error();
    return e ? toProblem(e) : undefined;
  }

  protected nameOf(id: string): string {
    return this.plugins.value()?.find((p) => p.pluginId === id)?.displayName ?? id;
  }

  protected stateClass(state: string): string {
    return state === 'running' ? 'ok' : state === 'failed' ? 'danger' : 'warn';
  }

  protected async toggle(plugin: TenantPlugin, event: MatSlideToggleChange): Promise<void> {
    const enabled = event.checked;
    // The switch shows the plugin's actual state until the kernel has made the change (and the list reloads).
    event.source.checked = plugin.enabled;
    const tenantId = this.tenantId();
    const list = this.plugins.value() ?? [];
    this.pending.set(plugin.pluginId);
    this.message.set(undefined);
    this.failure.set(undefined);
    try {
      const plan = await this.admin.changePlugin(tenantId, plugin.pluginId, { enabled }, { cascade: true, dryRun: true });
      const cascade = cascadeOf(plan, plugin.pluginId);
      if (cascade.length > 0) {
        const ok = await confirm(this.dialog, {
          title: `${enabled ? 'Enable' : 'Disable'} ${plugin.displayName}?`,
          message: enabled
            ? `${plugin.displayName} needs other plugins that are not enabled for this tenant. Enabling it also:`
            : `Other enabled plugins need ${plugin.displayName}. Disabling it also:`,
          items: describeCascade(plan, plugin.pluginId, list),
          confirmLabel: enabled ? `Enable ${cascade.length + 1} plugins` : `Disable ${cascade.length + 1} plugins`,
          danger: !enabled,
        });
        if (!ok) return;
      }
      const applied = await this.admin.changePlugin(tenantId, plugin.pluginId, { enabled }, { cascade: cascade.length > 0 });
      this.plugins.set([...applied.plugins]);
      const others = cascadeOf(applied, plugin.pluginId).map((c) => this.nameOf(c.pluginId));
      this.message.set(`${plugin.displayName} ${enabled ? 'enabled' : 'disabled'}${others.length ? `, and ${others.join(', ')}` : ''}.`);
      this.live.announce(tenantId);
      if (tenantId === this.session.tenant()?.id) void this.workspace.load();
    } catch (error) {
      const problem = toProblem(error);
      this.failure.set({ pluginId: plugin.pluginId, text: describeProblem(problem), needsConfig: problem.code === 'VV_CONFIG_INVALID' });
    } finally {
      this.pending.set(undefined);
    }
  }
}
