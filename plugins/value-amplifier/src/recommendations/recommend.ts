import { loadCommitmentContext, onStoredModel, type AmplifierDeps } from '../commitment-context';
import { jointEffect, type JointEffect } from './joint-effect';
import { rankRecommendations, slopesOf, type RankedRecommendations } from './rank-recommendations';

export interface RecommendationsReport extends RankedRecommendations {
  readonly commitmentId: string;
  readonly currency: string;
  /** The value metric sensitivities are measured on. */
  readonly metric: 'npv';
  readonly modelSource: 'value-model' | 'surrogate';
  /** Overall realization, from value-executor. */
  readonly realization: number;
  readonly atRisk: boolean;
  /** All measured gaps together beside the sum of their single effects, and the interaction; null before any measurement. */
  readonly jointEffect: JointEffect | null;
}

/**
 * Recommendations for one commitment: the tornado sensitivity of the committed model (NPV, drivers at committed
 * values, ±10% where a driver has no range) gives each driver's value per unit; each measured driver's gap times
 * that ranks what to act on.
 */
export async function recommend(deps: AmplifierDeps, tenantId: string, commitmentId: string): Promise<RecommendationsReport> {
  const { commitment, realization, committed, actuals } = await loadCommitmentContext(deps, tenantId, commitmentId);
  const sensitivity = await onStoredModel(commitmentId, () => deps.calc.sensitivity({ model: committed.model, metric: 'npv', swing: 0.1 }));
  const ranked = rankRecommendations(realization.drivers, commitment.drivers, slopesOf(sensitivity), commitment.currency);
  return {
    commitmentId,
    currency: commitment.currency,
    metric: 'npv',
    modelSource: committed.source,
    realization: realization.overall,
    atRisk: realization.atRisk,
    ...ranked,
    jointEffect: await onStoredModel(commitmentId, () => jointEffect(deps.calc, committed.model, actuals)),
  };
}
