import { Injectable, computed, inject, signal, type Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router } from '@angular/router';
import { map } from 'rxjs';
import { ApiClient } from '../api/api-client';
import type { ValueModel } from './calculation-api';
import { SAMPLE_MODEL } from './sample-model';
import { toModelPage, type SavedModel } from './value-models/saved-model';

export interface ModelChoice {
  readonly id: string;
  readonly name: string;
  readonly model: ValueModel;
}

/** The most the value-models plugin lists in one page. */
const MODEL_LIMIT = 100;

const SAMPLE: ModelChoice = { id: 'sample', name: SAMPLE_MODEL.name ?? 'Sample', model: SAMPLE_MODEL };

/** The picker's entry for a saved model. */
export function toChoice(saved: SavedModel): ModelChoice {
  return { id: saved.id, name: saved.name, model: saved.model };
}

/**
 * The models the what-if and report pages can use: the tenant's saved value models when the value-models plugin
 * answers, and always the sample.
 */
@Injectable({ providedIn: 'root' })
export class ModelSource {
  private readonly api = inject(ApiClient);
  readonly choices = signal<readonly ModelChoice[]>([SAMPLE]);
  readonly note = signal<string | undefined>(undefined);
  /** True once the saved models were asked for (answered or not): pages compute nothing on a model about to change. */
  readonly loaded = signal(false);

  async load(): Promise<void> {
    try {
      const page = toModelPage(await this.api.get<unknown>('/api/v1/value-models', { limit: MODEL_LIMIT }));
      const saved = page.items.map(toChoice);
      const more = page.nextCursor !== null;
      this.choices.set([...saved, SAMPLE]);
      this.note.set(
        !saved.length
          ? 'No saved value models yet: using the sample model.'
          : more
            ? `Showing the ${MODEL_LIMIT} newest value models; open an older one from the value models list.`
            : undefined,
      );
    } catch {
      this.choices.set([SAMPLE]);
      this.note.set('Value models are not available for this tenant: using the sample model.');
    } finally {
      this.loaded.set(true);
    }
  }
}

export interface ModelSelection {
  readonly source: ModelSource;
  /** The model the page shows: `?model=` in the URL, else the newest saved model, else the sample. */
  readonly choice: Signal<ModelChoice>;
  select(id: string): void;
}

/**
 * The model a workspace page works on, kept in the URL (`?model=`) so pages link to each other with it and a
 * reload keeps it (issue 19, bug 3: What-if and the report always opened on the sample). Call in an injection
 * context (a page's field initializer).
 */
export function modelSelection(): ModelSelection {
  const source = inject(ModelSource);
  const router = inject(Router);
  const route = inject(ActivatedRoute);
  const fromUrl = toSignal(route.queryParamMap.pipe(map((p) => p.get('model') ?? undefined)));
  // Saved models come first (newest first), the sample last: with no `?model=` the newest saved model is shown.
  const choice = computed(() => source.choices().find((c) => c.id === fromUrl()) ?? source.choices()[0]!);
  return {
    source,
    choice,
    select: (id) => void router.navigate([], { relativeTo: route, queryParams: { model: id }, queryParamsHandling: 'merge', replaceUrl: true }),
  };
}
