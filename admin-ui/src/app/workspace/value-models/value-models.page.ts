import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { ApiClient, type QueryParams } from '../../api/api-client';
import { ModelLifecycle } from './model-lifecycle';
import { describeProblem, toProblem, type Problem } from '../../api/problem';
import { RequestState } from '../../ui/request-state';
import { isDriverLibrary } from '../library-model';
import { toModelPage, type SavedModel } from './saved-model';

/** value-architect's model statuses (`valueModelSchemas.listQuery`). */
export const MODEL_STATUSES = ['draft', 'published', 'archived'] as const;
/** Models per page; the plugin allows 1–100. */
export const MODEL_PAGE_SIZE = 20;

const FILTER_KEYS = ['q', 'status', 'industry'] as const;
type Filters = Record<(typeof FILTER_KEYS)[number], string>;

/**
 * The tenant's saved value models, newest first, with the plugin's filters (name search, status, industry) kept in
 * the URL and cursor paging ("Load more"). Each model links to its editor at /workspace/value-models/:id.
 */
@Component({
  selector: 'vv-value-models-page',
  imports: [DatePipe, ReactiveFormsModule, RouterLink, RequestState, ModelLifecycle],
  templateUrl: './value-models.page.html',
  styles: `
    .vv-toolbar h1 {
      margin: 0;
    }
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem 1rem;
      align-items: flex-end;
    }
    .filters label {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      flex: 1 1 180px;
    }
    .filters .search {
      flex: 2 1 260px;
    }
    input,
    select {
      font: inherit;
      padding: 0.35rem 0.5rem;
      border: 1px solid #747775;
      border-radius: 6px;
      background: var(--vv-surface);
    }
    .buttons {
      display: flex;
      gap: 0.5rem;
    }
    .primary,
    .secondary {
      font: inherit;
      padding: 0.4rem 1.2rem;
      border-radius: 999px;
      cursor: pointer;
      text-decoration: none;
      display: inline-block;
    }
    .primary {
      border: 0;
      background: var(--vv-primary);
      color: #fff;
    }
    .secondary {
      border: 1px solid var(--vv-border);
      background: var(--vv-surface);
      color: var(--vv-primary);
    }
    .more {
      margin: 1rem 0;
    }
    .muted {
      color: var(--vv-muted);
    }
    caption {
      text-align: left;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ValueModelsPage {
  private readonly api = inject(ApiClient);
  /** What the last publish, archive, restore or delete did. */
  protected readonly lifecycleMessage = signal<string | undefined>(undefined);
  protected lifecycleChanged(message: string): void {
    this.lifecycleMessage.set(message);
    void this.load(false);
  }
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly statuses = MODEL_STATUSES;
  protected readonly filters = inject(NonNullableFormBuilder).group({ q: '', status: '', industry: '' });
  protected readonly items = signal<readonly SavedModel[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  /** True once a page arrived for the current filters: before that, "no models" would be a guess. */
  protected readonly loaded = signal(false);
  protected readonly problem = signal<Problem | undefined>(undefined);
  /** A failed "Load more": the models already shown stay. */
  protected readonly moreError = signal<string | undefined>(undefined);
  protected readonly filtered = signal(false);
  private current: Partial<Filters> = {};
  private generation = 0;

  /** Industry names for the filter and the table; the list works without them (keys are shown instead). */
  protected readonly library = resource({
    loader: async ({ abortSignal }) => {
      try {
        const body = await this.api.get<unknown>('/api/v1/value-models/library', undefined, abortSignal);
        return isDriverLibrary(body) ? body.industries.map((i) => ({ key: i.key, label: i.label })) : [];
      } catch {
        return [];
      }
    },
  });
  protected readonly industries = computed(() => (this.library.hasValue() ? this.library.value() : []));

  constructor() {
    // The URL is the source of truth: applying filters navigates, and every navigation loads the first page.
    this.route.queryParamMap.pipe(takeUntilDestroyed()).subscribe((params) => {
      const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as Filters;
      this.filters.setValue(filters);
      this.current = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
      this.filtered.set(Object.keys(this.current).length > 0);
      void this.load(false);
    });
  }

  protected industryLabel(key: string | null): string {
    if (!key) return '—';
    return this.industries().find((i) => i.key === key)?.label ?? key;
  }

  protected apply(): void {
    const v = this.filters.getRawValue();
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: { q: v.q.trim() || null, status: v.status || null, industry: v.industry || null },
    });
  }

  protected clear(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: {} });
  }

  protected async load(more: boolean): Promise<void> {
    const generation = ++this.generation;
    this.loading.set(true);
    this.moreError.set(undefined);
    if (!more) {
      this.problem.set(undefined);
      this.loaded.set(false);
    }
    try {
      const query: QueryParams = { limit: MODEL_PAGE_SIZE, ...this.current, cursor: more ? this.nextCursor() : undefined };
      const page = toModelPage(await this.api.get<unknown>('/api/v1/value-models', query));
      // Filters changed meanwhile: the newer load's answer is the one to show.
      if (generation !== this.generation) return;
      this.items.set(more ? [...this.items(), ...page.items] : page.items);
      this.nextCursor.set(page.nextCursor);
      this.loaded.set(true);
    } catch (error) {
      if (generation !== this.generation) return;
      if (more) {
        this.moreError.set(describeProblem(toProblem(error)));
      } else {
        this.problem.set(toProblem(error));
        this.items.set([]);
      }
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }
}
