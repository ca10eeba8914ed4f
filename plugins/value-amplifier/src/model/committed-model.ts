import type { ValueModel } from '@valueverse/plugin-calculation/api';
import type { ValueModelsService } from '@valueverse/plugin-value-architect/api';
import type { Commitment } from '@valueverse/plugin-value-committer/api';
import { surrogateModel } from './surrogate-model';

/** The model the amplifier reasons with, and where it came from. */
export interface CommittedModel {
  readonly model: ValueModel;
  /** `value-model`: the committed version from value-architect; `surrogate`: see `surrogateModel`. */
  readonly source: 'value-model' | 'surrogate';
}

/**
 * The model version the commitment was made from, its drivers set to the committed values (the commitment is the
 * contract; the model version may have carried other point values). Falls back to the surrogate when value-architect
 * is not installed or no longer has that version.
 */
export async function committedModel(commitment: Commitment, models: ValueModelsService | undefined): Promise<CommittedModel> {
  const version = await models?.getVersion(commitment.tenantId, commitment.modelId, commitment.modelVersion);
  if (!version) return { model: surrogateModel(commitment), source: 'surrogate' };
  const committed = new Map(commitment.drivers.map((d) => [d.key, d.value]));
  const model: ValueModel = {
    ...version.model,
    drivers: version.model.drivers.map((d) => (committed.has(d.name) ? { ...d, value: committed.get(d.name)! } : d)),
  };
  return { model, source: 'value-model' };
}

/** The model with some drivers moved to other values (e.g. the latest actuals). */
export function withDriverValues(model: ValueModel, values: ReadonlyMap<string, number>): ValueModel {
  return { ...model, drivers: model.drivers.map((d) => (values.has(d.name) ? { ...d, value: values.get(d.name)! } : d)) };
}
