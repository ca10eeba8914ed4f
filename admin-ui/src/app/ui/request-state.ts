import { TitleCasePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { describeProblem, isUnavailable, type Problem } from '../api/problem';

/**
 * Loading and error states of a request, the same everywhere: a spinner with a status message while loading; on
 * failure an alert with the server's explanation and a retry button. A capability that is not there for the tenant
 * (plugin disabled, not installed, failed) gets its own explanation instead of a generic error.
 */
@Component({
  selector: 'vv-request-state',
  template: `
    @if (loading()) {
      <div class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>Loading {{ what() }}…</div>
    } @else if (problem(); as p) {
      <div class="vv-card problem" role="alert" [attr.data-code]="p.code" [class.unavailable]="unavailable()">
        @if (unavailable()) {
          <h2>{{ feature() || 'This page' }} is not available</h2>
          <p>
            {{ feature() || 'This page' }} needs a plugin that is not enabled or not running for this tenant.
            @if (p.code === 'VV_PLUGIN_NOT_ENABLED') {
              An administrator can enable it under Administration.
            }
          </p>
          <p class="detail">{{ message() }}</p>
        } @else {
          <h2>{{ what() | titlecase }} could not be loaded</h2>
          <p>{{ message() }}</p>
        }
        @if (p.requestId) {
          <p class="detail">Request id: {{ p.requestId }}</p>
        }
        @if (retryable()) {
          <button type="button" (click)="retry.emit()">Try again</button>
        }
      </div>
    }
  `,
  styles: `
    .loading {
      display: flex;
      align-items: center;
      gap: 0.75rem;
      color: var(--vv-muted);
      padding: 1rem 0;
    }
    .spinner {
      width: 20px;
      height: 20px;
      border: 3px solid #d3e3fd;
      border-top-color: var(--vv-primary);
      border-radius: 50%;
      animation: spin 0.8s linear infinite;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .spinner {
        animation-duration: 3s;
      }
    }
    .problem {
      border-color: var(--vv-danger);
    }
    .problem.unavailable {
      border-color: #b06000;
      background: var(--vv-warn-bg);
    }
    .problem h2 {
      margin-top: 0;
    }
    .detail {
      color: var(--vv-muted);
      font-size: 0.85rem;
    }
    button {
      font: inherit;
      padding: 0.35rem 1rem;
      border-radius: 999px;
      border: 1px solid var(--vv-border);
      background: var(--vv-surface);
      color: var(--vv-primary);
      cursor: pointer;
    }
  `,
  imports: [TitleCasePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RequestState {
  readonly loading = input(false);
  readonly problem = input<Problem | undefined>(undefined);
  /** What is being loaded, for messages: "tenants", "the audit log". */
  readonly what = input('data');
  /** The capability's name when a plugin provides it: "Realization tracking". */
  readonly feature = input<string | undefined>(undefined);
  readonly retry = output<void>();

  protected readonly unavailable = computed(() => {
    const p = this.problem();
    return !!p && !!this.feature() && isUnavailable(p);
  });
  /**
   * Whether trying again may help: a network failure, a timeout, a rate limit, a server error — or a plugin that
   * is not running yet. Not a 4xx such as a missing model or a refused permission (issue 19, bug 8).
   */
  protected readonly retryable = computed(() => {
    const p = this.problem();
    if (!p) return false;
    return p.status === 0 || p.status === 408 || p.status === 429 || p.status >= 500 || (!!this.feature() && isUnavailable(p));
  });
  protected readonly message = computed(() => {
    const p = this.problem();
    return p ? describeProblem(p) : '';
  });
}
