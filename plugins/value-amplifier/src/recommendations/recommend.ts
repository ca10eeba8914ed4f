import { loadCommitmentContext, onStoredModel, type AmplifierDeps } from '../commitment-context';
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
}

/**
 * Recommendations for one commitment: the tornado sensitivity of the committed model (NPV, drivers at committed
 * values, ±10% where a driver has no range) gives each driver's value per unit; each measured driver's gap times
 * that ranks what to act on.
 */
export async function recommend(deps: AmplifierDeps, tenantId: string, commitmentId: string): Promise<RecommendationsReport> {
  const { commitment, realization, committed } = await loadCommitmentContext(deps, tenantId, commitmentId);
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
  };
}
