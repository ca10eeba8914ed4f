import type { ValueModel } from '../calculation-api';

// Shapes of value-architect's answers (plugins/value-architect/src/models/value-model-store.ts), read defensively
// like the other lifecycle answers: a missing field becomes a default rather than an exception in a template.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const int = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) ? v : fallback);

/** A saved value model (`GET /value-models/:id`, or one item of the list): its latest version. */
export interface SavedModel {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly status: string;
  readonly industry: string | null;
  readonly currency: string;
  readonly description: string | null;
  readonly model: ValueModel;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** One entry of a model's history (`GET /value-models/:id/versions`). */
export interface ModelVersionSummary {
  readonly version: number;
  readonly name: string;
  readonly status: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** A cursor page of the plugin's list routes. */
export interface ModelPage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

function isValueModel(v: unknown): v is ValueModel {
  return isObject(v) && Array.isArray(v['drivers']) && typeof v['horizon'] === 'number' && typeof v['benefit'] === 'string';
}

export function toSavedModel(raw: unknown): SavedModel | undefined {
  if (!isObject(raw) || typeof raw['id'] !== 'string' || !isValueModel(raw['model'])) return undefined;
  const name = str(raw['name'], raw['model'].name ?? raw['id']);
  return {
    id: raw['id'],
    name,
    version: int(raw['version'], 1),
    status: str(raw['status'], 'draft'),
    industry: typeof raw['industry'] === 'string' ? raw['industry'] : null,
    currency: str(raw['currency'], 'USD'),
    description: typeof raw['description'] === 'string' ? raw['description'] : null,
    model: raw['model'],
    updatedAt: str(raw['updatedAt'], str(raw['createdAt'])),
    updatedBy: str(raw['updatedBy'], str(raw['createdBy'])),
  };
}

function pageOf<T>(raw: unknown, read: (item: unknown) => T | undefined): ModelPage<T> {
  const body = isObject(raw) ? raw : {};
  const items = (Array.isArray(body['items']) ? body['items'] : []).map(read).filter((x): x is T => x !== undefined);
  return { items, nextCursor: typeof body['nextCursor'] === 'string' && body['nextCursor'] ? body['nextCursor'] : null };
}

export function toModelPage(raw: unknown): ModelPage<SavedModel> {
  return pageOf(raw, toSavedModel);
}

export function toVersionPage(raw: unknown): ModelPage<ModelVersionSummary> {
  return pageOf(raw, (v) =>
    isObject(v) && typeof v['version'] === 'number'
      ? { version: v['version'], name: str(v['name']), status: str(v['status'], 'draft'), createdBy: str(v['createdBy']), createdAt: str(v['createdAt']) }
      : undefined,
  );
}
