import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { describeProblem, toProblem } from '../api/problem';
import { WorkspacePlugins } from '../shell/workspace-plugins';
import { SessionService } from './session.service';

/** `/select-tenant`: the user's tenants, one click to work in another (the header's picker, as a page). */
@Component({
  selector: 'vv-select-tenant-page',
  template: `
    <h1>Choose a tenant</h1>
    @if (problem(); as p) {
      <p class="vv-card" role="alert">{{ p }}</p>
    }
    <ul class="tenants">
      @for (t of session.tenants(); track t.id) {
        <li>
          <button type="button" class="vv-card" [attr.aria-current]="t.id === session.tenant()?.id ? 'true' : null" [disabled]="switching()" (click)="choose(t.id)">
            <strong>{{ t.name }}</strong>
            <span>{{ t.role }}{{ t.id === session.tenant()?.id ? ' · current' : '' }}</span>
          </button>
        </li>
      }
    </ul>
  `,
  styles: `
    .tenants {
      list-style: none;
      padding: 0;
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 240px), 1fr));
      gap: 0.75rem;
    }
    button {
      width: 100%;
      text-align: left;
      font: inherit;
      display: grid;
      gap: 0.25rem;
      cursor: pointer;
    }
    button[aria-current] {
      border-color: var(--vv-primary);
    }
    span {
      color: var(--vv-muted);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SelectTenantPage {
  protected readonly session = inject(SessionService);
  private readonly plugins = inject(WorkspacePlugins);
  private readonly router = inject(Router);
  protected readonly switching = signal(false);
  protected readonly problem = signal<string | undefined>(undefined);

  protected async choose(tenantId: string): Promise<void> {
    this.switching.set(true);
    this.problem.set(undefined);
    try {
      if (tenantId !== this.session.tenant()?.id) {
        await this.session.switchTenant(tenantId);
        await this.plugins.load();
      }
      await this.router.navigateByUrl('/workspace');
    } catch (error) {
      this.problem.set(describeProblem(toProblem(error)));
    } finally {
      this.switching.set(false);
    }
  }
}
