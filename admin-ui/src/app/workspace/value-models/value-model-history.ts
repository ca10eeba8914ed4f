import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, linkedSignal, resource, signal } from '@angular/core';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { RequestState } from '../../ui/request-state';
import { toVersionPage, type ModelVersionSummary } from './saved-model';

const PAGE_SIZE = 10;

/**
 * A saved model's versions, newest first (value-architect keeps a full snapshot per save). Reloads when `version`
 * (the model's latest) changes, so a save shows up at once.
 */
@Component({
  selector: 'vv-value-model-history',
  imports: [DatePipe, RequestState],
  template: `
    <section class="vv-card" aria-labelledby="history-title">
      <h2 id="history-title">Version history</h2>
      <vv-request-state [loading]="page.isLoading() && !page.hasValue()" [problem]="problem()" what="the version history" (retry)="page.reload()" />
      @if (page.hasValue()) {
        <ol class="versions" data-testid="model-versions" [attr.aria-busy]="page.isLoading()">
          @for (v of versions(); track v.version) {
            <li>
              <strong>Version {{ v.version }}</strong>
              @if (v.version === version()) {
                <span class="vv-badge ok">current</span>
              }
              <span class="meta">{{ v.name }} · {{ v.status }} · {{ v.createdAt | date: 'medium' }} · by {{ v.createdBy === userId() ? 'you' : v.createdBy }}</span>
            </li>
          } @empty {
            <li>No versions recorded.</li>
          }
        </ol>
        @if (nextCursor()) {
          <button type="button" (click)="loadOlder()" [disabled]="loadingOlder()">Show older versions</button>
        }
        @if (olderError(); as e) {
          <p class="err" role="alert">Older versions could not be loaded: {{ e }}</p>
        }
      }
    </section>
  `,
  styles: `
    h2 {
      margin-top: 0;
    }
    .versions {
      list-style: none;
      padding: 0;
      margin: 0 0 0.5rem;
      display: grid;
      gap: 0.35rem;
    }
    .versions li {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: baseline;
    }
    .meta {
      color: var(--vv-muted);
      font-size: 0.9rem;
    }
    .err {
      color: var(--vv-danger);
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
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ValueModelHistory {
  private readonly api = inject(ApiClient);
  private readonly session = inject(SessionService);
  protected readonly userId = computed(() => this.session.user()?.id);
  readonly modelId = input.required<string>();
  /** The model's latest version: a new one reloads the history. */
  readonly version = input<number | undefined>(undefined);

  protected readonly page = resource({
    params: () => ({ id: this.modelId(), version: this.version() }),
    loader: async ({ params, abortSignal }) =>
      toVersionPage(await this.api.get<unknown>(`/api/v1/value-models/${encodeURIComponent(params.id)}/versions`, { limit: PAGE_SIZE }, abortSignal)),
  });
  /** Pages after the first, fetched with "Show older versions"; dropped when the first page reloads. */
  // value() throws while the resource is in error: read it through hasValue().
  private readonly first = computed(() => (this.page.hasValue() ? this.page.value() : undefined));
  private readonly older = linkedSignal<unknown, { items: readonly ModelVersionSummary[]; nextCursor: string | null } | undefined>({
    source: () => this.first(),
    computation: () => undefined,
  });
  protected readonly versions = computed(() => [...(this.first()?.items ?? []), ...(this.older()?.items ?? [])]);
  protected readonly nextCursor = computed(() => {
    const older = this.older();
    return older ? older.nextCursor : (this.first()?.nextCursor ?? null);
  });
  protected readonly loadingOlder = signal(false);
  protected readonly olderError = signal<string | undefined>(undefined);
  protected readonly problem = computed(() => {
    const e = this.page.error();
    return e ? toProblem(e) : undefined;
  });

  protected async loadOlder(): Promise<void> {
    const cursor = this.nextCursor();
    if (!cursor) return;
    this.loadingOlder.set(true);
    this.olderError.set(undefined);
    try {
      const next = toVersionPage(await this.api.get<unknown>(`/api/v1/value-models/${encodeURIComponent(this.modelId())}/versions`, { limit: PAGE_SIZE, cursor }));
      this.older.update((o) => ({ items: [...(o?.items ?? []), ...next.items], nextCursor: next.nextCursor }));
    } catch (error) {
      this.olderError.set(describeProblem(toProblem(error)));
    } finally {
      this.loadingOlder.set(false);
    }
  }
}
