import type { EventBus, Logger, PluginDatabase } from '@valueverse/plugin-sdk';
import type { Commitment, CommitmentsService } from '@valueverse/plugin-value-committer/api';
import type { MeasurementStore } from '../measurements/measurement-store';
import type { RealizationService, ValueRealized, ValueRealizedQuery } from '../realization-api';
import { valueRealized } from './value-realized';
import { computeRealization, type MilestoneReport, type MilestoneStatus, type RealizationReport } from './compute-realization';

/** A milestone whose status changed in an evaluation, and the event published for it (if the new status has one). */
export interface MilestoneTransition {
  readonly milestoneId: string;
  readonly from: MilestoneStatus | null;
  readonly to: MilestoneStatus;
  readonly event: string | null;
}

export interface Evaluation {
  readonly realization: RealizationReport;
  readonly transitions: readonly MilestoneTransition[];
}

/** The events of entering a status; leaving one (at-risk → on-track) publishes nothing. */
const eventOnEntering: Partial<Record<MilestoneStatus, string>> = {
  achieved: 'milestone.achieved',
  missed: 'milestone.missed',
  'at-risk': 'realization.at-risk',
};

export interface RealizationEngineDeps {
  readonly db: PluginDatabase;
  readonly store: MeasurementStore;
  readonly commitments: CommitmentsService;
  readonly events: EventBus;
  readonly logger: Logger;
}

/**
 * Computes realization from stored measurements and turns milestone status changes into events. The last status
 * per milestone is kept in `milestone_states`; an evaluation publishes an event only for the transitions its own
 * statement changed there, so each transition is published once however many measurements or evaluations race.
 */
export class RealizationEngine implements RealizationService {
  constructor(private readonly deps: RealizationEngineDeps) {}

  /** The `value-realization` service: realization as of now, undefined for an unknown (or another tenant's) commitment. */
  async forCommitment(tenantId: string, commitmentId: string, asOf: Date = new Date()): Promise<RealizationReport | undefined> {
    const commitment = await this.deps.commitments.get(tenantId, commitmentId);
    if (!commitment || commitment.tenantId !== tenantId) return undefined;
    return this.report(tenantId, commitment, asOf);
  }

  /** The `value-realization` service: value realized in a period (value-realized.ts). */
  valueRealized(tenantId: string, query: ValueRealizedQuery): Promise<ValueRealized | undefined> {
    return valueRealized(this.deps, tenantId, query);
  }

  async report(tenantId: string, commitment: Commitment, asOf: Date): Promise<RealizationReport> {
    return computeRealization(commitment, await this.deps.store.series(tenantId, commitment.id), asOf);
  }

  /** Computes realization as of `asOf`, records milestone transitions and publishes their events (after commit). */
  async evaluate(tenantId: string, commitment: Commitment, asOf: Date): Promise<Evaluation> {
    const realization = await this.report(tenantId, commitment, asOf);
    const transitions = await this.claimTransitions(tenantId, commitment.id, realization.milestones);
    for (const t of transitions) {
      if (!t.event) continue;
      const milestone = realization.milestones.find((m) => m.milestoneId === t.milestoneId)!;
      const payload = {
        commitmentId: commitment.id,
        milestoneId: milestone.milestoneId,
        title: milestone.title,
        metric: milestone.metric,
        dueDate: milestone.dueDate,
        target: milestone.target,
        actual: milestone.actual,
        projected: milestone.projected,
        previousStatus: t.from,
        asOf: realization.asOf,
      };
      try {
        await this.deps.events.publish(t.event, tenantId, payload);
      } catch (error) {
        this.deps.logger.error({ err: error, tenantId, commitmentId: commitment.id, event: t.event }, 'publishing a milestone event failed');
      }
    }
    return { realization, transitions };
  }

  private claimTransitions(tenantId: string, commitmentId: string, milestones: readonly MilestoneReport[]): Promise<MilestoneTransition[]> {
    if (milestones.length === 0) return Promise.resolve([]);
    return this.deps.db.transaction(tenantId, async (tx) => {
      // Lock the commitment's rows first so the `from` we report is the status we replace.
      const rows = await tx.query<{ milestone_id: string; status: MilestoneStatus }>('select milestone_id, status from milestone_states where commitment_id = $1 for update', [
        commitmentId,
      ]);
      const previous = new Map(rows.map((r) => [r.milestone_id, r.status]));
      const transitions: MilestoneTransition[] = [];
      for (const m of milestones) {
        if (previous.get(m.milestoneId) === m.status) continue;
        // Claims the transition: a concurrent evaluation that already wrote this status updates nothing here.
        const claimed = await tx.query(
          `insert into milestone_states (tenant_id, commitment_id, milestone_id, status, changed_at) values ($1, $2, $3, $4, now())
           on conflict (tenant_id, commitment_id, milestone_id)
           do update set status = excluded.status, changed_at = excluded.changed_at where milestone_states.status <> excluded.status
           returning milestone_id`,
          [tenantId, commitmentId, m.milestoneId, m.status],
        );
        if (claimed.length === 0) continue;
        transitions.push({ milestoneId: m.milestoneId, from: previous.get(m.milestoneId) ?? null, to: m.status, event: eventOnEntering[m.status] ?? null });
      }
      return transitions;
    });
  }
}
