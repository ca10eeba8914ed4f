import type { CommitmentsService } from '@valueverse/plugin-value-committer/api';
import { measurableStatuses } from '../measurements/measurement-checker';
import type { MilestoneTransition, RealizationEngine } from './realization-engine';

/** One commitment of a tenant-wide evaluation. */
export interface CommitmentEvaluation {
  readonly commitmentId: string;
  readonly overall: number;
  readonly atRisk: boolean;
  readonly transitions: readonly MilestoneTransition[];
}

/** What `POST /api/v1/realization/evaluate` answers, and what the periodic evaluation logs. */
export interface TenantEvaluation {
  readonly asOf: string;
  readonly evaluated: number;
  readonly commitments: readonly CommitmentEvaluation[];
}

/**
 * Evaluates every signed or active commitment of the tenant as of `asOf`, publishing the milestone events of the
 * transitions. Safe to repeat: each transition is claimed once (see `RealizationEngine`), so running it again, or
 * beside a request doing the same, publishes nothing twice.
 */
export async function evaluateTenant(
  deps: { readonly engine: RealizationEngine; readonly commitments: CommitmentsService },
  tenantId: string,
  asOf: Date,
): Promise<TenantEvaluation> {
  const inForce = await deps.commitments.list(tenantId, { status: measurableStatuses });
  const results: CommitmentEvaluation[] = [];
  for (const commitment of inForce) {
    const { realization, transitions } = await deps.engine.evaluate(tenantId, commitment, asOf);
    results.push({ commitmentId: commitment.id, overall: realization.overall, atRisk: realization.atRisk, transitions });
  }
  return { asOf: asOf.toISOString(), evaluated: results.length, commitments: results };
}
