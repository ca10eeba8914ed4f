import { VvError, isVvError } from '@valueverse/plugin-sdk';
import type { CalculationService } from '@valueverse/plugin-calculation/api';
import type { ValueModelsService } from '@valueverse/plugin-value-architect/api';
import type { Commitment, CommitmentsService } from '@valueverse/plugin-value-committer/api';
import type { Realization, RealizationService } from '@valueverse/plugin-value-executor/api';
import { committedModel, type CommittedModel } from './model/committed-model';

/** The services the amplifier reads; `models` is absent when value-architect is not installed. */
export interface AmplifierDeps {
  readonly commitments: CommitmentsService;
  readonly realization: RealizationService;
  readonly calc: CalculationService;
  readonly models: ValueModelsService | undefined;
}

/** What the amplifier knows about one commitment. */
export interface CommitmentContext {
  readonly commitment: Commitment;
  readonly realization: Realization;
  readonly committed: CommittedModel;
  /** The latest actual of each measured driver. */
  readonly actuals: ReadonlyMap<string, number>;
}

/** Loads a commitment of the tenant with its realization and committed model; 404 for unknown and foreign ids alike. */
export async function loadCommitmentContext(deps: AmplifierDeps, tenantId: string, commitmentId: string): Promise<CommitmentContext> {
  const commitment = await deps.commitments.get(tenantId, commitmentId);
  const realization = commitment && commitment.tenantId === tenantId ? await deps.realization.forCommitment(tenantId, commitmentId) : undefined;
  if (!commitment || !realization) throw new VvError('VV_NOT_FOUND', { detail: `Commitment ${commitmentId} not found` });
  const actuals = new Map(realization.drivers.filter((d) => d.actual !== null).map((d) => [d.key, d.actual!]));
  return { commitment, realization, committed: await committedModel(commitment, deps.models), actuals };
}

/**
 * Runs a calculation on a model the amplifier built. The request came from stored data, not from the client, so a
 * calculation that refuses the model is a conflict with the stored model (409), never the client's 400.
 */
export async function onStoredModel<T>(commitmentId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isVvError(error) && error.code === 'VV_VALIDATION') {
      throw new VvError('VV_CONFLICT', { detail: `The committed model of commitment ${commitmentId} cannot be evaluated: ${error.message}`, cause: error });
    }
    throw error;
  }
}
