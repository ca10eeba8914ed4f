import { EntitySchema } from '@mikro-orm/core';
import type { CommitmentStatus, CommittedDriver, MetricDefinition, Milestone, SuccessCriterion } from '../commitments-api';
import type { CommitmentSimulation } from '../commitments/committed-value';

const SCHEMA = 'value_committer';

/** A commitment version (row of `commitments`); amendments are rows of their own linked by `previousVersionId`. */
export interface CommitmentRow {
  id: string;
  tenantId: string;
  version: number;
  previousVersionId: string | null;
  /** Id of the amendment made from this version, if any. */
  amendedBy: string | null;
  amendmentReason: string | null;
  title: string;
  modelId: string;
  modelVersion: number;
  industry: string | null;
  status: CommitmentStatus;
  confidence: number;
  baseValue: number;
  committedValue: number;
  currency: string;
  drivers: CommittedDriver[];
  milestones: Milestone[];
  successCriteria: SuccessCriterion[];
  metrics: MetricDefinition[];
  simulation: CommitmentSimulation;
  createdBy: string;
  createdAt: Date;
  updatedBy: string;
  updatedAt: Date;
  signedBy: string | null;
  signedAt: Date | null;
}

/** One status change (row of `commitment_transitions`). */
export interface CommitmentTransitionRow {
  id: string;
  tenantId: string;
  commitmentId: string;
  fromStatus: CommitmentStatus;
  toStatus: CommitmentStatus;
  actor: string;
  at: Date;
  reason: string | null;
}

// Every property has an explicit type (docs/stack.md "Known traps"); `runtimeType: 'number'` makes doubles come back as numbers.
export const CommitmentEntity = new EntitySchema<CommitmentRow>({
  name: 'ValueCommitterCommitment',
  schema: SCHEMA,
  tableName: 'commitments',
  properties: {
    id: { type: 'text', primary: true },
    tenantId: { type: 'text', fieldName: 'tenant_id' },
    version: { type: 'integer' },
    previousVersionId: { type: 'text', fieldName: 'previous_version_id', nullable: true },
    amendedBy: { type: 'text', fieldName: 'amended_by', nullable: true },
    amendmentReason: { type: 'text', fieldName: 'amendment_reason', nullable: true },
    title: { type: 'text' },
    modelId: { type: 'text', fieldName: 'model_id' },
    modelVersion: { type: 'integer', fieldName: 'model_version' },
    industry: { type: 'text', nullable: true },
    status: { type: 'text' },
    confidence: { type: 'double', runtimeType: 'number' },
    baseValue: { type: 'double', fieldName: 'base_value', runtimeType: 'number' },
    committedValue: { type: 'double', fieldName: 'committed_value', runtimeType: 'number' },
    currency: { type: 'text' },
    drivers: { type: 'json' },
    milestones: { type: 'json' },
    successCriteria: { type: 'json', fieldName: 'success_criteria' },
    metrics: { type: 'json' },
    simulation: { type: 'json' },
    createdBy: { type: 'text', fieldName: 'created_by' },
    createdAt: { type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz' },
    updatedBy: { type: 'text', fieldName: 'updated_by' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz' },
    signedBy: { type: 'text', fieldName: 'signed_by', nullable: true },
    signedAt: { type: 'datetime', fieldName: 'signed_at', columnType: 'timestamptz', nullable: true },
  },
});

export const CommitmentTransitionEntity = new EntitySchema<CommitmentTransitionRow>({
  name: 'ValueCommitterTransition',
  schema: SCHEMA,
  tableName: 'commitment_transitions',
  properties: {
    id: { type: 'text', primary: true },
    tenantId: { type: 'text', fieldName: 'tenant_id' },
    commitmentId: { type: 'text', fieldName: 'commitment_id' },
    fromStatus: { type: 'text', fieldName: 'from_status' },
    toStatus: { type: 'text', fieldName: 'to_status' },
    actor: { type: 'text' },
    at: { type: 'datetime', columnType: 'timestamptz' },
    reason: { type: 'text', nullable: true },
  },
});
