import { createServiceRef } from '@valueverse/plugin-sdk';
import type { ValueModel } from '@valueverse/plugin-calculation/api';

// The contract value-committer (and later plugins) program against. Changing a member is a breaking change of the
// `value-models` service: bump the plugin's major version.

export type ValueModelStatus = 'draft' | 'published' | 'archived';

/** Where a model started from, when it was built from the driver library. */
export interface ValueModelOrigin {
  readonly library: { readonly industry: string; readonly drivers: readonly string[] };
}

/**
 * One saved version of a value model. `model` is a calculation-plugin `ValueModel`: it can be sent as is to
 * `calculation.evaluateModel({ model })`, `simulate`, `/api/v1/calculate/*`. Drivers carry their human label in
 * `description`.
 */
export interface ValueModelVersion {
  /** Id of the value model (the same for every version). */
  readonly id: string;
  readonly tenantId: string;
  /** 1 for the first save, +1 for each change. */
  readonly version: number;
  readonly name: string;
  readonly description: string | null;
  /** Industry key of the driver library (`software`, `manufacturing`, ...), or null. */
  readonly industry: string | null;
  readonly status: ValueModelStatus;
  /** ISO 4217 code of the model's money amounts. */
  readonly currency: string;
  readonly model: ValueModel;
  readonly origin: ValueModelOrigin | null;
  /** Who saved this version, and when (ISO timestamp). */
  readonly createdBy: string;
  readonly createdAt: string;
}

/** Read access to value models for other plugins, always within one tenant. */
export interface ValueModelsService {
  /**
   * The model as saved at `version` (the latest when omitted); undefined when the tenant has no such model or version,
   * or the model was deleted.
   */
  getVersion(tenantId: string, id: string, version?: number): Promise<ValueModelVersion | undefined>;
  /** Models of the tenant whose name or description contains `q` (all when omitted), newest first, at most `limit` (default 20). */
  find(tenantId: string, query?: { readonly q?: string; readonly limit?: number }): Promise<ValueModelVersion[]>;
  /**
   * Creates a model as `POST /api/v1/value-models` does (checked by the calculation engine, audited, announced), on
   * behalf of `userId`: for a plugin applying a change its user accepted. The caller checks the user may write.
   * Invalid input throws `VV_VALIDATION` with pointers into `input`.
   */
  create(tenantId: string, userId: string, input: ValueModelInput): Promise<ValueModelVersion>;
  /** Changes a model as `PUT /api/v1/value-models/:id` does; a stale `version` throws `VV_CONFLICT`, an unknown id `VV_NOT_FOUND`. */
  update(tenantId: string, userId: string, id: string, changes: ValueModelChanges): Promise<ValueModelVersion>;
}

/** What a new model is made of: a model body, or drivers of the library (exactly one of `model` and `fromLibrary`). */
export interface ValueModelInput {
  readonly name?: string;
  readonly description?: string | null;
  readonly industry?: string | null;
  readonly status?: ValueModelStatus;
  readonly currency?: string;
  readonly model?: ValueModel;
  readonly fromLibrary?: { readonly industry: string; readonly drivers?: readonly string[] };
}

/** A change of a model; `version` (the one the change was made on) makes a concurrent save a conflict. */
export interface ValueModelChanges extends Omit<ValueModelInput, 'fromLibrary'> {
  readonly version?: number;
}

/** The `value-models` service ref (manifest: `"requires": { "value-architect": "^1.0.0" }`). */
export const valueModelsRef = createServiceRef<ValueModelsService>({ id: 'value-models' });

/** Events published by value-architect (payload: `{ modelId, version }`, plus `source` for hypotheses). */
export const valueModelEvents = ['value-model.created', 'value-model.updated', 'value-model.deleted', 'value-model.hypotheses-generated'] as const;
export type ValueModelEventName = (typeof valueModelEvents)[number];
