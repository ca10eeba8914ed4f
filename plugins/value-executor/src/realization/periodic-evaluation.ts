import type { JobQueue, Logger } from '@valueverse/plugin-sdk';
import type { CommitmentsService } from '@valueverse/plugin-value-committer/api';
import { evaluateTenant } from './evaluate-tenant';
import type { RealizationEngine } from './realization-engine';

/** When the periodic evaluation runs: at each `offsetMs + k × everyMs` ms after the epoch (UTC). */
export interface EvaluationSchedule {
  readonly everyMs: number;
  readonly offsetMs?: number;
}

/**
 * Daily at 00:05 UTC: a milestone is missed from 00:00 UTC of the day after its due date (`computeRealization`),
 * so this is the first run to see it.
 */
export const dailyEvaluation: EvaluationSchedule = { everyMs: 86_400_000, offsetMs: 5 * 60_000 };

export const evaluationJob = 'evaluate-commitments';

/**
 * Evaluates every signed or active commitment of each tenant that has the executor enabled, on a schedule, as
 * `POST /api/v1/realization/evaluate` does on request: `milestone.missed` goes out when a due date passes even if
 * nobody measures or calls the API. One job per tenant and slot (a `perTenant` schedule), so a tenant whose
 * evaluation fails is retried, and dead-lettered, on its own; repeating an evaluation publishes nothing twice.
 */
export function schedulePeriodicEvaluation(
  jobs: JobQueue,
  deps: { readonly engine: RealizationEngine; readonly commitments: CommitmentsService; readonly logger: Logger },
  schedule: EvaluationSchedule = dailyEvaluation,
): void {
  jobs.define(
    evaluationJob,
    async (job) => {
      // As of the run, not of the slot: a retry an hour later should see that hour.
      const result = await evaluateTenant(deps, job.tenantId, new Date());
      const transitions = result.commitments.reduce((n, c) => n + c.transitions.length, 0);
      if (transitions > 0) deps.logger.info({ tenantId: job.tenantId, evaluated: result.evaluated, transitions }, 'periodic evaluation changed milestone statuses');
    },
    { attempts: 3, backoffMs: 30_000 },
  );
  jobs.schedule(evaluationJob, { ...schedule, perTenant: true });
}
