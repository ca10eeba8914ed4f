import { createServiceRef } from '@valueverse/plugin-sdk';

// The contract value-amplifier programs against. Changing a member is a breaking change of the
// `value-realization` service: bump the plugin's major version.

export interface MilestoneRealization {
  readonly milestoneId: string;
  readonly metric: string;
  readonly dueDate: string;
  readonly target: number;
  /**
   * The metric's value as judged: the latest running total (cumulative metrics, flows summed toward the target),
   * or a level's trailing-window average; null before there is one.
   */
  readonly actual: number | null;
  /** actual / target (0 when no actual). */
  readonly ratio: number;
  /**
   * The Theil–Sen run rate projected to the due date, or null when no projection reaches it (too few readings,
   * too short a span, or a due date beyond twice the observed span).
   */
  readonly projected: number | null;
  /**
   * `insufficient-data`: no projection can be made yet (issue #11). `pending` is no longer produced (it meant
   * "no trend yet") but may still sit in stored milestone states from before.
   */
  readonly status: 'pending' | 'insufficient-data' | 'on-track' | 'at-risk' | 'achieved' | 'missed';
}

export interface DriverRealization {
  readonly key: string;
  /** Committed value of the driver. */
  readonly committed: number;
  /** The driver metric's value as judged (latest running total, or a level's trailing average), or null. */
  readonly actual: number | null;
  /** (actual - committed) / committed, or null without actuals. */
  readonly variance: number | null;
}

export interface Realization {
  readonly commitmentId: string;
  /** Realization 0..n (1 = fully realized) over the measured metrics, weighted by value at stake; 0 when none is measured. */
  readonly overall: number;
  readonly milestones: readonly MilestoneRealization[];
  readonly drivers: readonly DriverRealization[];
  readonly atRisk: boolean;
  /** The commitment as a whole, from its milestones (`realizationOutlook`). */
  readonly outlook: RealizationOutlook;
}

/** The commitment as a whole (see `realizationOutlook`). */
export type RealizationOutlook = 'missed' | 'at-risk' | 'achieved' | 'insufficient-data' | 'on-track';

/** What `valueRealized` measures: one commitment's value, or a value metric of one commitment or of all of them. */
export interface ValueRealizedQuery {
  /** A commitment: its committed value times the growth of its overall realization over the period. */
  readonly commitmentId?: string;
  /** A metric (e.g. `dollars_saved`): how much of it was realized in the period, in its own unit. */
  readonly metric?: string;
  /** Start of the period (exclusive): readings measured at or before it are the baseline. */
  readonly from: Date;
  /** End of the period (inclusive). */
  readonly to: Date;
}

/** One commitment's part of a period's realized value, with where to see the evidence. */
export interface ValueRealizedPart {
  readonly commitmentId: string;
  readonly title: string;
  readonly value: number;
  /** The commitment's currency (a commitment query), or the metric's unit (a metric query). */
  readonly unit: string;
  /** The API path of the realization report the figure comes from, as of the period's end. */
  readonly evidence: string;
}

export interface ValueRealized {
  /** Sum of the parts, never negative (a period that lost ground realized nothing). */
  readonly value: number;
  readonly parts: readonly ValueRealizedPart[];
}

export interface RealizationService {
  forCommitment(tenantId: string, commitmentId: string): Promise<Realization | undefined>;
  /**
   * Value realized in a period: for a commitment (without `metric`), its committed value × (overall realization at
   * `to` − at `from`); for a metric, per commitment: a cumulative metric's growth, a flow's readings in the period
   * summed, a level's change. Only counted readings (corrections applied). Undefined for an unknown commitment.
   */
  valueRealized(tenantId: string, query: ValueRealizedQuery): Promise<ValueRealized | undefined>;
}

export const realizationRef = createServiceRef<RealizationService>({ id: 'value-realization' });

/** Events published by value-executor (payload includes `commitmentId` and `milestoneId` where relevant). */
export const realizationEvents = ['measurement.recorded', 'milestone.achieved', 'milestone.missed', 'realization.at-risk'] as const;
