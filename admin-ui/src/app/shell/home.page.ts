import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { SessionService } from '../session/session.service';
import { Icon } from '../ui/icon';
import { WorkspacePlugins } from './workspace-plugins';

/** The workspace landing page: what this tenant can do, from its enabled plugins. */
@Component({
  selector: 'vv-home-page',
  imports: [RouterLink, Icon],
  template: `
    <h1>{{ session.tenant()?.name }}</h1>
    @if (denied) {
      <p class="vv-card" role="alert">You need the “{{ denied }}” role for that page.</p>
    }
    @if (plugins.status() === 'ready' && plugins.nav().length === 0) {
      <div class="vv-card">
        <h2>No workspace pages yet</h2>
        <p>
          No plugin with a workspace page is enabled for this tenant.
          @if (session.hasRole('tenant-admin')) {
            Enable one under Administration.
          }
        </p>
      </div>
    }
    <ul class="cards">
      @for (entry of plugins.nav(); track entry.pluginId + '/' + entry.path) {
        <li>
          <a class="vv-card" [routerLink]="'/workspace/' + entry.path">
            <vv-icon [name]="entry.icon" />
            <span>{{ entry.label }}</span>
            <small>{{ entry.pluginId }}</small>
          </a>
        </li>
      }
    </ul>
  `,
  styles: `
    .cards {
      list-style: none;
      padding: 0;
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
      gap: 1rem;
    }
    .cards a {
      display: flex;
      flex-direction: column;
      gap: 0.35rem;
      text-decoration: none;
      color: var(--vv-text);
      height: 100%;
    }
    .cards a:hover {
      border-color: var(--vv-primary);
    }
    .cards span {
      font-weight: 500;
    }
    .cards small {
      color: var(--vv-muted);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HomePage {
  protected readonly session = inject(SessionService);
  protected readonly plugins = inject(WorkspacePlugins);
  protected readonly denied = inject(ActivatedRoute).snapshot.queryParamMap.get('denied');
}
