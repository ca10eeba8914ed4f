import { createServiceRef } from '@valueverse/plugin-sdk';

// The contract value-executor and value-amplifier program against. Changing a member is a breaking change of
// the `value-commitments` service: bump the plugin's major version.

export type CommitmentStatus = 'draft' | 'proposed' | 'signed' | 'active' | 'closed';

export interface Milestone {
  readonly id: string;
  readonly title: string;
  /** ISO date (yyyy-mm-dd). */
  readonly dueDate: string;
  /** Metric measured for this milestone, e.g. a driver key of the value model (`hours_saved`). */
  readonly metric: string;
  /** Value of `metric` to reach by `dueDate` (cumulative unless the metric says otherwise). */
  readonly target: number;
}

/**
 * What a metric's readings are (issue #11):
 * - `cumulative`: a running total to date (tickets deflected so far); readings never fall;
 * - `level`: a state at a point in time (a deflection rate, a headcount); judged on a trailing-window average;
 * - `flow`: the amount of one period ending at the reading (tickets deflected this week); summed toward a target
 *   (`aggregate: 'sum'`, the default) or averaged for a rate target (`aggregate: 'mean'`).
 */
export type MetricKind = 'cumulative' | 'level' | 'flow';

/** How a commitment's metric is measured. Metrics without one get a default from value-executor (see its docs). */
export interface MetricDefinition {
  /** The metric: a milestone metric, success-criterion metric or driver key of the commitment. */
  readonly key: string;
  readonly kind: MetricKind;
  readonly unit: string;
  /** Physical lower bound of a reading (a rate: 0), or null. */
  readonly min: number | null;
  /** Physical upper bound of a reading (a rate: 1), or null. */
  readonly max: number | null;
  /** Flow metrics: sum the periods toward the target, or average them for a rate target. */
  readonly aggregate?: 'sum' | 'mean';
  /**
   * The part of the committed value (in the commitment's currency) that rides on this metric; realization's
   * overall figure is weighted by it. Null or absent: an equal share of what the declared metrics leave.
   */
  readonly valueAtStake?: number | null;
}

export type CriterionOperator = '>=' | '>' | '<=' | '<' | '==';

export interface SuccessCriterion {
  readonly id: string;
  readonly metric: string;
  readonly operator: CriterionOperator;
  readonly threshold: number;
  /** Measurement window in days, ending at evaluation time. */
  readonly windowDays: number;
}

/** A driver of the committed model version, as the amplifier needs it. */
export interface CommittedDriver {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** Committed (base) value of the driver. */
  readonly value: number;
}

export interface Commitment {
  readonly id: string;
  readonly tenantId: string;
  /** 1 for the original; an amendment of a signed commitment is a new version linked through `previousVersionId`. */
  readonly version: number;
  readonly previousVersionId: string | null;
  readonly title: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly industry: string | null;
  readonly status: CommitmentStatus;
  /** Confidence level of the risk adjustment, e.g. 0.8 for P80. */
  readonly confidence: number;
  /** Unadjusted (base case) value of the model, in `currency`. */
  readonly baseValue: number;
  /** Risk-adjusted committed value: the matching Monte Carlo percentile. */
  readonly committedValue: number;
  readonly currency: string;
  readonly drivers: readonly CommittedDriver[];
  readonly milestones: readonly Milestone[];
  readonly successCriteria: readonly SuccessCriterion[];
  /** Declared metrics (kind, unit, bounds, value at stake); absent or empty on commitments made before they existed. */
  readonly metrics?: readonly MetricDefinition[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly signedAt: string | null;
}

/** Read access to commitments for other plugins, always within one tenant. */
export interface CommitmentsService {
  get(tenantId: string, id: string): Promise<Commitment | undefined>;
  /** Commitments of the tenant with these statuses (all when omitted), newest first. */
  list(tenantId: string, filter?: { readonly status?: readonly CommitmentStatus[] }): Promise<Commitment[]>;
  /**
   * Creates a draft commitment as `POST /api/v1/commitments` does (risk-adjusted committed value, audited,
   * announced), on behalf of `userId`: for a plugin applying a proposal its user accepted. The caller checks the
   * user may write. Invalid input throws `VV_VALIDATION`.
   */
  create(tenantId: string, userId: string, input: CommitmentInput): Promise<Commitment>;
}

/** What a new commitment is made from: a model version and the confidence (P-level) of its committed value. */
export interface CommitmentInput {
  readonly modelId: string;
  /** The latest when omitted. */
  readonly modelVersion?: number;
  readonly title?: string;
  /** 0.8 for P80 (the default). */
  readonly confidence?: number;
  readonly trials?: number;
  readonly seed?: number;
  readonly milestones?: readonly (Omit<Milestone, 'id'> & { readonly id?: string })[];
}

export const commitmentsRef = createServiceRef<CommitmentsService>({ id: 'value-commitments' });

/** Events published by value-committer (payload: `{ commitmentId, version, status }`). */
export const commitmentEvents = ['commitment.created', 'commitment.proposed', 'commitment.signed', 'commitment.activated', 'commitment.closed', 'commitment.amended'] as const;
