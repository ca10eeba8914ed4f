import { createServiceRef } from '@valueverse/plugin-sdk';

// The contract value-amplifier programs against. Changing a member is a breaking change of the
// `value-realization` service: bump the plugin's major version.

export interface MilestoneRealization {
  readonly milestoneId: string;
  readonly metric: string;
  readonly dueDate: string;
  readonly target: number;
  /** Latest cumulative actual of the metric, or null before the first measurement. */
  readonly actual: number | null;
  /** actual / target (0 when no actual). */
  readonly ratio: number;
  /** Value of the trend extrapolated to the due date (least squares over the measurements), or null with < 2 points. */
  readonly projected: number | null;
  readonly status: 'pending' | 'on-track' | 'at-risk' | 'achieved' | 'missed';
}

export interface DriverRealization {
  readonly key: string;
  /** Committed value of the driver. */
  readonly committed: number;
  /** Latest actual of the driver's metric, or null. */
  readonly actual: number | null;
  /** (actual - committed) / committed, or null without actuals. */
  readonly variance: number | null;
}

export interface Realization {
  readonly commitmentId: string;
  /** Weighted realization 0..n (1 = fully realized). */
  readonly overall: number;
  readonly milestones: readonly MilestoneRealization[];
  readonly drivers: readonly DriverRealization[];
  readonly atRisk: boolean;
}

export interface RealizationService {
  forCommitment(tenantId: string, commitmentId: string): Promise<Realization | undefined>;
}

export const realizationRef = createServiceRef<RealizationService>({ id: 'value-realization' });

/** Events published by value-executor (payload includes `commitmentId` and `milestoneId` where relevant). */
export const realizationEvents = ['measurement.recorded', 'milestone.achieved', 'milestone.missed', 'realization.at-risk'] as const;
