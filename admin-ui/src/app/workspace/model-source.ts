import { Injectable, inject, signal } from '@angular/core';
import { ApiClient } from '../api/api-client';
import type { ValueModel } from './calculation-api';
import { SAMPLE_MODEL } from './sample-model';

export interface ModelChoice {
  readonly id: string;
  readonly name: string;
  readonly model: ValueModel;
}

/** The most the value-models plugin lists in one page. */
const MODEL_LIMIT = 100;

const SAMPLE: ModelChoice = { id: 'sample', name: SAMPLE_MODEL.name ?? 'Sample', model: SAMPLE_MODEL };

/** Reads a saved value model from the value-models plugin's item shape ({model} or the model itself). */
export function toChoice(item: unknown): ModelChoice | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const i = item as Record<string, unknown>;
  const model = (i['model'] && typeof i['model'] === 'object' ? i['model'] : i) as Partial<ValueModel>;
  if (!Array.isArray(model.drivers) || typeof model.horizon !== 'number' || typeof model.benefit !== 'string') return undefined;
  const id = String(i['id'] ?? model.name ?? 'model');
  return { id, name: String(i['name'] ?? model.name ?? id), model: model as ValueModel };
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
      const body = await this.api.get<{ items?: unknown[]; nextCursor?: string | null } | unknown[]>('/api/v1/value-models', { limit: MODEL_LIMIT });
      const items = Array.isArray(body) ? body : (body.items ?? []);
      const saved = items.map(toChoice).filter((c): c is ModelChoice => !!c);
      const more = !Array.isArray(body) && typeof body.nextCursor === 'string';
      this.choices.set([...saved, SAMPLE]);
      this.note.set(
        !saved.length ? 'No saved value models yet: using the sample model.'
        : more ? `Showing the ${MODEL_LIMIT} newest value models; open an older one from the value models list.`
        : undefined,
      );
    } catch {
      this.choices.set([SAMPLE]);
      this.note.set('Value models are not available for this tenant: using the sample model.');
    }
  }
}
