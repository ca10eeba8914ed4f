export { plugin } from './plugin';
export {
  commitmentsRef,
  commitmentEvents,
  type Commitment,
  type CommitmentStatus,
  type CommitmentsService,
  type CommitmentInput,
  type CommittedDriver,
  type CriterionOperator,
  type Milestone,
  type MetricDefinition,
  type MetricKind,
  type SuccessCriterion,
} from './commitments-api';
export type { CommitmentResource, CommitmentTransition, CommitmentVersionSummary } from './commitments/commitment-store';
export type { CommitmentSimulation } from './commitments/committed-value';
