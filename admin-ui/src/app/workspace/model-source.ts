import { Injectable, inject, signal } from '@angular/core';
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
    }
  }
}
