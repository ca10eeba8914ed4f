import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, resource } from '@angular/core';
import { AdminApi } from '../../api/admin-api';
import { toProblem } from '../../api/problem';
import { RequestState } from '../../ui/request-state';

/** Every plugin's state on this instance (GET /health/ready), refreshed every 15 s. */
@Component({
  selector: 'vv-health-page',
  imports: [DatePipe, RequestState],
  template: `
    <div class="vv-toolbar">
      <h1>Plugin health</h1>
      <span class="vv-grow"></span>
      <button type="button" class="refresh" (click)="report.reload()" [disabled]="report.isLoading()">Refresh</button>
    </div>
    <vv-request-state [loading]="report.isLoading() && !report.hasValue()" [problem]="problem()" what="plugin health" (retry)="report.reload()" />
    @if (report.hasValue()) {
      @let r = report.value();
      <p role="status">
        Instance <strong>{{ r.status }}</strong>{{ r.kernel ? ', kernel ' + r.kernel : '' }}: {{ counts().running }} of {{ r.plugins.length }} plugins running.
      </p>
      <div class="vv-table-wrap">
        <table class="vv-table" aria-label="Plugin health">
          <thead>
            <tr>
              <th scope="col">Plugin</th>
              <th scope="col">Version</th>
              <th scope="col">State</th>
              <th scope="col">Since</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            @for (p of r.plugins; track p.id) {
              <tr [attr.data-plugin]="p.id">
                <td>
                  <code>{{ p.id }}</code>
                </td>
                <td>{{ p.version }}</td>
                <td>
                  <span class="vv-badge" [class.ok]="p.state === 'running'" [class.danger]="p.state === 'failed'" [class.warn]="p.state !== 'running' && p.state !== 'failed'">{{
                    p.state
                  }}</span>
                </td>
                <td>{{ p.since | date: 'medium' }}</td>
                <td>
                  @if (p.error) {
                    <strong>{{ p.error.code }}</strong>: {{ p.error.message }}
                  }
                </td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    }
  `,
  styles: `
    .vv-toolbar h1 {
      margin: 0;
    }
    .refresh {
      font: inherit;
      background: none;
      border: 1px solid var(--vv-border);
      border-radius: 999px;
      padding: 0.3rem 0.9rem;
      color: var(--vv-primary);
      cursor: pointer;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HealthPage {
  private readonly admin = inject(AdminApi);
  protected readonly report = resource({ loader: () => this.admin.health() });
  protected readonly counts = computed(() => ({ running: this.report.value()?.plugins.filter((p) => p.state === 'running').length ?? 0 }));

  constructor() {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') this.report.reload();
    }, 15_000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected problem() {
    const e = this.report.error();
    return e ? toProblem(e) : undefined;
  }
}
